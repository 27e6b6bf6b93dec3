"""The provider's pages (issue 17): incoming activity referrals for their own organisation, one referral with
its answer (accept, or decline with a reason), start date, attendance session by session, and completion.

Like every console page they call the referral service's provider API with the person's own token (so the
service decides what they see and audits it), post back to themselves, show an error summary when something is
wrong, and redirect with a confirmation when done. No JavaScript is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from linkwork_contracts.codes import PROVIDER_DECLINE_REASONS, DeclineReason, SessionAttendance, SharedContactRoute
from linkwork_runtime.principal import Role

from linkwork_console.adapters.services import UpstreamError
from linkwork_console.web.deps import CsrfChecked, CurrentSession, Render, SignedIn, Upstream, User
from linkwork_console.web.forms import FormErrors, date_field, text
from linkwork_console.web.forms import take_flash as _take_flash

router = APIRouter(include_in_schema=False)

API = "/provider/activity-referrals"
STATE_WORDS = {
    "awaiting-response": "Waiting for your answer",
    "accepted": "Accepted",
    "declined": "Declined",
    "completed": "Completed",
    "withdrawn": "Withdrawn by the link worker",
}
ATTENDANCE_WORDS = {
    SessionAttendance.ATTENDED.value: "Attended",
    SessionAttendance.DID_NOT_ATTEND.value: "Did not attend",
    SessionAttendance.CANCELLED.value: "Session cancelled",
}
DECLINE_WORDS = {reason.value: words for reason, words in PROVIDER_DECLINE_REASONS.items()} | {
    DeclineReason.NO_RESPONSE.value: "No answer before the deadline"
}
CONTACT_WORDS = {
    SharedContactRoute.PHONE.value: "Phone",
    SharedContactRoute.EMAIL.value: "Email",
    SharedContactRoute.VIA_LINK_WORKER.value: "Through the link worker",
}


def _require_provider(user: User) -> None:
    if user.role is not Role.PROVIDER:
        raise UpstreamError(403, "Forbidden", "these pages are for community providers")


def _see(activity_referral_id: UUID) -> RedirectResponse:
    return RedirectResponse(f"/provider/referrals/{activity_referral_id}", status_code=303)


@router.get("/provider/referrals")
async def incoming(
    request: Request, user: SignedIn, upstream: Upstream, pages: Render, session: CurrentSession
) -> Response:
    _require_provider(user)
    found = await upstream.get(user.token, "referral", API)
    items = found["activity_referrals"]
    groups = [(state, words, [i for i in items if i["state"] == state]) for state, words in STATE_WORDS.items()]
    return pages.render(
        request,
        "provider_referrals.html",
        user=user,
        title="Incoming referrals",
        column="full",
        groups=groups,
        total=len(items),
        flash=_take_flash(session),
    )


async def _one(upstream: Upstream, user: User, activity_referral_id: UUID) -> dict[str, Any]:
    _require_provider(user)
    found: dict[str, Any] = await upstream.get(user.token, "referral", f"{API}/{activity_referral_id}")
    return found


def _context(item: dict[str, Any], errors: FormErrors, form: dict[str, Any], **more: Any) -> dict[str, Any]:
    shared = item["shared"]
    return {
        "title": f"Referral for {shared['first_name']}" if shared.get("first_name") else "Referral",
        "item": item,
        "form": form,
        "state_words": STATE_WORDS,
        "decline_reasons": list(PROVIDER_DECLINE_REASONS.items()),
        "decline_words": DECLINE_WORDS,
        "attendance_choices": list(ATTENDANCE_WORDS.items()),
        "attendance_words": ATTENDANCE_WORDS,
        "contact_words": CONTACT_WORDS,
        "back": "/provider/referrals",
        **errors.context(),
        **more,
    }


@router.get("/provider/referrals/{activity_referral_id}")
async def one(
    request: Request,
    activity_referral_id: UUID,
    user: SignedIn,
    upstream: Upstream,
    pages: Render,
    session: CurrentSession,
) -> Response:
    item = await _one(upstream, user, activity_referral_id)
    return pages.render(
        request, "provider_referral.html", user=user, flash=_take_flash(session), **_context(item, FormErrors(), {})
    )


@dataclass(frozen=True)
class _Answering:
    """One referral's page while the provider posts a form on it: shown again with the errors, or one step sent."""

    request: Request
    user: User
    upstream: Upstream
    pages: Render
    aid: UUID

    async def form(self) -> Any:
        _require_provider(self.user)
        return await self.request.form()

    async def again(self, errors: FormErrors, form: Any) -> Response:
        """The page again with the errors and what was entered (status 400)."""
        item = await _one(self.upstream, self.user, self.aid)
        values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        return self.pages.render(
            self.request, "provider_referral.html", 400, user=self.user, **_context(item, errors, values)
        )

    async def act(self, path: str, body: dict[str, Any], field: str, form: Any, done: str) -> Response:
        """Send one step; a 409 or 422 from the service is shown against `field` in plain words."""
        try:
            await self.upstream.post(self.user.token, "referral", f"{API}/{self.aid}/{path}", body)
        except UpstreamError as error:
            if error.status not in (409, 422):
                raise
            errors = FormErrors()
            errors.add(field, _plain(error))
            return await self.again(errors, form)
        self.request.state.session.set("flash", done)
        return _see(self.aid)


def _answering(
    request: Request, activity_referral_id: UUID, user: SignedIn, upstream: Upstream, pages: Render
) -> _Answering:
    return _Answering(request, user, upstream, pages, activity_referral_id)


# What each form posted on one referral's page works with.
Answering = Annotated[_Answering, Depends(_answering)]


def _plain(error: UpstreamError) -> str:
    if error.status == 409:
        return "This referral has changed since you opened it: check its status below"
    detail = error.detail or ""
    if "session_on" in detail and "after the session" in detail:
        return "The session date must be today or in the past"
    if "session_on" in detail and "start date" in detail:
        return "The session date must not be before the start date"
    if "within a year" in detail:
        return "The date must be within a year of today"
    return "Check what you entered"


@router.post("/provider/referrals/{activity_referral_id}/answer", dependencies=[CsrfChecked])
async def answer(page: Answering) -> Response:
    form = await page.form()
    errors = FormErrors()
    decision, reason = text(form, "decision"), text(form, "reason")
    if decision not in ("accept", "decline"):
        errors.add("decision", "Select whether you can take this referral")
    starts = date_field(form, "starts", errors, "the start date", required=False)
    if decision == "decline" and reason not in {r.value for r in PROVIDER_DECLINE_REASONS}:
        errors.add("reason", "Select why you cannot take this referral")
    if errors:
        return await page.again(errors, form)
    if decision == "accept":
        body: dict[str, Any] = {"starts_on": starts.isoformat() if starts else None}
        return await page.act("accept", body, "decision", form, "Referral accepted")
    return await page.act("decline", {"reason": reason}, "decision", form, "Referral declined")


@router.post("/provider/referrals/{activity_referral_id}/start-date", dependencies=[CsrfChecked])
async def start_date(page: Answering) -> Response:
    form = await page.form()
    errors = FormErrors()
    starts = date_field(form, "starts", errors, "the start date")
    if errors or starts is None:
        return await page.again(errors, form)
    return await page.act("start-date", {"starts_on": starts.isoformat()}, "starts-day", form, "Start date saved")


@router.post("/provider/referrals/{activity_referral_id}/attendance", dependencies=[CsrfChecked])
async def attendance(page: Answering) -> Response:
    form = await page.form()
    errors = FormErrors()
    session_on = date_field(form, "session", errors, "the session date")
    if session_on is not None and session_on > date.today():
        errors.add("session-day", "The session date must be today or in the past")
    outcome = text(form, "attendance")
    if outcome not in ATTENDANCE_WORDS:
        errors.add("attendance", "Select whether the person attended")
    if errors or session_on is None:
        return await page.again(errors, form)
    body = {"session_on": session_on.isoformat(), "attendance": outcome}
    return await page.act("attendance", body, "session-day", form, "Attendance saved")


@router.post("/provider/referrals/{activity_referral_id}/complete", dependencies=[CsrfChecked])
async def complete(page: Answering) -> Response:
    form = await page.form()
    if text(form, "confirm") != "yes":
        errors = FormErrors()
        errors.add("confirm", "Confirm the person has completed the activity")
        return await page.again(errors, form)
    return await page.act("complete", {}, "confirm", form, "Marked as completed")
