"""The PCN manager's team pages (issue 18): workload per link worker, moving a leaver's whole caseload, and the
way to the sign-in provider's own user admin (the console keeps no user store of its own).

Everything comes from the referral service's /workload API with the manager's own token, so every read and
every move is audited there as that manager."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from linkwork_runtime.principal import Role

from linkwork_console.adapters.services import UpstreamError
from linkwork_console.web.deps import CsrfChecked, CurrentSession, Render, SignedIn, Upstream, User
from linkwork_console.web.forms import FormErrors, text
from linkwork_console.web.forms import flash as _flash
from linkwork_console.web.forms import take_flash as _take_flash

router = APIRouter(include_in_schema=False)

StaffId = Annotated[str, Query(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f]+$")]


def _forbidden(request: Request, pages: Render, user: User) -> Response | None:
    if user.role is Role.PCN_ADMIN:
        return None
    detail = "The team's workload is for PCN managers."
    return pages.render(request, "error.html", status_code=403, user=user, title="You cannot see this", detail=detail)


async def _workload(upstream: Upstream, user: User) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await upstream.get(user.token, "referral", "/workload")
    return rows


@router.get("/team")
async def team(
    request: Request, user: SignedIn, upstream: Upstream, pages: Render, session: CurrentSession
) -> Response:
    if (refused := _forbidden(request, pages, user)) is not None:
        return refused
    return pages.render(
        request,
        "team.html",
        user=user,
        title="Your team",
        column="full",
        workload=await _workload(upstream, user),
        users_admin_url=request.app.state.users_admin_url,
        flash=_take_flash(session),
    )


def _move_page(
    request: Request, pages: Render, user: User, leaver: str, workload: list[dict[str, Any]], errors: FormErrors,
    form: dict[str, str], status_code: int = 200,
) -> Response:  # fmt: skip
    load = next((row for row in workload if row["link_worker"] == leaver), None)
    others = [row["link_worker"] for row in workload if row["link_worker"] != leaver]
    choices = [(other, other) for other in others] + [("other", "Another link worker")]
    return pages.render(
        request,
        "team_move.html",
        status_code,
        user=user,
        title="Move a caseload",
        back="/team",
        leaver=leaver,
        open=load["open"] if load else 0,
        choices=choices,
        form=form,
        **errors.context(),
    )


@router.get("/team/move")
async def move_page(
    request: Request, leaver: Annotated[str, StaffId], user: SignedIn, upstream: Upstream, pages: Render
) -> Response:
    if (refused := _forbidden(request, pages, user)) is not None:
        return refused
    return _move_page(request, pages, user, leaver, await _workload(upstream, user), FormErrors(), {})


@router.post("/team/move", dependencies=[CsrfChecked])
async def move(
    request: Request, user: SignedIn, upstream: Upstream, pages: Render, session: CurrentSession
) -> Response:
    if (refused := _forbidden(request, pages, user)) is not None:
        return refused
    form = await request.form()
    leaver, chosen, other = text(form, "leaver"), text(form, "to"), text(form, "to_other").strip()
    target = other if chosen == "other" else chosen
    errors = FormErrors()
    if not target:
        errors.add("to", "Select who takes over the caseload, or enter their staff id")
    elif target == leaver:
        errors.add("to", "Select a link worker other than the one whose caseload moves")
    if not errors:
        try:
            result = await upstream.post(
                user.token, "referral", "/workload/reassign", {"from_link_worker": leaver, "to_link_worker": target}
            )
        except UpstreamError as error:
            if error.status != 422:
                raise
            errors.add("to", "Enter the staff id of a link worker in your PCN")
        else:
            moved, kept = len(result["moved"]), len(result["not_moved"])
            message = f"Moved {moved} referral{'s' if moved != 1 else ''} to {target}."
            if kept:
                message += f" {kept} could not move now (on hold): open each to reassign it once resumed."
            _flash(session, message)
            return RedirectResponse("/team", status_code=303)
    entered = {"to": chosen, "to_other": other}
    workload = await _workload(upstream, user)
    return _move_page(request, pages, user, leaver, workload, errors, entered, status_code=400)
