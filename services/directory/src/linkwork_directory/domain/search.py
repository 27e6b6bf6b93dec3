"""What a `/services` or `/service_at_locations` request asks for, checked, and how pages are counted.

Filter meanings follow the ORUK OpenAPI parameter descriptions literally: `minimum_age` returns
services whose minimum age is at least the value, `maximum_age` those whose maximum is at most it,
`start_time`/`end_time` sessions opening no earlier / closing no later, `day` sessions on that day
(one schedule must meet all three). A service without a stated minimum age counts as 0, without a
maximum as unlimited. `age` (our extension) is what a link worker usually wants: open to a person
of that age. With `postcode`, results are ordered nearest first; `proximity` (metres) keeps only
those within it; services delivered online or by phone have no distance and come after the rest,
unless `include_remote=false`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from uuid import UUID

_DAY_NAMES = {
    "MO": "MONDAY",
    "TU": "TUESDAY",
    "WE": "WEDNESDAY",
    "TH": "THURSDAY",
    "FR": "FRIDAY",
    "SA": "SATURDAY",
    "SU": "SUNDAY",
}
MAX_PER_PAGE = 200
# Enough to walk a national directory (~100k services) at the default page size, small enough that no request
# makes PostgreSQL skip more than MAX_PAGE x MAX_PER_PAGE rows.
MAX_PAGE = 10_000
DEFAULT_PER_PAGE = 50
MAX_PROXIMITY_M = 1_000_000


def day_code(text: str) -> str:
    """MO..SU from "MO", "mon", "Monday" (any case)."""
    value = text.strip().upper()
    for code, name in _DAY_NAMES.items():
        if value == code or (len(value) >= 3 and name.startswith(value)):
            return code
    raise ValueError(f"{text!r} is not a day of the week (MO..SU or its English name)")


@dataclass(frozen=True)
class Origin:
    latitude: float
    longitude: float
    district: str  # outward code, e.g. LS6: service areas are matched on it


@dataclass(frozen=True)
class ServiceQuery:
    text: str | None = None
    taxonomy_term_ids: tuple[UUID, ...] = ()
    taxonomy_id: UUID | None = None
    organization_id: UUID | None = None
    minimum_age: Decimal | None = None
    maximum_age: Decimal | None = None
    age: Decimal | None = None
    day: str | None = None
    start_time: time | None = None
    end_time: time | None = None
    origin: Origin | None = None
    proximity_m: float | None = None
    include_remote: bool = True
    include_withdrawn: bool = False
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    problems: list[str] = field(default_factory=list, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.page <= MAX_PAGE:
            self.problems.append(f"page must be between 1 and {MAX_PAGE}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            self.problems.append(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if self.proximity_m is not None and (self.proximity_m <= 0 or self.proximity_m > MAX_PROXIMITY_M):
            self.problems.append(f"proximity is a distance in metres, above 0 and at most {MAX_PROXIMITY_M}")
        if self.proximity_m is not None and self.origin is None:
            self.problems.append("proximity needs a postcode to measure from")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def page_body(contents: list[dict[str, object]], *, total: int, page: int, per_page: int) -> dict[str, object]:
    """The ORUK `Page` fields around one page of results."""
    total_pages = math.ceil(total / per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": total == 0,
        "contents": contents,
    }
