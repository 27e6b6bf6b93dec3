"""The link worker's pages. Each reads and writes through the services' APIs with the person's own token;
every form posts back to its own page, shows an error summary when wrong, and redirects when done."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from linkwork_contracts.codes import (
    TERMINAL_STATUSES,
    AttendanceStatus,
    ClosureReason,
    ConfirmedBy,
    ContactKind,
    ContactOutcome,
    DeliveryMode,
    LinkWorkerStage,
    NeedCategory,
    ReferralSource,
    ReferralStatus,
    Sex,
    SharedContactRoute,
    Urgency,
)
from linkwork_contracts.events import PersonDetails
from linkwork_contracts.nhs_number import is_valid_nhs_number, normalise_nhs_number
from linkwork_runtime.principal import Role

from linkwork_console.adapters.services import Services, UpstreamError
from linkwork_console.web import measures
from linkwork_console.web.deps import CsrfChecked, CurrentSession, Pages, Render, SignedIn, Upstream, User
from linkwork_console.web.forms import FormErrors, choices, date_field, text, upstream_errors
from linkwork_console.web.forms import flash as _flash
from linkwork_console.web.forms import take_flash as _take_flash

router = APIRouter(include_in_schema=False)

# The referral API's workflow states: a referral's Gravity status, or its link-worker stage while one applies.
OPEN_STATES = [
    ReferralStatus.REQUESTED.value,
    *(stage.value for stage in LinkWorkerStage),
    ReferralStatus.ON_HOLD.value,
]
STATES = [*OPEN_STATES, *(status.value for status in ReferralStatus if status in TERMINAL_STATUSES)]
URGENCIES = [Urgency.URGENT.value, Urgency.ROUTINE.value]  # as the caseload offers them: most pressing first
# The referral API's caseload orders, with their words; its default (newest first) has no parameter.
SORTS = {
    "urgency": "Urgent first",
    "next-follow-up": "Next follow-up due",
    "waiting": "Waiting longest",
}
CASE_ROLES = (Role.LINK_WORKER, Role.PCN_ADMIN, Role.REFERRER)


def _require_case_access(user: User) -> None:
    # Providers, curators and commissioners never see case records: the services refuse them too, this
    # only spares them a page of errors.
    if user.role not in CASE_ROLES:
        raise UpstreamError(403, "Forbidden", "no case records for this role")


def _lines(value: str, limit: int) -> list[str]:
    """One item a line (goals, strengths), each within the API's 300 characters."""
    return [line.strip()[:300] for line in value.splitlines() if line.strip()][:limit]


def _see(referral_id: UUID) -> RedirectResponse:
    return RedirectResponse(f"/referrals/{referral_id}", status_code=303)


def _as_entered(form: Any) -> dict[str, Any]:
    """The submitted text fields, to show a form again as the user filled it in."""
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


def _case_context(title: str, referral: dict[str, Any], errors: FormErrors, **page: Any) -> dict[str, Any]:
    """What every form page about one referral has: its title, the referral, the way back and any errors."""
    return {"title": title, "referral": referral, **page, "back": f"/referrals/{referral['id']}", **errors.context()}


def _person_checked(form: Any, errors: FormErrors) -> tuple[str, str, date | None]:
    """The person's names, date of birth and sex, checked alike on a new referral and on a change of details."""
    given, family = text(form, "given_name"), text(form, "family_name")
    if not given:
        errors.add("given_name", "Enter the person's first name")
    if not family:
        errors.add("family_name", "Enter the person's last name")
    birth = date_field(form, "dob", errors, "the person's date of birth")
    if birth is not None and birth > date.today():
        errors.add("dob-day", "Date of birth must be in the past")
    if text(form, "sex") not in {s.value for s in Sex}:
        errors.add("sex", "Select the person's sex")
    return given, family, birth


# The referral API's person fields (a path inside `person` on a new referral) onto the person forms' fields.
_PERSON_PROBLEMS = {
    "date_of_birth": ("dob-day", "Enter a real date of birth"),
    "postcode": ("postcode", "Enter a full UK postcode, like LS1 4AP"),
    "phone": ("phone", "Enter a UK phone number"),
}


def _mode_and_outcome(form: Any, errors: FormErrors) -> tuple[str, str]:
    """How the link worker was in touch and what happened: asked alike by contacts and follow-ups."""
    mode, outcome = text(form, "mode"), text(form, "outcome")
    if mode not in {m.value for m in DeliveryMode}:
        errors.add("mode", "Select how you were in touch")
    if outcome not in {o.value for o in ContactOutcome}:
        errors.add("outcome", "Select what happened")
    return mode, outcome


def _contact_fields(form: Any, errors: FormErrors) -> dict[str, Any]:
    """What every contact sends, a follow-up included: how it was made, how it went, when (now), any notes."""
    mode, outcome = _mode_and_outcome(form, errors)
    return {
        "mode": mode,
        "outcome": outcome,
        "occurred_at": datetime.now(UTC).isoformat(),
        "notes": text(form, "notes") or None,
    }


@router.get("/")
async def home(request: Request, session: CurrentSession, pages: Render) -> Response:
    if not session.data.get("user"):
        return pages.render(request, "start.html")
    from linkwork_console.web.deps import signed_in_user

    user = await signed_in_user(request, session)
    if user.works_cases or user.role is Role.REFERRER:
        return RedirectResponse("/caseload", status_code=303)
    if user.role is Role.PROVIDER:
        return RedirectResponse("/provider/referrals", status_code=303)
    return pages.render(request, "home.html", user=user)


@router.get("/sign-out")
async def sign_out_page(request: Request, pages: Render) -> Response:
    return pages.render(request, "sign_out.html")


# --- caseload -------------------------------------------------------------------------------------------


@router.get("/caseload")
async def caseload(
    request: Request,
    user: SignedIn,
    upstream: Upstream,
    pages: Render,
    session: CurrentSession,
    view: Annotated[str, Query(pattern="^(mine|unassigned|all)$")] = "mine",
    status: Annotated[str | None, Query(max_length=40)] = None,
    overdue: Annotated[str | None, Query(max_length=5)] = None,
    urgency: Annotated[str | None, Query(max_length=20)] = None,
    safeguarding: Annotated[str | None, Query(max_length=5)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    _require_case_access(user)
    if sort not in SORTS:
        sort = None  # the default order (newest first); an unknown value is ignored like other filters
    if user.role is Role.REFERRER:
        view = "all"
    params: list[tuple[str, str]] = [("limit", "25")]
    if status in STATES:
        params.append(("status", status))
    elif view == "unassigned":
        params.append(("status", ReferralStatus.REQUESTED.value))
    else:
        params.extend(("status", s) for s in OPEN_STATES)
    if view == "mine":
        params.append(("link_worker", user.subject))
    if overdue == "yes":
        params.append(("overdue", "true"))
    if urgency in URGENCIES:
        params.append(("urgency", urgency))
    if safeguarding == "yes":
        params.append(("safeguarding", "true"))
    search = (q or "").strip()
    if len(search) >= 2:
        params.append(("q", search))
    if sort:
        params.append(("sort", sort))
    if cursor:
        params.append(("cursor", cursor))
    page = await upstream.get(user.token, "referral", "/referrals", params)
    items = page["items"]
    if view == "unassigned":
        items = [i for i in items if not i.get("link_worker")]
    keep = {
        k: v
        for k, v in (
            ("view", view),
            ("status", status),
            ("overdue", overdue),
            ("urgency", urgency),
            ("safeguarding", safeguarding),
            ("q", search),
            ("sort", sort),
        )
        if v
    }
    return pages.render(
        request,
        "caseload.html",
        user=user,
        title="Caseload",
        column="full",
        items=items,
        next_cursor=page.get("next_cursor"),
        filters=keep,
        view=view,
        states=STATES,
        urgencies=URGENCIES,
        sorts=SORTS,
        flash=_take_flash(session),
    )


# --- new referral ---------------------------------------------------------------------------------------


def _new_referral_context(form: dict[str, Any], errors: FormErrors, duplicate: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "title": "New referral",
        "form": form,
        "needs": list(NeedCategory),
        "sources": list(ReferralSource),
        "sexes": list(Sex),
        "duplicates": duplicate,
        "back": "/caseload",
        **errors.context(),
    }


@router.get("/referrals/new")
async def new_referral(request: Request, user: SignedIn, pages: Render) -> Response:
    _require_case_access(user)
    return pages.render(request, "new_referral.html", user=user, **_new_referral_context({}, FormErrors(), []))


@router.post("/referrals/new", dependencies=[CsrfChecked])
async def create_referral(request: Request, user: SignedIn, upstream: Upstream, pages: Render) -> Response:
    _require_case_access(user)
    form = await request.form()
    values = _as_entered(form)
    values["needs"] = choices(form, "needs")
    errors = FormErrors()
    given, family, birth = _person_checked(form, errors)
    nhs_number = normalise_nhs_number(text(form, "nhs_number"))
    if not nhs_number:
        errors.add("nhs_number", "Enter the person's NHS number")
    elif not is_valid_nhs_number(nhs_number):
        errors.add("nhs_number", "Enter a valid NHS number: 10 digits, like 485 777 3456")
    if not values["needs"]:
        errors.add("needs", "Select at least one need")
    if text(form, "source") not in {s.value for s in ReferralSource}:
        errors.add("source", "Select where the referral came from")
    if text(form, "consent") != "yes":
        errors.add("consent", "Confirm the person agreed to be referred")
    if errors:
        return pages.render(request, "new_referral.html", 400, user=user, **_new_referral_context(values, errors, []))
    assert birth is not None
    if text(form, "duplicate_checked") != "yes":
        duplicates = await _duplicates(upstream, user, nhs_number, given, family, birth, text(form, "postcode"))
        if duplicates:
            return pages.render(
                request, "new_referral.html", 200, user=user, **_new_referral_context(values, errors, duplicates)
            )
    body = {
        "person": {
            "given_name": given,
            "family_name": family,
            "nhs_number": nhs_number,
            "date_of_birth": birth.isoformat(),
            "sex": text(form, "sex"),
            # No ethnic_category: the form does not ask, so the contract's default (not known) applies, not
            # "not stated", which would say the person was asked and chose not to say.
            "postcode": text(form, "postcode") or None,
            "phone": text(form, "phone") or None,
        },
        "needs": values["needs"],
        "reason": text(form, "reason") or None,
        "source": text(form, "source"),
        "referrer_organisation": user.organisation or user.pcn or "UNKNOWN",
        "urgency": Urgency.URGENT.value if text(form, "urgent") == "yes" else Urgency.ROUTINE.value,
        "safeguarding_concern": text(form, "safeguarding") == "yes",
        "consent_to_refer": True,
    }
    try:
        created = await upstream.post(user.token, "referral", "/referrals", body)
    except UpstreamError as error:
        upstream_errors(
            error,
            {
                "person.nhs_number": ("nhs_number", "Enter a valid NHS number"),
                **{f"person.{api_field}": problem for api_field, problem in _PERSON_PROBLEMS.items()},
                "person": ("phone", "Enter a phone number, so the link worker can reach the person"),
                "reason": ("reason", "Reason must be 2000 characters or fewer"),
            },
            errors,
        )
        return pages.render(request, "new_referral.html", 400, user=user, **_new_referral_context(values, errors, []))
    request.state.session.set("flash", "Referral made")
    return _see(created["id"])


async def _duplicates(
    upstream: Upstream, user: User, nhs_number: str, given: str, family: str, birth: date, postcode: str
) -> list[dict[str, Any]]:
    """Open referrals in the PCN that may be the same person (the referral service decides and audits)."""
    try:
        found = await upstream.post(
            user.token,
            "referral",
            "/referrals/duplicates",
            {
                "nhs_number": nhs_number,
                "given_name": given,
                "family_name": family,
                "date_of_birth": birth.isoformat(),
                "postcode": postcode or None,
            },
        )
    except UpstreamError as error:
        if error.status in (404, 405):  # an older referral service without the check: carry on
            return []
        raise
    matches: list[dict[str, Any]] = found.get("matches", [])
    return matches


# --- referral record ------------------------------------------------------------------------------------


async def _referral(upstream: Upstream, user: User, referral_id: UUID) -> dict[str, Any]:
    _require_case_access(user)
    found: dict[str, Any] = await upstream.get(user.token, "referral", f"/referrals/{referral_id}")
    return found


# A form page's context from the referral, the errors and what was entered (empty on first showing).
CaseContext = Callable[[dict[str, Any], FormErrors, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class _Case:
    """A request about one referral's record: read it, show a form page (again with errors: 400), send a step
    to the referral API, and redirect to the record with a confirmation."""

    request: Request
    referral_id: UUID
    user: User
    upstream: Services
    pages: Pages

    async def referral(self) -> dict[str, Any]:
        return await _referral(self.upstream, self.user, self.referral_id)

    def page(self, template: str, context: dict[str, Any], errors: FormErrors) -> Response:
        return self.pages.render(self.request, template, 400 if errors else 200, user=self.user, **context)

    async def show(
        self, template: str, context: CaseContext, errors: FormErrors | None = None, form: dict[str, Any] | None = None
    ) -> Response:
        errors = errors or FormErrors()
        return self.page(template, context(await self.referral(), errors, form or {}), errors)

    async def send(self, step: str, body: dict[str, Any]) -> Any:
        return await self.upstream.post(self.user.token, "referral", f"/referrals/{self.referral_id}/{step}", body)

    def done(self, flash: str) -> RedirectResponse:
        _flash(self.request.state.session, flash)
        return _see(self.referral_id)


def _case(request: Request, referral_id: UUID, user: SignedIn, upstream: Upstream, pages: Render) -> _Case:
    return _Case(request, referral_id, user, upstream, pages)


Case = Annotated[_Case, Depends(_case)]


@router.get("/referrals/{referral_id}")
async def referral_record(
    request: Request, referral_id: UUID, user: SignedIn, upstream: Upstream, pages: Render, session: CurrentSession
) -> Response:
    # Both reads at once: the page waits for the slower, not the sum.
    referral, timeline = await asyncio.gather(
        _referral(upstream, user, referral_id),
        upstream.get(user.token, "referral", f"/referrals/{referral_id}/timeline"),
    )
    assessment = referral.get("assessment") or {}
    baseline = [measures.summary(m) for m in assessment.get("baseline_measures", [])]
    context = _record_context(referral, timeline, baseline)
    return pages.render(request, "referral.html", user=user, **context, flash=_take_flash(session))


def _record_context(referral: dict[str, Any], timeline: list[Any], baseline: list[Any]) -> dict[str, Any]:
    """The referral record page: the person's name as its title, the record, its history newest first."""
    return {
        "title": f"{referral['person']['given_name']} {referral['person']['family_name']}",
        "column": "full",
        "referral": referral,
        "timeline": list(reversed(timeline)),
        "baseline": baseline,
        "back": "/caseload",
    }


@router.post("/referrals/{referral_id}/accept", dependencies=[CsrfChecked])
async def accept(case: Case) -> Response:
    _require_case_access(case.user)
    await case.send("accept", {})
    return case.done("Referral accepted and allocated to you")


@router.post("/referrals/{referral_id}/reassign", dependencies=[CsrfChecked])
async def reassign(case: Case) -> Response:
    """A link worker takes the referral over; a PCN manager names the link worker (their staff id)."""
    form = await case.request.form()
    body: dict[str, str] = {}
    if case.user.role is Role.PCN_ADMIN:
        body["link_worker"] = text(form, "link_worker")
    try:
        await case.send("reassign", body)
    except UpstreamError as error:
        if error.status not in (409, 422):
            raise
        referral = await case.referral()
        timeline = await case.upstream.get(case.user.token, "referral", f"/referrals/{case.referral_id}/timeline")
        errors = FormErrors()
        errors.add("link_worker", "Enter the staff id of a link worker other than the one allocated")
        return case.page("referral.html", {**_record_context(referral, timeline, []), **errors.context()}, errors)
    return case.done("Referral reassigned")


@dataclass(frozen=True)
class ReasonForm:
    """An action on the record that needs only a reason (reject, hold, entered in error): one page each."""

    action: str  # the console's and the referral API's path segment
    heading: str
    label: str
    hint: str
    button: str
    missing: str  # the error when no reason is given
    done: str  # the flash after it is done
    explain: str = ""
    warning: bool = False


REASON_FORMS = {
    form.action: form
    for form in (
        ReasonForm(
            "reject",
            "Reject referral",
            "Why is the referral rejected?",
            "The referrer will see this reason",
            "Reject referral",
            "Enter why the referral is rejected (1000 characters or fewer)",
            "Referral rejected",
            warning=True,
        ),
        ReasonForm(
            "hold",
            "Put referral on hold",
            "Why is the referral on hold?",
            "For example, the person is in hospital or asked to wait. No follow-up falls due while it is on hold",
            "Put on hold",
            "Enter why the referral is on hold (1000 characters or fewer)",
            "Referral put on hold",
        ),
        ReasonForm(
            "entered-in-error",
            "Mark as entered in error",
            "What was the error?",
            "For example, the wrong person or a duplicate referral",
            "Mark as entered in error",
            "Enter what the error was (1000 characters or fewer)",
            "Referral marked as entered in error",
            explain="The referral will be closed and left out of every outcomes figure. This cannot be undone.",
            warning=True,
        ),
    )
}


def _reason_routes(form: ReasonForm) -> None:
    """The form's page and its POST, at /referrals/{id}/<action> (one route each, not a catch-all path that
    would shadow the record's other pages)."""

    def context(referral: dict[str, Any], errors: FormErrors, _: dict[str, Any]) -> dict[str, Any]:
        # `form` here is the page's ReasonForm: the reason typed is not shown again.
        return _case_context(form.heading, referral, errors, form=form)

    async def page(case: Case) -> Response:
        return await case.show("reason.html", context)

    async def post(case: Case) -> Response:
        reason = text(await case.request.form(), "reason")
        errors = FormErrors()
        if not reason or len(reason) > 1000:
            errors.add("reason", form.missing)
        else:
            try:
                await case.send(form.action, {"reason": reason})
            except UpstreamError as error:
                if error.status != 409:
                    raise
                # The referral changed meanwhile (someone else acted on it): say so by the field.
                errors.add("reason", f"The referral no longer allows this: {error.detail}")
        if errors:
            return await case.show("reason.html", context, errors)
        return case.done(form.done)

    path = f"/referrals/{{referral_id}}/{form.action}"
    router.add_api_route(path, page, methods=["GET"])
    router.add_api_route(path, post, methods=["POST"], dependencies=[CsrfChecked])


for _form in REASON_FORMS.values():
    _reason_routes(_form)


@router.post("/referrals/{referral_id}/resume", dependencies=[CsrfChecked])
async def resume(case: Case) -> Response:
    _require_case_access(case.user)
    await case.send("resume", {})
    return case.done("Referral resumed")


# --- person details -------------------------------------------------------------------------------------

# The fields the referral API's PUT /referrals/{id}/person takes (the contract's person); the page changes some
# and keeps the rest.
_PERSON_FIELDS = tuple(PersonDetails.model_fields)
# The longest first or last name (both are the contract's PersonName), for the error when a name is too long.
_NAME_MAX_LENGTH = next(
    rule.max_length for rule in PersonDetails.model_fields["given_name"].metadata if hasattr(rule, "max_length")
)


def _person_form(person: dict[str, Any]) -> dict[str, Any]:
    born = date.fromisoformat(person["date_of_birth"])
    return {
        "given_name": person["given_name"],
        "family_name": person["family_name"],
        "dob-day": str(born.day),
        "dob-month": str(born.month),
        "dob-year": str(born.year),
        "sex": person["sex"],
        "postcode": person.get("postcode") or "",
        "phone": person.get("phone") or "",
        "interpreter": "yes" if person.get("interpreter_needed") else "",
    }


def _person_context(referral: dict[str, Any], errors: FormErrors, form: dict[str, Any]) -> dict[str, Any]:
    return _case_context("Change person details", referral, errors, form=form, sexes=list(Sex))


@router.get("/referrals/{referral_id}/person")
async def person_page(case: Case) -> Response:
    referral = await case.referral()
    return case.page(
        "person.html", _person_context(referral, FormErrors(), _person_form(referral["person"])), FormErrors()
    )


@router.post("/referrals/{referral_id}/person", dependencies=[CsrfChecked])
async def change_person(case: Case) -> Response:
    referral = await case.referral()
    form = await case.request.form()
    values = _as_entered(form)
    errors = FormErrors()
    given, family, birth = _person_checked(form, errors)
    if errors:
        return case.page("person.html", _person_context(referral, errors, values), errors)
    assert birth is not None
    person = {k: referral["person"][k] for k in _PERSON_FIELDS}
    person.update(
        given_name=given,
        family_name=family,
        date_of_birth=birth.isoformat(),
        sex=text(form, "sex"),
        postcode=text(form, "postcode") or None,
        phone=text(form, "phone") or None,
        interpreter_needed=text(form, "interpreter") == "yes",
    )
    try:
        updated = await case.upstream.put(case.user.token, "referral", f"/referrals/{case.referral_id}/person", person)
    except UpstreamError as error:
        upstream_errors(
            error,
            {
                "given_name": ("given_name", f"Enter a first name of {_NAME_MAX_LENGTH} characters or fewer"),
                "family_name": ("family_name", f"Enter a last name of {_NAME_MAX_LENGTH} characters or fewer"),
                **_PERSON_PROBLEMS,
            },
            errors,
            statuses=(409, 422),
        )
        return case.page("person.html", _person_context(referral, errors, values), errors)
    suggest_again = updated["version"] > referral["version"]
    return case.done("Person details saved. New suggestions will follow" if suggest_again else "Person details saved")


# --- contacts -------------------------------------------------------------------------------------------


def _contact_context(referral: dict[str, Any], errors: FormErrors, form: dict[str, Any]) -> dict[str, Any]:
    return _case_context(
        "Log a contact",
        referral,
        errors,
        kinds=list(ContactKind),
        modes=list(DeliveryMode),
        outcomes=list(ContactOutcome),
        form=form,
    )


@router.get("/referrals/{referral_id}/contacts")
async def contacts(case: Case) -> Response:
    return await case.show("contacts.html", _contact_context)


def _contact_body(form: Any, errors: FormErrors) -> dict[str, Any]:
    kind = text(form, "kind")
    if kind not in {k.value for k in ContactKind}:
        errors.add("kind", "Select the kind of contact")
    body: dict[str, Any] = {"kind": kind, **_contact_fields(form, errors)}
    minutes = text(form, "duration")
    if minutes and not (minutes.isdigit() and int(minutes) <= 600):
        errors.add("duration", "Duration must be a whole number of minutes, 600 or fewer")
    if minutes.isdigit():
        body["duration_minutes"] = int(minutes)
    return body


@router.post("/referrals/{referral_id}/contacts", dependencies=[CsrfChecked])
async def log_contact(case: Case) -> Response:
    form = await case.request.form()
    errors = FormErrors()
    body = _contact_body(form, errors)
    if errors:
        return await case.show("contacts.html", _contact_context, errors, _as_entered(form))
    await case.send("contacts", body)
    return case.done("Contact logged")


# --- what matters to me ----------------------------------------------------------------------------------


def _measure_answers(form: Any, errors: FormErrors, *, required: bool) -> list[dict[str, Any]]:
    """Each measure with any answer given must be answered in full; at least one when `required`."""
    results = []
    for key, measure in measures.MEASURES.items():
        answers = [text(form, f"{key}-{i}") for i in range(len(measure.questions))]
        if not any(answers):
            continue
        allowed = {str(value) for value, _ in measure.answers}
        for i, answer in enumerate(answers):
            if answer not in allowed:
                errors.add(f"{key}-{i}", f"Answer question {i + 1} of {measure.name.value}")
        if all(a in allowed for a in answers):
            results.append({"measure": measure.name.value, "items": [int(a) for a in answers]})
    if required and not results and not errors:
        first_question = f"{next(iter(measures.MEASURES))}-0"
        errors.add(first_question, f"Answer at least one wellbeing measure ({measures.MEASURE_LABELS}) as a baseline")
    return results


def _what_matters_context(referral: dict[str, Any], errors: FormErrors, form: dict[str, Any]) -> dict[str, Any]:
    return _case_context(
        "What matters to me", referral, errors, needs=list(NeedCategory), measures=measures.MEASURES, form=form
    )


@router.get("/referrals/{referral_id}/what-matters")
async def what_matters(case: Case) -> Response:
    referral = await case.referral()
    form = {"needs": referral.get("needs", [])}
    return case.page("what_matters.html", _what_matters_context(referral, FormErrors(), form), FormErrors())


@router.post("/referrals/{referral_id}/what-matters", dependencies=[CsrfChecked])
async def record_what_matters(case: Case) -> Response:
    form = await case.request.form()
    errors = FormErrors()
    needs = choices(form, "needs")
    if not needs:
        errors.add("needs", "Select at least one need")
    results = _measure_answers(form, errors, required=True)
    if errors:
        values = _as_entered(form)
        values["needs"] = needs
        return await case.show("what_matters.html", _what_matters_context, errors, values)
    body = {
        "needs": needs,
        "baseline_measures": results,
        "what_matters": text(form, "what_matters") or None,
        "strengths": _lines(text(form, "strengths"), 20),
    }
    await case.send("assessment", body)
    return case.done("What matters to me recorded, with the baseline measures")


# --- plan -----------------------------------------------------------------------------------------------


@router.get("/referrals/{referral_id}/plan")
async def plan(
    request: Request,
    referral_id: UUID,
    user: SignedIn,
    upstream: Upstream,
    pages: Render,
    explore: Annotated[str | None, Query(max_length=3)] = None,
    mode: Annotated[list[str] | None, Query(max_length=3)] = None,
    max_km: Annotated[str | None, Query(max_length=6)] = None,
    max_cost: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    referral = await _referral(upstream, user, referral_id)
    context = await _plan_context(upstream, user, referral, FormErrors(), {})
    if explore == "yes":
        filters = {"mode": mode or [], "max_km": max_km or "", "max_cost": max_cost or ""}
        context["explore"] = filters
        context["explored"], explore_errors = await _explore(upstream, user, referral_id, filters)
        context.update({k: v for k, v in explore_errors.context().items() if explore_errors})
    return pages.render(request, "plan.html", user=user, **context)


async def _explore(
    upstream: Upstream, user: User, referral_id: UUID, filters: dict[str, Any]
) -> tuple[list[dict[str, Any]], FormErrors]:
    """Other options through matching's /match, starting from the referral's own person and preferences, with
    the link worker's filters on top."""
    errors = FormErrors()
    body: dict[str, Any] = {"referral_id": str(referral_id), "options_per_need": 5, "limit": 20}
    modes = [m for m in filters["mode"] if m in {d.value for d in DeliveryMode}]
    if modes:
        body["delivery_modes"] = modes
    if filters["max_km"]:
        try:
            km = float(filters["max_km"])
            if not 0 < km <= 200:
                raise ValueError
            body["max_distance_km"] = km
        except ValueError:
            errors.add("max_km", "Distance must be a number of kilometres from 1 to 200")
    if filters["max_cost"]:
        try:
            pounds = float(filters["max_cost"])
            if pounds < 0:
                raise ValueError
            body["max_cost_pence"] = round(pounds * 100)
        except ValueError:
            errors.add("max_cost", "Cost must be an amount in pounds, like 3 or 2.50")
    if errors:
        return [], errors
    try:
        answer = await upstream.post(user.token, "matching", "/match", body)
    except UpstreamError as error:
        if error.status not in (404, 422):
            raise
        errors.add("max_km", "Matching has not seen this referral yet. Try again in a moment.")
        return [], errors
    needs: list[dict[str, Any]] = answer.get("needs", [])
    return needs, errors


async def _plan_context(
    upstream: Upstream, user: User, referral: dict[str, Any], errors: FormErrors, form: dict[str, Any]
) -> dict[str, Any]:
    try:
        suggested = await upstream.get(user.token, "referral", f"/referrals/{referral['id']}/suggestions")
    except UpstreamError as error:
        if error.status != 404:
            raise
        suggested = {"needs": []}
    return _case_context(
        "Plan",
        referral,
        errors,
        column="full",
        suggested=suggested.get("needs", []),
        form=form,
        follow_up_default=(date.today() + timedelta(weeks=6)),
        share_details=SHARE_DETAILS,
        share_routes=SHARE_ROUTES,
    )


# What the person may agree to share with a provider besides a contact route (the contract's SharedDetails and
# the referral API's share), with the words the plan asks in.
SHARE_DETAILS = {
    "first_name": "Their first name",
    "needs": "What they would like help with",
    "accessibility_needs": "Their accessibility needs",
}
# How a provider may contact the person, with the words the plan offers them in; the first is the default.
SHARE_ROUTES = {
    SharedContactRoute.VIA_LINK_WORKER.value: "Through me",
    SharedContactRoute.PHONE.value: "By phone",
    SharedContactRoute.EMAIL.value: "By email",
}


def _sharing(form: Any, service_id: str) -> dict[str, Any]:
    """What the person agreed to share with this activity's provider; nothing unless ticked."""
    ticked = set(choices(form, f"share-{service_id}"))
    route = text(form, f"contact-{service_id}")
    return {
        **{detail: detail in ticked for detail in SHARE_DETAILS},
        "contact": route if route in SHARE_ROUTES else SharedContactRoute.VIA_LINK_WORKER.value,
    }


def _plan_entered(form: Any, chosen: list[str]) -> dict[str, Any]:
    values = _as_entered(form)
    values["option"] = chosen
    for key in {k for k in form if k.startswith("share-")}:
        values[key] = choices(form, key)
    return values


async def _plan_again(case: _Case, errors: FormErrors, form: Any, chosen: list[str]) -> Response:
    """The plan page again (400) with the errors and what was entered."""
    referral = await case.referral()
    context = await _plan_context(case.upstream, case.user, referral, errors, _plan_entered(form, chosen))
    return case.page("plan.html", context, errors)


@router.post("/referrals/{referral_id}/plan", dependencies=[CsrfChecked])
async def agree_plan(case: Case) -> Response:
    form = await case.request.form()
    errors = FormErrors()
    goals = _lines(text(form, "goals"), 10)
    if not goals:
        errors.add("goals", "Enter at least one goal, in the person's own words")
    chosen = choices(form, "option")  # "need|service_id|name"
    activities: list[dict[str, Any]] = []
    for value in chosen[:20]:
        need, _, rest = value.partition("|")
        service_id, _, name = rest.partition("|")
        activities.append(
            {"service_id": service_id, "need": need, "name": name[:300] or None, "share": _sharing(form, service_id)}
        )
    follow_up = date_field(form, "follow-up", errors, "the follow-up date")
    if follow_up is not None and not date.today() < follow_up <= date.today() + timedelta(days=730):
        errors.add("follow-up-day", "The follow-up date must be in the future and within 2 years")
    if errors:
        return await _plan_again(case, errors, form, chosen)
    assert follow_up is not None
    needs = sorted({str(a["need"]) for a in activities}) or [n for n in choices(form, "needs_addressed")]
    if not needs:
        referral = await case.referral()
        needs = list((referral.get("assessment") or {}).get("needs") or referral["needs"])
    body = {
        "goals": goals,
        "needs_addressed": needs,
        "activities": activities,
        "follow_ups": [{"due_on": follow_up.isoformat()}],
    }
    try:
        await case.send("plan", body)
    except UpstreamError as error:
        upstream_errors(
            error,
            {
                "goals": ("goals", "Check the goals"),
                "follow_ups": ("follow-up-day", "Check the follow-up date"),
                "activities": ("option-1", "Check what may be shared: a phone or email route needs one on record"),
            },
            errors,
            statuses=(409, 422),
        )
        return await _plan_again(case, errors, form, chosen)
    return case.done("Plan agreed")


# --- follow-up ------------------------------------------------------------------------------------------


def _follow_up_context(referral: dict[str, Any], errors: FormErrors, form: dict[str, Any]) -> dict[str, Any]:
    return _case_context(
        "Record a follow-up",
        referral,
        errors,
        modes=list(DeliveryMode),
        outcomes=list(ContactOutcome),
        attendance=list(AttendanceStatus),
        activities=(referral.get("plan") or {}).get("activities", []),
        measures=measures.MEASURES,
        form=form,
    )


@router.get("/referrals/{referral_id}/follow-up")
async def follow_up(case: Case) -> Response:
    return await case.show("follow_up.html", _follow_up_context)


@router.post("/referrals/{referral_id}/follow-up", dependencies=[CsrfChecked])
async def record_follow_up(case: Case) -> Response:
    form = await case.request.form()
    errors = FormErrors()
    contact = _contact_fields(form, errors)
    results = _measure_answers(form, errors, required=False)
    referral = await case.referral()
    if errors:
        return case.page("follow_up.html", _follow_up_context(referral, errors, _as_entered(form)), errors)
    attendance = []
    for activity in (referral.get("plan") or {}).get("activities", []):
        status = text(form, f"attendance-{activity['service_id']}")
        if status in {a.value for a in AttendanceStatus}:
            attendance.append(
                {"service_id": activity["service_id"], "status": status, "confirmed_by": ConfirmedBy.PERSON.value}
            )
    pending = referral.get("pending_follow_ups") or []
    body: dict[str, Any] = {**contact, "attendance": attendance, "measures": results}
    if pending:
        body["follow_up_id"] = pending[0]["id"]
    await case.send("follow-ups", body)
    return case.done("Follow-up recorded")


# --- closure --------------------------------------------------------------------------------------------


def _latest_measures(referral: dict[str, Any]) -> list[dict[str, Any]]:
    latest: list[dict[str, Any]] = []
    for contact in referral.get("contacts", []):
        latest.extend(contact.get("measures") or [])
    return latest


def _close_context(referral: dict[str, Any], errors: FormErrors, _: dict[str, Any]) -> dict[str, Any]:
    # What was entered is not shown again: a reason is chosen again from the list.
    baseline = (referral.get("assessment") or {}).get("baseline_measures", [])
    return _case_context(
        "Close referral",
        referral,
        errors,
        reasons=list(ClosureReason),
        changes=measures.changes(baseline, _latest_measures(referral)),
    )


@router.get("/referrals/{referral_id}/close")
async def close_page(case: Case) -> Response:
    return await case.show("close.html", _close_context)


@router.post("/referrals/{referral_id}/close", dependencies=[CsrfChecked])
async def close(case: Case) -> Response:
    form = await case.request.form()
    reason = text(form, "reason")
    if reason not in {r.value for r in ClosureReason}:
        errors = FormErrors()
        errors.add("reason", "Select why the referral is closing")
        return await case.show("close.html", _close_context, errors)
    await case.send("close", {"reason": reason, "notes": text(form, "notes") or None})
    return case.done("Referral closed")
