"""The directory curator's pages (issue 18): find a service, edit it one part per page, the review queue with
verify and withdraw, each service's history, imports with their progress and report, and duplicates across
imported directories with merge.

Every edit names the version it was made to: the page carries the ETag the directory gave when it was
opened, and the change goes as a JSON merge patch with that ETag in If-Match. When someone else saved the
service in between, the directory refuses it (412) and the page says so, keeping what the curator typed;
nothing is overwritten.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from linkwork_contracts.codes import (
    MAX_PLAUSIBLE_AGE,
    Accessibility,
    CostUnit,
    DayOfWeek,
    DeliveryMode,
    EligibilityCode,
    NeedCategory,
)
from linkwork_contracts.codes.eligibility import ELIGIBILITY_TAXONOMY_NAME
from linkwork_contracts.codes.needs import NEEDS_TAXONOMY_NAME
from linkwork_runtime.principal import Role
from starlette.datastructures import FormData, UploadFile

from linkwork_console.adapters.services import UpstreamError
from linkwork_console.web.deps import CsrfChecked, CurrentSession, Pages, Render, SignedIn, Upstream, User
from linkwork_console.web.filters import words
from linkwork_console.web.forms import FormErrors, choices, text
from linkwork_console.web.forms import flash as _flash
from linkwork_console.web.forms import take_flash as _take_flash

router = APIRouter(include_in_schema=False)

STATUSES = [("active", "Active"), ("temporarily closed", "Temporarily closed"), ("inactive", "No longer offered")]
DAYS = [
    (DayOfWeek.MO.value, "Monday"),
    (DayOfWeek.TU.value, "Tuesday"),
    (DayOfWeek.WE.value, "Wednesday"),
    (DayOfWeek.TH.value, "Thursday"),
    (DayOfWeek.FR.value, "Friday"),
    (DayOfWeek.SA.value, "Saturday"),
    (DayOfWeek.SU.value, "Sunday"),
]
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}$")
_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")
_STALE = (
    "Someone else changed this service after you opened this page. Your changes have not been saved. "
    "Open the latest version and make your changes again."
)


def _codes(values: Any) -> list[tuple[str, str]]:
    return [(v.value, words(v)) for v in values]


def _require_curator(user: User) -> None:
    if user.role is not Role.CURATOR:
        raise UpstreamError(403, "Forbidden", "directory curation is for curators")


def _none_if_empty(value: str) -> str | None:
    return value or None


def _page_home(service_id: UUID) -> RedirectResponse:
    return RedirectResponse(f"/directory/services/{service_id}", status_code=303)


async def _read(upstream: Upstream, user: User, service_id: UUID) -> tuple[dict[str, Any], str]:
    """The service as it is now, and the version tag a change to it must name. A service merged into another
    answers with the one that stayed (the directory's 301): every page then works on that one."""
    response = await upstream.call(user.token, "directory", "GET", f"/services/{service_id}")
    if response.status_code == 301:
        response = await upstream.call(user.token, "directory", "GET", response.headers["Location"])
    return response.json(), response.headers.get("ETag", "")


# --- the editor's parts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "input"  # input, textarea, radios, checkboxes
    hint: str | None = None
    items: list[tuple[str, str]] = field(default_factory=list)
    width: int | None = None
    inputmode: str | None = None


Reader = Callable[[dict[str, Any]], dict[str, Any]]
Patcher = Callable[[FormData, dict[str, Any], FormErrors], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    fields: list[Field]
    read: Reader
    patch: Patcher
    summary: Callable[[dict[str, Any]], str]
    # Fields that depend on the service itself (its terms in other taxonomies).
    more_fields: Callable[[dict[str, Any]], list[Field]] = lambda _: []

    def fields_for(self, service: dict[str, Any]) -> list[Field]:
        return [*self.fields, *self.more_fields(service)]


def _first_location(service: dict[str, Any]) -> dict[str, Any]:
    for sal in service.get("service_at_locations") or []:
        if sal.get("location"):
            return dict(sal["location"])
    return {}


def _first(items: list[dict[str, Any]] | None) -> dict[str, Any]:
    return dict(items[0]) if items else {}


def _sp(service: dict[str, Any]) -> dict[str, Any]:
    return dict(service.get("social_prescribing") or {})


# Details ----------------------------------------------------------------------------------------------


def _read_details(s: dict[str, Any]) -> dict[str, Any]:
    return {k: s.get(k, "") for k in ("name", "description", "url", "email", "status")}


def _patch_details(form: FormData, s: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    name, status, url, email = text(form, "name"), text(form, "status"), text(form, "url"), text(form, "email")
    if not name:
        errors.add("name", "Enter the service's name")
    if url and not url.startswith(("http://", "https://")):
        errors.add("url", "Enter a website address starting with https:// or http://")
    if email and "@" not in email:
        errors.add("email", "Enter an email address in the correct format, like name@example.org")
    if status not in {value for value, _ in STATUSES} | {"defunct"}:
        errors.add("status", "Select whether the service is running")
    return {
        "name": name,
        "description": _none_if_empty(text(form, "description")),
        "url": _none_if_empty(url),
        "email": _none_if_empty(email),
        "status": status,
    }


# Organisation -------------------------------------------------------------------------------------------


def _read_organisation(s: dict[str, Any]) -> dict[str, Any]:
    org = s.get("organization") or {}
    return {
        "org_name": org.get("name", ""),
        "org_description": org.get("description", ""),
        "org_website": org.get("website", ""),
        "org_email": org.get("email", ""),
    }


def _patch_organisation(form: FormData, s: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    name, website = text(form, "org_name"), text(form, "org_website")
    if not name:
        errors.add("org_name", "Enter the name of the organisation that runs the service")
    if website and not website.startswith(("http://", "https://")):
        errors.add("org_website", "Enter a website address starting with https:// or http://")
    org = s.get("organization") or {}
    return {
        "organization": {
            "id": org.get("id") or str(uuid.uuid4()),
            "name": name,
            "description": text(form, "org_description") or name,
            "website": _none_if_empty(website),
            "email": _none_if_empty(text(form, "org_email")),
        }
    }


# Location ---------------------------------------------------------------------------------------------


def _read_location(s: dict[str, Any]) -> dict[str, Any]:
    location = _first_location(s)
    address = _first(location.get("addresses"))
    return {
        "location_name": location.get("name", ""),
        "address_1": address.get("address_1", ""),
        "city": address.get("city", ""),
        "postal_code": address.get("postal_code", ""),
    }


def _with_first_location(s: dict[str, Any], change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """The service's locations with the first one changed (or a new one, when it has none)."""
    sals = [dict(sal) for sal in s.get("service_at_locations") or []]
    for sal in sals:
        if sal.get("location"):
            sal["location"] = change(dict(sal["location"]))
            return {"service_at_locations": sals}
    new = change({"id": str(uuid.uuid4()), "location_type": "physical"})
    return {"service_at_locations": [*sals, {"id": str(uuid.uuid4()), "location": new}]}


def _patch_location(form: FormData, s: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    address_1, city, postcode = text(form, "address_1"), text(form, "city"), text(form, "postal_code").upper()
    if not address_1:
        errors.add("address_1", "Enter the first line of the address")
    if not city:
        errors.add("city", "Enter the town or city")
    if not _POSTCODE.match(postcode):
        errors.add("postal_code", "Enter a real postcode, like LS6 1AB")

    def change(location: dict[str, Any]) -> dict[str, Any]:
        address = _first(location.get("addresses")) or {
            "id": str(uuid.uuid4()),
            "state_province": "",
            "country": "GB",
            "address_type": "physical",
        }
        address.update({"address_1": address_1, "city": city, "postal_code": postcode})
        # Coordinates belong to the old address; the directory finds the new one's from its postcode.
        location = {k: v for k, v in location.items() if k not in ("latitude", "longitude")}
        return {**location, "name": _none_if_empty(text(form, "location_name")), "addresses": [address]}

    return _with_first_location(s, change)


# Schedule ---------------------------------------------------------------------------------------------


def _read_schedule(s: dict[str, Any]) -> dict[str, Any]:
    schedule = _first(s.get("schedules"))
    return {
        "days": [d for d in (schedule.get("byday") or "").split(",") if d],
        "opens_at": (schedule.get("opens_at") or "")[:5],
        "closes_at": (schedule.get("closes_at") or "")[:5],
        "schedule_description": schedule.get("description", ""),
    }


def _time(form: FormData, name: str, label: str, errors: FormErrors) -> str | None:
    value = text(form, name)
    match = _TIME.match(value)
    if not match:
        errors.add(name, f"Enter the time it {label} as hours and minutes, like 10:30")
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}:00"


def _patch_schedule(form: FormData, s: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    days = [d for d in choices(form, "days") if d in dict(DAYS)]
    if not days:
        errors.add("days", "Select the days it runs")
    opens, closes = _time(form, "opens_at", "starts", errors), _time(form, "closes_at", "ends", errors)
    if opens and closes and closes <= opens:
        errors.add("closes_at", "The end time must be after the start time")
    schedule = _first(s.get("schedules")) or {"id": str(uuid.uuid4())}
    schedule.update(
        {
            "freq": "WEEKLY",
            "byday": ",".join(days),
            "opens_at": opens,
            "closes_at": closes,
            "description": _none_if_empty(text(form, "schedule_description")),
        }
    )
    return {"schedules": [schedule, *(s.get("schedules") or [])[1:]]}


# Costs ------------------------------------------------------------------------------------------------


def _read_costs(s: dict[str, Any]) -> dict[str, Any]:
    cost = _first(s.get("cost_options"))
    if not cost:
        return {"charge": ""}
    amount = cost.get("amount")
    return {
        "charge": "free" if not amount else "paid",
        "amount": "" if not amount else f"{amount:.2f}",
        "unit": cost.get("unit", ""),
        "amount_description": cost.get("amount_description", ""),
    }


def _patch_costs(form: FormData, s: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    charge = text(form, "charge")
    cost = _first(s.get("cost_options")) or {"id": str(uuid.uuid4())}
    if charge == "free":
        cost.update({"option": "Free", "amount": 0, "unit": None, "amount_description": None})
        return {"cost_options": [cost]}
    if charge != "paid":
        errors.add("charge", "Select whether people pay")
        return {}
    raw = text(form, "amount").lstrip("£")
    try:
        amount = round(float(raw), 2)
        if not 0 < amount <= 10_000:
            raise ValueError(raw)
    except ValueError:
        errors.add("amount", "Enter what it costs in pounds, like 3.50")
        amount = 0
    unit = text(form, "unit")
    if unit not in {u.value for u in CostUnit}:
        errors.add("unit", "Select what the cost is for")
    description = text(form, "amount_description")
    cost.update({"option": "Paid", "amount": amount, "unit": unit, "amount_description": _none_if_empty(description)})
    return {"cost_options": [cost]}


# Eligibility ------------------------------------------------------------------------------------------


def _read_eligibility(s: dict[str, Any]) -> dict[str, Any]:
    sp = _sp(s)
    return {
        "minimum_age": str(s.get("minimum_age", "")),
        "maximum_age": str(s.get("maximum_age", "")),
        "eligibility": sp.get("eligibility", []),
        "eligibility_description": sp.get("eligibility_description", ""),
    }


def _age(form: FormData, name: str, label: str, errors: FormErrors) -> int | None:
    value = text(form, name)
    if not value:
        return None
    if not value.isdigit() or int(value) > MAX_PLAUSIBLE_AGE:
        errors.add(name, f"Enter the {label} age as a whole number of years, from 0 to {MAX_PLAUSIBLE_AGE}")
        return None
    return int(value)


def _patch_eligibility(form: FormData, s: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    low, high = _age(form, "minimum_age", "youngest", errors), _age(form, "maximum_age", "oldest", errors)
    if low is not None and high is not None and low > high:
        errors.add("maximum_age", "The oldest age must be the same as or above the youngest age")
    chosen = [c for c in choices(form, "eligibility") if c in {e.value for e in EligibilityCode}]
    return {
        "minimum_age": low,
        "maximum_age": high,
        "social_prescribing": {
            "eligibility": chosen,
            "eligibility_description": _none_if_empty(text(form, "eligibility_description")),
        },
    }


# Accessibility ----------------------------------------------------------------------------------------


def _read_accessibility(s: dict[str, Any]) -> dict[str, Any]:
    note = _first(_first_location(s).get("accessibility"))
    return {"accessibility": _sp(s).get("accessibility", []), "accessibility_note": note.get("description", "")}


def _patch_accessibility(form: FormData, s: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    chosen = [c for c in choices(form, "accessibility") if c in {a.value for a in Accessibility}]
    patch: dict[str, Any] = {"social_prescribing": {"accessibility": chosen}}
    note = text(form, "accessibility_note")
    if not _first_location(s):
        if note:
            errors.add("accessibility_note", "Add where the service happens before describing its venue")
        return patch

    def change(location: dict[str, Any]) -> dict[str, Any]:
        existing = _first(location.get("accessibility")) or {"id": str(uuid.uuid4())}
        existing["description"] = note
        return {**location, "accessibility": [existing] if note else []}

    return {**patch, **_with_first_location(s, change)}


# Taxonomy terms -----------------------------------------------------------------------------------------

# linkwork's own taxonomies are edited through their codes (needs here, eligibility and routes on their page).
_OWN_TAXONOMIES = {NEEDS_TAXONOMY_NAME, ELIGIBILITY_TAXONOMY_NAME}


def _other_terms(s: dict[str, Any]) -> list[dict[str, Any]]:
    """The service's classifications in other taxonomies (an imported directory's own, e.g. OpenEligibility)."""
    return [
        a for a in s.get("attributes") or [] if (a.get("taxonomy_term") or {}).get("taxonomy") not in _OWN_TAXONOMIES
    ]


def _term_items(s: dict[str, Any]) -> list[Field]:
    items = [
        (a["id"], f"{a['taxonomy_term'].get('name', '')} ({a['taxonomy_term'].get('taxonomy') or 'other taxonomy'})")
        for a in _other_terms(s)
        if a.get("taxonomy_term")
    ]
    if not items:
        return []
    hint = "Terms from other directories' taxonomies. Untick a term to remove it from this service."
    return [Field("keep_terms", "Other taxonomy terms", "checkboxes", hint=hint, items=items)]


def _read_categories(s: dict[str, Any]) -> dict[str, Any]:
    sp = _sp(s)
    return {
        "need_categories": sp.get("need_categories", []),
        "delivery_modes": sp.get("delivery_modes", []),
        "keep_terms": [a["id"] for a in _other_terms(s)],
    }


def _patch_categories(form: FormData, s: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    needs = [c for c in choices(form, "need_categories") if c in {n.value for n in NeedCategory}]
    modes = [c for c in choices(form, "delivery_modes") if c in {m.value for m in DeliveryMode}]
    if not needs:
        errors.add("need_categories", "Select at least one need the service helps with")
    if not modes:
        errors.add("delivery_modes", "Select how the service is delivered")
    patch: dict[str, Any] = {"social_prescribing": {"need_categories": needs, "delivery_modes": modes}}
    removed = {a["id"] for a in _other_terms(s)} - set(choices(form, "keep_terms"))
    if removed:
        patch["attributes"] = [a for a in s.get("attributes") or [] if a["id"] not in removed]
    return patch


def _join(values: list[str]) -> str:
    return ", ".join(words(v) for v in values) or "Not given"


SECTIONS: dict[str, Section] = {
    s.slug: s
    for s in [
        Section(
            "details",
            "Service details",
            [
                Field("name", "Name"),
                Field("description", "Description", "textarea"),
                Field("url", "Website", hint="For example, https://www.example.org/walks"),
                Field("email", "Email address"),
                Field("status", "Is the service running?", "radios", items=STATUSES),
            ],
            _read_details,
            _patch_details,
            lambda s: s.get("name", ""),
        ),
        Section(
            "organisation",
            "Organisation",
            [
                Field("org_name", "Organisation name"),
                Field("org_description", "About the organisation", "textarea"),
                Field("org_website", "Organisation website"),
                Field("org_email", "Organisation email address"),
            ],
            _read_organisation,
            _patch_organisation,
            lambda s: (s.get("organization") or {}).get("name", "Not given"),
        ),
        Section(
            "location",
            "Where it happens",
            [
                Field("location_name", "Venue name", hint="For example, Headingley Community Centre"),
                Field("address_1", "Address line 1"),
                Field("city", "Town or city", width=20),
                Field("postal_code", "Postcode", width=10),
            ],
            _read_location,
            _patch_location,
            lambda s: ", ".join(v for v in _read_location(s).values() if v) or "Not given",
        ),
        Section(
            "schedule",
            "When it runs",
            [
                Field("days", "Days", "checkboxes", items=DAYS),
                Field("opens_at", "Start time", hint="For example, 10:30", width=5, inputmode="numeric"),
                Field("closes_at", "End time", hint="For example, 12:00", width=5, inputmode="numeric"),
                Field("schedule_description", "Anything else about when it runs", "textarea"),
            ],
            _read_schedule,
            _patch_schedule,
            lambda s: (
                f"{', '.join(dict(DAYS).get(d, d) for d in _read_schedule(s)['days'])}"
                f" {_read_schedule(s)['opens_at']}-{_read_schedule(s)['closes_at']}"
                if _read_schedule(s)["days"]
                else "Not given"
            ),
        ),
        Section(
            "costs",
            "What it costs",
            [
                Field("charge", "Do people pay?", "radios", items=[("free", "No, it is free"), ("paid", "Yes")]),
                Field("amount", "Amount in pounds", hint="Only if people pay. For example, 3.50", width=5),
                Field("unit", "Charged per", "radios", items=_codes(CostUnit)),
                Field("amount_description", "Anything else about the cost", "textarea"),
            ],
            _read_costs,
            _patch_costs,
            lambda s: {"free": "Free", "paid": "Paid", "": "Not given"}[_read_costs(s)["charge"]],
        ),
        Section(
            "eligibility",
            "Who it is for",
            [
                Field("minimum_age", "Youngest age", width=3, inputmode="numeric"),
                Field("maximum_age", "Oldest age", width=3, inputmode="numeric"),
                Field(
                    "eligibility",
                    "Only for",
                    "checkboxes",
                    hint="Leave all empty if anyone can go",
                    items=_codes(EligibilityCode),
                ),
                Field("eligibility_description", "Who it is for, in the provider's words", "textarea"),
            ],
            _read_eligibility,
            _patch_eligibility,
            lambda s: _join(_sp(s).get("eligibility", [])) if _sp(s).get("eligibility") else "Anyone",
        ),
        Section(
            "accessibility",
            "Accessibility",
            [
                Field("accessibility", "Accessibility features", "checkboxes", items=_codes(Accessibility)),
                Field("accessibility_note", "About access to the venue", "textarea"),
            ],
            _read_accessibility,
            _patch_accessibility,
            lambda s: _join(_sp(s).get("accessibility", [])),
        ),
        Section(
            "categories",
            "Needs and delivery",
            [
                Field("need_categories", "Needs it helps with", "checkboxes", items=_codes(NeedCategory)),
                Field("delivery_modes", "How it is delivered", "checkboxes", items=_codes(DeliveryMode)),
            ],
            _read_categories,
            _patch_categories,
            lambda s: _join(_sp(s).get("need_categories", [])),
            _term_items,
        ),
    ]
}


# --- pages --------------------------------------------------------------------------------------------


@router.get("/directory")
async def directory_home(
    request: Request,
    user: SignedIn,
    upstream: Upstream,
    pages: Render,
    session: CurrentSession,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    _require_curator(user)
    search = (q or "").strip()
    found: list[dict[str, Any]] = []
    if search:
        params = {"search": search, "per_page": "25", "include_withdrawn": "true"}
        found = (await upstream.get(user.token, "directory", "/services", params))["contents"]
    return pages.render(
        request, "curate_home.html", user=user, title="Directory", q=search, found=found, flash=_take_flash(session)
    )


@router.get("/directory/services/{service_id}")
async def service_page(
    request: Request, service_id: UUID, user: SignedIn, upstream: Upstream, pages: Render, session: CurrentSession
) -> Response:
    _require_curator(user)
    service, tag = await _read(upstream, user, service_id)
    if service["id"] != str(service_id):  # merged into this one
        return RedirectResponse(f"/directory/services/{service['id']}", status_code=303)
    rows = [(s.slug, s.title, s.summary(service)) for s in SECTIONS.values()]
    return pages.render(
        request,
        "curate_service.html",
        user=user,
        title=service.get("name", "Service"),
        column="full",
        service=service,
        etag=tag,
        rows=rows,
        back="/directory",
        flash=_take_flash(session),
    )


def _section(slug: str) -> Section:
    section = SECTIONS.get(slug)
    if section is None:
        raise UpstreamError(404, "Not found", "no such part of a service")
    return section


def _section_page(
    pages: Pages,
    request: Request,
    user: User,
    service: dict[str, Any],
    section: Section,
    form: dict[str, Any],
    etag: str,
    errors: FormErrors,
    status_code: int = 200,
    stale: bool = False,
) -> Response:
    return pages.render(
        request,
        "curate_section.html",
        status_code,
        user=user,
        title=section.title,
        service=service,
        section=section,
        fields=section.fields_for(service),
        form=form,
        etag=etag,
        stale=stale,
        back=f"/directory/services/{service['id']}",
        **errors.context(),
    )


@router.get("/directory/services/{service_id}/edit/{slug}")
async def edit_page(
    request: Request, service_id: UUID, slug: str, user: SignedIn, upstream: Upstream, pages: Render
) -> Response:
    _require_curator(user)
    section = _section(slug)
    service, tag = await _read(upstream, user, service_id)
    return _section_page(pages, request, user, service, section, section.read(service), tag, FormErrors())


def _as_entered(form: FormData, section: Section, service: dict[str, Any]) -> dict[str, Any]:
    return {
        f.name: choices(form, f.name) if f.kind == "checkboxes" else text(form, f.name)
        for f in section.fields_for(service)
    }


@router.post("/directory/services/{service_id}/edit/{slug}", dependencies=[CsrfChecked])
async def save_section(
    request: Request,
    service_id: UUID,
    slug: str,
    user: SignedIn,
    upstream: Upstream,
    pages: Render,
    session: CurrentSession,
) -> Response:
    _require_curator(user)
    section = _section(slug)
    form = await request.form()
    version = text(form, "etag")
    # The lists a part replaces whole (locations, schedules) are built on the service as it is now; the
    # directory still checks the change against the version the page showed (If-Match) before writing it.
    service, _ = await _read(upstream, user, service_id)
    errors = FormErrors()
    patch = section.patch(form, service, errors)
    if not errors:
        try:
            await upstream.call(
                user.token,
                "directory",
                "PATCH",
                f"/services/{service_id}",
                content=_json(patch),
                headers={"If-Match": version, "Content-Type": "application/merge-patch+json"},
            )
        except UpstreamError as error:
            if error.status == 412:
                errors.add("reload", _STALE)
                return _section_page(
                    pages,
                    request,
                    user,
                    service,
                    section,
                    _as_entered(form, section, service),
                    version,
                    errors,
                    409,
                    True,
                )
            if error.status != 422:
                raise
            errors.add(section.fields[0].name, f"The directory could not save this: {error.detail}")
        else:
            _flash(session, f"{section.title} saved")
            return _page_home(service_id)
    return _section_page(
        pages, request, user, service, section, _as_entered(form, section, service), version, errors, 400
    )


def _json(body: Any) -> bytes:
    return json.dumps(_merge_patch(body)).encode()


def _merge_patch(value: Any, in_list: bool = False) -> Any:
    """A merge patch's null removes a field of an object; inside a list (replaced whole) an empty field is
    simply left out, as ORUK allows no nulls."""
    if isinstance(value, dict):
        return {k: _merge_patch(v, in_list) for k, v in value.items() if not (in_list and v is None)}
    if isinstance(value, list):
        return [_merge_patch(item, True) for item in value]
    return value


# --- verify, withdraw, history ----------------------------------------------------------------------------


@router.post("/directory/services/{service_id}/verify", dependencies=[CsrfChecked])
async def verify(
    request: Request, service_id: UUID, user: SignedIn, upstream: Upstream, session: CurrentSession
) -> Response:
    _require_curator(user)
    form = await request.form()
    version = text(form, "etag")
    try:
        await upstream.call(
            user.token,
            "directory",
            "POST",
            f"/services/{service_id}/verify",
            headers={"If-Match": version} if version else None,
        )
    except UpstreamError as error:
        if error.status != 412:
            raise
        _flash(session, "Not verified: someone else changed this service meanwhile. Check the details below again.")
        return _page_home(service_id)
    _flash(session, "Service verified: its details are confirmed as correct today")
    back = text(form, "back")
    return RedirectResponse(back if back == "/directory/review" else f"/directory/services/{service_id}", 303)


@router.get("/directory/services/{service_id}/withdraw")
async def withdraw_page(
    request: Request, service_id: UUID, user: SignedIn, upstream: Upstream, pages: Render
) -> Response:
    _require_curator(user)
    service, tag = await _read(upstream, user, service_id)
    context = _withdraw_context(service_id, service, tag, "", FormErrors())
    return pages.render(request, "curate_withdraw.html", user=user, **context)


def _withdraw_context(
    service_id: UUID, service: dict[str, Any], etag: str, reason: str, errors: FormErrors
) -> dict[str, Any]:
    """The withdraw form's page: first with nothing entered, or again with the reason given and the errors."""
    return {
        "title": "Withdraw service",
        "service": service,
        "etag": etag,
        "form": {"reason": reason},
        "stale": "reload" in errors.by_field,
        "back": f"/directory/services/{service_id}",
        **errors.context(),
    }


@router.post("/directory/services/{service_id}/withdraw", dependencies=[CsrfChecked])
async def withdraw(
    request: Request, service_id: UUID, user: SignedIn, upstream: Upstream, pages: Render, session: CurrentSession
) -> Response:
    _require_curator(user)
    form = await request.form()
    reason, version = text(form, "reason"), text(form, "etag")
    errors = FormErrors()
    if not reason:
        errors.add("reason", "Enter why the service is no longer offered")
    elif len(reason) > 500:
        errors.add("reason", "Reason must be 500 characters or fewer")
    if not errors:
        try:
            await upstream.call(
                user.token,
                "directory",
                "POST",
                f"/services/{service_id}/withdraw",
                json={"reason": reason},
                headers={"If-Match": version} if version else None,
            )
        except UpstreamError as error:
            if error.status != 412:
                raise
            errors.add("reload", _STALE)
        else:
            _flash(session, "Service withdrawn: link workers will no longer be offered it")
            return _page_home(service_id)
    service, _ = await _read(upstream, user, service_id)
    context = _withdraw_context(service_id, service, version, reason, errors)
    return pages.render(request, "curate_withdraw.html", 400, user=user, **context)


ACTIONS = {
    "created": "Created",
    "updated": "Changed",
    "verified": "Verified",
    "withdrawn": "Withdrawn",
    "imported": "Imported",
    "merged": "Merged",
}


@router.get("/directory/services/{service_id}/history")
async def history(
    request: Request,
    service_id: UUID,
    user: SignedIn,
    upstream: Upstream,
    pages: Render,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    _require_curator(user)
    service, _ = await _read(upstream, user, service_id)
    shown = service["id"]  # the service that stayed, when this one was merged into it
    body = await upstream.get(user.token, "directory", f"/services/{shown}/history", {"page": str(page)})
    for entry in body["contents"]:
        entry["label"] = ACTIONS.get(entry["action"], words(entry["action"]))
        entry["who"] = "You" if entry["actor"] == user.subject else entry.get("actor_name") or entry["actor"]
        entry["other"] = entry["service_id"] != shown
    return pages.render(
        request,
        "curate_history.html",
        user=user,
        title="Change history",
        column="full",
        service=service,
        entries=body["contents"],
        **_paging(body, page),
        back=f"/directory/services/{shown}",
    )


def _paging(body: dict[str, Any], page: int) -> dict[str, Any]:
    """What the pager macro (_pagination.html) needs from one page of a directory listing."""
    return {"total": body.get("total_items", 0), "page": page, "last_page": body.get("last_page", True)}


# --- the curator lists: review queue, possible duplicates --------------------------------------------------


def _list_route(path: str, listing: str, per_page: int, template: str, title: str, key: str) -> None:
    """A page of one of the directory's curator lists (`listing`), with the pager and any flash; the lists'
    own words are in their templates. Registered the way the referral pages' reason forms are."""

    async def list_page(
        request: Request,
        user: SignedIn,
        upstream: Upstream,
        pages: Render,
        session: CurrentSession,
        page: Annotated[int, Query(ge=1, le=1000)] = 1,
    ) -> Response:
        _require_curator(user)
        body = await upstream.get(user.token, "directory", listing, {"page": str(page), "per_page": str(per_page)})
        return pages.render(
            request,
            template,
            user=user,
            title=title,
            column="full",
            **{key: body["contents"]},
            **_paging(body, page),
            flash=_take_flash(session),
        )

    router.add_api_route(path, list_page, methods=["GET"])


# The curator lists: console path, the directory's list, items a page, template, title, the template's items.
for _list in (
    ("/directory/review", "/review-queue", 25, "curate_review.html", "Review queue", "due"),
    ("/directory/duplicates", "/duplicates", 10, "curate_duplicates.html", "Possible duplicates", "pairs"),
):
    _list_route(*_list)


# --- imports ----------------------------------------------------------------------------------------------

_UPLOAD_TYPES = {".json": "application/json", ".zip": "application/zip"}


@router.get("/directory/imports")
async def imports_page(
    request: Request, user: SignedIn, upstream: Upstream, pages: Render, session: CurrentSession
) -> Response:
    _require_curator(user)
    jobs = (await upstream.get(user.token, "directory", "/imports", {"limit": "20"}))["imports"]
    return _imports(pages, request, user, jobs, {}, FormErrors(), flash=_take_flash(session))


def _imports(
    pages: Pages,
    request: Request,
    user: User,
    jobs: list[dict[str, Any]],
    form: dict[str, Any],
    errors: FormErrors,
    status_code: int = 200,
    flash: str | None = None,
) -> Response:
    return pages.render(
        request,
        "curate_imports.html",
        status_code,
        user=user,
        title="Imports",
        column="full",
        jobs=jobs,
        form=form,
        flash=flash,
        **errors.context(),
    )


@router.post("/directory/imports", dependencies=[CsrfChecked])
async def upload(request: Request, user: SignedIn, upstream: Upstream, pages: Render) -> Response:
    _require_curator(user)
    form = await request.form()
    directory = text(form, "directory")
    upload = form.get("file")
    errors = FormErrors()
    if not directory:
        errors.add("directory", "Enter which directory the file comes from")
    name = upload.filename or "" if isinstance(upload, UploadFile) else ""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if not isinstance(upload, UploadFile) or not name:
        errors.add("file", "Select a file to import")
    elif suffix not in _UPLOAD_TYPES:
        errors.add("file", "The selected file must be ORUK JSON (.json) or a zipped ORUK CSV package (.zip)")
    if not errors and isinstance(upload, UploadFile):
        content = await upload.read()
        try:
            started = await upstream.call(
                user.token,
                "directory",
                "POST",
                "/imports",
                params={"directory": directory, "name": name[-200:]},
                content=content,
                headers={"Content-Type": _UPLOAD_TYPES[suffix]},
            )
        except UpstreamError as error:
            if error.status not in (400, 413, 415, 422):
                raise
            errors.add("file", f"The file could not be imported: {error.detail or error.title}")
        else:
            return RedirectResponse(f"/directory/imports/{started.json()['id']}", status_code=303)
    jobs = (await upstream.get(user.token, "directory", "/imports", {"limit": "20"}))["imports"]
    return _imports(pages, request, user, jobs, {"directory": directory}, errors, 400)


@router.get("/directory/imports/{job_id}")
async def import_page(
    request: Request,
    job_id: UUID,
    user: SignedIn,
    upstream: Upstream,
    pages: Render,
    show: Annotated[str, Query(pattern="^(problems|all)$")] = "problems",
) -> Response:
    _require_curator(user)
    job = await upstream.get(user.token, "directory", f"/imports/{job_id}")
    records = (job.get("report") or {}).get("records", [])
    if show == "problems":
        records = [r for r in records if r.get("outcome") == "rejected" or r.get("warnings")]
    return pages.render(
        request,
        "curate_import.html",
        user=user,
        title="Import",
        column="full",
        job=job,
        records=records[:500],
        more=max(0, len(records) - 500),
        show=show,
        back="/directory/imports",
    )


# --- duplicates -------------------------------------------------------------------------------------------


@router.post("/directory/duplicates/merge", dependencies=[CsrfChecked])
async def merge(request: Request, user: SignedIn, upstream: Upstream, session: CurrentSession) -> Response:
    _require_curator(user)
    form = await request.form()
    keep = text(form, "keep")
    pair = [text(form, "first"), text(form, "second")]
    if keep not in pair:
        _flash(session, "Not merged: choose which listing to keep")
        return RedirectResponse("/directory/duplicates", status_code=303)
    away = pair[1] if keep == pair[0] else pair[0]
    try:
        await upstream.post(user.token, "directory", "/duplicates/merge", {"keep": keep, "merge": away})
    except UpstreamError as error:
        if error.status not in (409, 412):
            raise
        _flash(session, f"Not merged: {error.detail}")
        return RedirectResponse("/directory/duplicates", status_code=303)
    _flash(session, "Merged: the other listing is withdrawn and its history is kept with this service")
    return RedirectResponse(f"/directory/services/{keep}", status_code=303)


@router.post("/directory/duplicates/dismiss", dependencies=[CsrfChecked])
async def dismiss(request: Request, user: SignedIn, upstream: Upstream, session: CurrentSession) -> Response:
    _require_curator(user)
    form = await request.form()
    await upstream.call(
        user.token,
        "directory",
        "POST",
        "/duplicates/dismiss",
        json={"first": text(form, "first"), "second": text(form, "second")},
    )
    _flash(session, "Marked as different services: this pair will not be offered again")
    return RedirectResponse("/directory/duplicates", status_code=303)
