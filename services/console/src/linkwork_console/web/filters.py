"""Jinja filters for the console's pages: dates the NHS way ("7 December 2026"), code values as words."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment

LONDON = ZoneInfo("Europe/London")


def _parse(value: object) -> date | datetime | None:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return None
    return None


def nhs_date(value: object) -> str:
    parsed = _parse(value)
    if parsed is None:
        return ""
    if isinstance(parsed, datetime):
        parsed = parsed.astimezone(LONDON).date()
    return f"{parsed.day} {parsed:%B %Y}"


def nhs_datetime(value: object) -> str:
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return nhs_date(value)
    local = parsed.astimezone(LONDON)
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace("PM", "pm")


def words(value: object) -> str:
    """`loneliness-isolation` -> `Loneliness isolation`; enum members by value."""
    text = str(getattr(value, "value", value) or "").replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


def zip_words(values: object) -> list[tuple[str, str]]:
    """Code values as (value, words) pairs for radios and checkboxes."""
    return [(str(getattr(v, "value", v)), words(v)) for v in (values if isinstance(values, list | tuple) else [])]


def install_filters(environment: Environment) -> None:
    environment.filters["nhs_date"] = nhs_date
    environment.filters["nhs_datetime"] = nhs_datetime
    environment.filters["words"] = words
    environment.filters["zip_words"] = zip_words
