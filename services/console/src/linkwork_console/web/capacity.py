"""The provider's capacity and waiting-list pages (issue 17): places per week, whether the service keeps a
waiting list, the list in order with the estimated wait for someone joining now, and the actions on it
(someone started, someone left, someone joined from another route).

They call the directory's provider API with the person's own token, so the directory decides which services
are theirs. Forms post back to these pages; errors come back as an NHS.UK error summary; no JavaScript.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from linkwork_console.adapters.services import UpstreamError
from linkwork_console.web.deps import CsrfChecked, CurrentSession, Render, SignedIn, Upstream, User
from linkwork_console.web.forms import FormErrors, text
from linkwork_console.web.forms import take_flash as _take_flash
from linkwork_console.web.provider import _require_provider

router = APIRouter(include_in_schema=False)

MAX_PLACES = 100_000
REMOVAL_REASONS = [
    ("started-elsewhere", "They started somewhere else"),
    ("no-longer-wanted", "They no longer want a place"),
    ("could-not-contact", "We could not contact them"),
    ("not-eligible", "They are not eligible"),
    ("other", "Another reason"),
]
BASIS_WORDS = {
    "places-free": "there are places free now and nobody is waiting",
    "observed": "from how many people started each week over the last 8 weeks",
    "declared": "from your places per week, until enough people have started to measure it",
}
SOURCE_WORDS = {"activity-referral": "Link worker referral", "provider": "Added by you"}


def _home(service_id: UUID) -> RedirectResponse:
    return RedirectResponse(f"/provider/capacity/{service_id}", status_code=303)


@router.get("/provider/capacity")
async def services(request: Request, user: SignedIn, upstream: Upstream, pages: Render) -> Response:
    _require_provider(user)
    found = await upstream.get(user.token, "directory", "/provider/services")
    return pages.render(
        request, "provider_capacity_list.html", user=user, title="Capacity and waiting lists", services=found
    )


async def _list(upstream: Upstream, user: User, service_id: UUID) -> dict[str, Any]:
    _require_provider(user)
    found: dict[str, Any] = await upstream.get(user.token, "directory", f"/services/{service_id}/waiting-list")
    return found


def _context(view: dict[str, Any], errors: FormErrors, form: dict[str, Any]) -> dict[str, Any]:
    if not form:
        places = view["places_per_week"]
        form = {
            "places": "" if places is None else str(places),
            "waiting_list": "yes" if view["waiting_list"] else "no",
        }
    return {
        "title": view["name"],
        "view": view,
        "form": form,
        "basis_words": BASIS_WORDS,
        "source_words": SOURCE_WORDS,
        "back": "/provider/capacity",
        **errors.context(),
    }


@router.get("/provider/capacity/{service_id}")
async def waiting_list(
    request: Request, service_id: UUID, user: SignedIn, upstream: Upstream, pages: Render, session: CurrentSession
) -> Response:
    view = await _list(upstream, user, service_id)
    return pages.render(
        request,
        "provider_capacity.html",
        user=user,
        column="full",
        flash=_take_flash(session),
        **_context(view, FormErrors(), {}),
    )


@router.post("/provider/capacity/{service_id}", dependencies=[CsrfChecked])
async def save_capacity(
    request: Request, service_id: UUID, user: SignedIn, upstream: Upstream, pages: Render
) -> Response:
    _require_provider(user)
    form = await request.form()
    errors = FormErrors()
    raw, keeps_list = text(form, "places"), text(form, "waiting_list")
    places: int | None = None
    if raw:
        if not raw.isdigit():
            errors.add("places", "Places per week must be a whole number, like 6")
        elif int(raw) > MAX_PLACES:
            errors.add("places", f"Places per week must be {MAX_PLACES:,} or fewer")
        else:
            places = int(raw)
    if keeps_list not in ("yes", "no"):
        errors.add("waiting_list", "Select whether people can join a waiting list when you are full")
    if errors:
        view = await _list(upstream, user, service_id)
        values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        return pages.render(
            request, "provider_capacity.html", 400, user=user, column="full", **_context(view, errors, values)
        )
    body = {"places_per_week": places, "waiting_list": keeps_list == "yes"}
    await upstream.put(user.token, "directory", f"/services/{service_id}/capacity", body)
    request.state.session.set("flash", "Capacity saved")
    return _home(service_id)


@router.post("/provider/capacity/{service_id}/add", dependencies=[CsrfChecked])
async def add(request: Request, service_id: UUID, user: SignedIn, upstream: Upstream) -> Response:
    _require_provider(user)
    await upstream.post(user.token, "directory", f"/services/{service_id}/waiting-list", {})
    request.state.session.set("flash", "Added to the end of the waiting list")
    return _home(service_id)


@router.post("/provider/capacity/{service_id}/entries/{entry_id}/start", dependencies=[CsrfChecked])
async def started(request: Request, service_id: UUID, entry_id: UUID, user: SignedIn, upstream: Upstream) -> Response:
    _require_provider(user)
    await upstream.post(user.token, "directory", f"/services/{service_id}/waiting-list/{entry_id}/start", {})
    request.state.session.set("flash", "Marked as started")
    return _home(service_id)


@router.get("/provider/capacity/{service_id}/entries/{entry_id}/remove")
async def removal(
    request: Request, service_id: UUID, entry_id: UUID, user: SignedIn, upstream: Upstream, pages: Render
) -> Response:
    return await _removal_page(request, service_id, entry_id, user, upstream, pages, FormErrors(), "")


async def _removal_page(
    request: Request,
    service_id: UUID,
    entry_id: UUID,
    user: User,
    upstream: Upstream,
    pages: Render,
    errors: FormErrors,
    chosen: str,
    status: int = 200,
) -> Response:
    view = await _list(upstream, user, service_id)
    entry = next((e for e in view["entries"] if e["id"] == str(entry_id)), None)
    if entry is None:
        raise UpstreamError(404, "Not found", "entry_id: that person is no longer on the waiting list")
    return pages.render(
        request,
        "provider_capacity_remove.html",
        status,
        user=user,
        title="Take someone off the waiting list",
        view=view,
        entry=entry,
        reasons=REMOVAL_REASONS,
        chosen=chosen,
        back=f"/provider/capacity/{service_id}",
        **errors.context(),
    )


@router.post("/provider/capacity/{service_id}/entries/{entry_id}/remove", dependencies=[CsrfChecked])
async def remove(
    request: Request, service_id: UUID, entry_id: UUID, user: SignedIn, upstream: Upstream, pages: Render
) -> Response:
    _require_provider(user)
    form = await request.form()
    reason = text(form, "reason")
    if reason not in {value for value, _ in REMOVAL_REASONS}:
        errors = FormErrors()
        errors.add("reason", "Select why the person is leaving the waiting list")
        return await _removal_page(request, service_id, entry_id, user, upstream, pages, errors, reason, 400)
    await upstream.post(
        user.token, "directory", f"/services/{service_id}/waiting-list/{entry_id}/remove", {"reason": reason}
    )
    request.state.session.set("flash", "Taken off the waiting list")
    return _home(service_id)
