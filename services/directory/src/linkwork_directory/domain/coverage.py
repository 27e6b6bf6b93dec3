"""Where a service delivered online or by phone is available, for postcode searches.

ORUK service areas are free text or shapes; the one form the directory interprets is a `text` area
that lists postcode areas or districts ("LS", "LS6, BD1"): the service is for people there. A remote
service without such an area is available everywhere ("*"); a service only delivered in person has
no coverage (distance decides instead).
"""

from __future__ import annotations

import re

from linkwork_contracts.codes import DeliveryMode

from linkwork_directory.domain.oruk import Service

EVERYWHERE = "*"
_TOKEN = re.compile(r"^[A-Z]{1,2}([0-9][0-9A-Z]?)?$")
_SPLIT = re.compile(r"[\s,]+")


def postcode_list(extent: str | None) -> list[str] | None:
    """The postcode areas/districts a `text` extent lists, or None if it is not such a list."""
    tokens = [token for token in _SPLIT.split((extent or "").strip().upper()) if token]
    if not tokens or not all(_TOKEN.match(token) for token in tokens):
        return None
    return tokens


def remote_coverage(service: Service) -> list[str]:
    settings = service.social_prescribing
    modes = set(settings.delivery_modes) if settings else set()
    if not modes & {DeliveryMode.ONLINE, DeliveryMode.TELEPHONE}:
        return []
    listed = [postcode_list(area.extent) for area in service.service_areas if area.extent_type == "text"]
    tokens = sorted({token for found in listed if found for token in found})
    return tokens or [EVERYWHERE]


def area_of(district: str) -> str:
    """The postcode area of a district: its leading letters ("LS6" -> "LS")."""
    match = re.match(r"[A-Z]{1,2}", district)
    return match.group() if match else district
