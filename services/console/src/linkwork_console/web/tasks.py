"""The link worker's task list: follow-ups due today, overdue first contacts, messages that could not be
delivered, read from the notifications service with the person's own token. Each task links to the referral."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from linkwork_runtime.principal import Role

from linkwork_console.adapters.services import UpstreamError
from linkwork_console.web.deps import Render, SignedIn, Upstream

router = APIRouter(include_in_schema=False)

KINDS = {
    "follow-up-due": "Follow-up due",
    "first-contact-overdue": "First contact overdue",
    "undeliverable": "Message not delivered",
    "provider-no-response": "Provider did not answer: find another activity",
}


@router.get("/tasks")
async def task_list(
    request: Request,
    user: SignedIn,
    upstream: Upstream,
    pages: Render,
    view: Annotated[str, Query(pattern="^(mine|all)$")] = "mine",
) -> Response:
    if user.role not in (Role.LINK_WORKER, Role.PCN_ADMIN):
        detail = "Tasks are for link workers and PCN administrators."
        return pages.render(
            request, "error.html", status_code=403, user=user, title="You cannot see tasks", detail=detail
        )
    params = {"mine": "true"} if view == "mine" else {}
    unavailable = False
    tasks: list[dict[str, Any]] = []
    try:
        tasks = (await upstream.get(user.token, "notifications", "/tasks", params))["tasks"]
    except UpstreamError as error:
        if error.status < 500:
            raise
        unavailable = True
    except httpx.HTTPError:  # the notifications service is down: say so, the rest of the console still works
        unavailable = True
    for task in tasks:
        task["label"] = KINDS.get(task["kind"], task["kind"])
    return pages.render(
        request, "tasks.html", user=user, title="Tasks", tasks=tasks, view=view, unavailable=unavailable
    )
