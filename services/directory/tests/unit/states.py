"""A service's stored state for unit tests, so each test names only what matters to it."""

from __future__ import annotations

from datetime import date
from typing import Any

from linkwork_directory.domain.extension import SocialPrescribing
from linkwork_directory.domain.state import ServiceState


def new_state(**changed: Any) -> ServiceState:
    """The state of a service never verified nor withdrawn, with nothing taken yet; `changed` sets any field."""
    fields: dict[str, Any] = {
        "settings": SocialPrescribing(places_per_week=10),
        "last_verified_at": None,
        "verified_by": None,
        "withdrawn_at": None,
        "withdrawal_reason": None,
        "revision": 1,
        "week_starting": date(2026, 12, 7),
        "taken_this_week": 0,
        "uptake_total": 0,
    }
    return ServiceState(**{**fields, **changed})
