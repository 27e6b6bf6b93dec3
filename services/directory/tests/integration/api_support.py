"""Running the directory app in tests, tokens, and a known data set built through the curation API."""

from __future__ import annotations

import math
import uuid
from typing import Any

from linkwork_contracts.codes import NeedCategory, taxonomy_term
from linkwork_directory.settings import Settings
from linkwork_runtime.auth import Role, issue_token
from linkwork_stack.testing import eventually as eventually  # re-exported for the tests here

SECRET = "directory-tests-secret-at-least-32-bytes-long"
METRES_PER_DEGREE_LATITUDE = 111_195.0


def settings_for(database_url: str, kafka_bootstrap: str, **overrides: Any) -> Settings:
    tag = uuid.uuid4().hex[:10]
    return Settings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=SECRET,
        consumer_group=f"directory-test-{tag}",
        event_source=f"urn:linkwork:directory:test:{tag}",
        stale_gauge_seconds=3600,
        **overrides,
    )


def headers(role: Role = Role.CURATOR, subject: str = "curator-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, subject=subject, role=role, pcn='U00001')}"}


def north_of(latitude: float, longitude: float, metres: float) -> tuple[float, float]:
    return latitude + metres / METRES_PER_DEGREE_LATITUDE, longitude


def service(
    name: str,
    *,
    need: NeedCategory,
    description: str = "",
    venue: tuple[float, float] | None = None,
    postcode: str = "LS6 1AB",
    days: str | None = None,
    opens: str = "10:00",
    closes: str = "11:00",
    minimum_age: int | None = None,
    maximum_age: int | None = None,
    delivery: list[str] | None = None,
    area: str | None = None,
    **social: Any,
) -> dict[str, Any]:
    """An ORUK service document as a curator would send it."""
    service_id = str(uuid.uuid4())
    body: dict[str, Any] = {
        "id": service_id,
        "name": name,
        "description": description or f"{name} for local people.",
        "status": "active",
        "organization": {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"org:{name}")),
            "name": f"{name} CIO",
            "description": "A local charity.",
        },
        "social_prescribing": {
            "need_categories": [need.value],
            "delivery_modes": delivery or (["in-person"] if venue else ["telephone"]),
            "referral_routes": ["self-referral", "link-worker"],
            **social,
        },
    }
    if minimum_age is not None:
        body["minimum_age"] = minimum_age
    if maximum_age is not None:
        body["maximum_age"] = maximum_age
    if venue is not None:
        location_id = str(uuid.uuid4())
        body["service_at_locations"] = [
            {
                "id": str(uuid.uuid4()),
                "location": {
                    "id": location_id,
                    "location_type": "physical",
                    "name": f"{name} venue",
                    "latitude": venue[0],
                    "longitude": venue[1],
                    "addresses": [
                        {
                            "id": str(uuid.uuid4()),
                            "address_1": "1 High Street",
                            "city": "Leeds",
                            "state_province": "West Yorkshire",
                            "postal_code": postcode,
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                    "accessibility": [{"id": str(uuid.uuid4()), "description": "Step-free access and a hearing loop."}],
                },
            }
        ]
    if days is not None:
        body["schedules"] = [
            {"id": str(uuid.uuid4()), "freq": "WEEKLY", "byday": days, "opens_at": opens, "closes_at": closes}
        ]
    if area is not None:
        body["service_areas"] = [{"id": str(uuid.uuid4()), "name": area, "extent": area, "extent_type": "text"}]
    return body


def term_id(need: NeedCategory) -> str:
    return str(taxonomy_term(need).id)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance on the sphere PostgreSQL's earthdistance uses (radius 6378168 m)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6378168 * math.asin(math.sqrt(h))
