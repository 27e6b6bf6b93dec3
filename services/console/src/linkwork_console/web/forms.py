"""Form handling shared by the pages: error lists for the NHS.UK error summary, and mapping a service's
422 problem (field + rule) onto the form's own fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from starlette.datastructures import FormData

from linkwork_console.adapters.services import UpstreamError


@dataclass
class FormErrors:
    """Errors by form field id, in the order the fields appear on the page."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, field_id: str, message: str) -> None:
        self.by_field.setdefault(field_id, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def context(self) -> dict[str, Any]:
        return {
            "errors": self.by_field,
            "errors_list": [{"text": text, "href": f"#{field_id}"} for field_id, text in self.by_field.items()],
        }


def flash(session: Any, message: str) -> None:
    """A one-line confirmation shown once, on the next page the person sees (after a redirect)."""
    session.set("flash", message)


def take_flash(session: Any) -> str | None:
    return session.pop("flash") if "flash" in session.data else None


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def choices(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


def date_field(form: FormData, prefix: str, errors: FormErrors, label: str, *, required: bool = True) -> date | None:
    """An NHS.UK date input (day, month, year boxes) as a date, adding a plain-English error when wrong."""
    day, month, year = (text(form, f"{prefix}-{part}") for part in ("day", "month", "year"))
    if not (day or month or year):
        if required:
            errors.add(f"{prefix}-day", f"Enter {label}")
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        errors.add(f"{prefix}-day", f"{label[:1].upper()}{label[1:]} must be a real date")
        return None


def upstream_errors(
    error: UpstreamError,
    fields: dict[str, tuple[str, str]],
    errors: FormErrors,
    *,
    statuses: tuple[int, ...] = (422,),
) -> None:
    """A 422's `errors` (field, rule) onto form fields: `fields` maps the API's field path to (form id, message).
    What no field claims is shown against the first field, with the service's own detail. An error whose status
    is not one of `statuses` is not the form's to show: it is raised again."""
    if error.status not in statuses:
        raise error
    listed = error.body.get("errors") or []
    placed = False
    for item in listed if isinstance(listed, list) else []:
        api_field = str(item.get("field", ""))
        for prefix, (field_id, message) in fields.items():
            if api_field == prefix or api_field.startswith(f"{prefix}."):
                errors.add(field_id, message)
                placed = True
                break
    if not placed:
        first = next(iter(fields.values()), ("", ""))[0]
        errors.add(first or "main", error.detail or error.title)
