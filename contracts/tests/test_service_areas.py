"""service-changed v2 (issue 21): service areas and coded eligibility, with bounds that keep one
service's event inside one Kafka record."""

from __future__ import annotations

from typing import Any

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import (
    ELIGIBILITY_TAXONOMY_TERMS,
    ROUTE_REASON,
    ROUTE_TAXONOMY_TERMS,
    EligibilityCode,
    ReferralRoute,
)
from linkwork_contracts.envelope import decode, encode, wrap
from linkwork_contracts.events import ServiceChangedV1, ServiceChangedV2
from linkwork_contracts.events.directory import (
    MAX_LSOAS,
    MAX_POLYGON_POSITIONS,
    MAX_RING_POSITIONS,
    MAX_SERVICE_AREAS,
)
from pydantic import ValidationError

pytestmark = pytest.mark.unit
KAFKA_DEFAULT_MAX_MESSAGE = 1_048_588  # the broker's message.max.bytes default
SOURCE = "urn:linkwork:service:directory"


def _v2(**changes: Any) -> ServiceChangedV2:
    return ServiceChangedV2.model_validate({**examples.SERVICE_CHANGED.model_dump(), **changes})


def _square(west: float, south: float, size: float, points: int = 5) -> dict[str, Any]:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size]]
    ring += [[west, south + size * (1 - i / points)] for i in range(1, points - 3)]
    ring.append([west, south])
    return {"kind": "polygon", "name": "Holbeck", "polygon": {"type": "Polygon", "coordinates": [ring]}}


def _lsoas(start: int, count: int) -> list[str]:
    return [f"E01{n:06d}" for n in range(start, start + count)]


def test_every_kind_of_area_round_trips_through_the_envelope() -> None:
    event = _v2(
        service_areas=[
            {"kind": "postcode", "prefix": "LS", "name": "Leeds"},
            {"kind": "postcode", "prefix": "LS11"},
            {"kind": "local-authority", "code": "E08000035"},
            {"kind": "lsoa", "lsoas": ["E01011229", "E01011230"]},
            _square(-1.56, 53.78, 0.02),
        ],
        eligibility=["residents", "carers", "condition-group"],
        condition_groups=["dementia"],
        eligibility_description="Carers of people living with dementia in Leeds.",
        referral_routes=["professional-referral", "drop-in"],
    )
    envelope, decoded = decode(encode(wrap(event, source=SOURCE)))
    assert envelope.type == ServiceChangedV2.TYPE
    assert decoded == event


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"eligibility": ["residents"]}, "residents needs at least one service area"),
        ({"eligibility": ["condition-group"]}, "condition-group and condition_groups go together"),
        ({"eligibility": ["women", "men"]}, "exclude each other"),
        ({"service_areas": [{"kind": "postcode", "prefix": "LS6 1AA"}]}, "string_pattern_mismatch"),
        ({"service_areas": [{"kind": "local-authority", "code": "Leeds"}]}, "string_pattern_mismatch"),
        (
            {"service_areas": [{"kind": "polygon", "polygon": {"coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}}]},
            "must end where it starts",
        ),
        ({"service_areas": [{"kind": "postcode", "prefix": "LS"}] * (MAX_SERVICE_AREAS + 1)}, "too_long"),
        (
            {
                "service_areas": [
                    {"kind": "lsoa", "lsoas": [f"E01{n:06d}" for n in range(k, k + 1500)]} for k in (0, 9000)
                ]
            },
            f"at most {MAX_LSOAS} LSOAs",
        ),
        ({"service_areas": [_square(0, 50, 0.1, 1500) for _ in range(4)]}, f"at most {MAX_POLYGON_POSITIONS}"),
    ],
)
def test_bad_areas_and_codes_are_refused_naming_the_rule(changes: dict[str, Any], rule: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _v2(**changes)
    assert rule in str(refused.value)


def test_a_v1_consumer_keeps_reading_v1_and_v2_is_a_new_type() -> None:
    assert ServiceChangedV2.TYPE == "uk.linkwork.service.changed.v2"
    assert ServiceChangedV2.TOPIC == ServiceChangedV1.TOPIC
    v1 = examples.SERVICE_CHANGED
    _, decoded = decode(encode(wrap(v1, source=SOURCE)))
    assert type(decoded) is ServiceChangedV1


def test_the_taxonomy_has_a_term_and_reason_for_every_code_and_route() -> None:
    assert set(ELIGIBILITY_TAXONOMY_TERMS) == set(EligibilityCode)
    assert set(ROUTE_TAXONOMY_TERMS) == set(ReferralRoute) == set(ROUTE_REASON)
    ids = [t.id for t in (*ELIGIBILITY_TAXONOMY_TERMS.values(), *ROUTE_TAXONOMY_TERMS.values())]
    assert len(set(ids)) == len(ids)


def test_a_service_at_every_bound_fits_in_one_kafka_record() -> None:
    locations, schedules = examples.locations_and_schedules_at_the_bounds(53.812345678901, -1.512345678901)
    polygons = [
        _square(-1.561234567891234, 53.781234567891234, 0.0212345678912345, points - 1)
        for points in (MAX_RING_POSITIONS, MAX_RING_POSITIONS, MAX_POLYGON_POSITIONS - 2 * MAX_RING_POSITIONS)
    ]
    areas = [
        *polygons,
        {"kind": "lsoa", "name": "n" * 200, "lsoas": _lsoas(0, MAX_LSOAS)},
        *({"kind": "local-authority", "code": "E08000035", "name": "a" * 200} for _ in range(MAX_SERVICE_AREAS - 4)),
    ]
    event = _v2(
        description="z" * 5000,
        locations=locations,
        schedules=schedules,
        service_areas=areas,
        eligibility=[code for code in EligibilityCode if code is not EligibilityCode.MEN],
        condition_groups=["dementia", "stroke"],
        eligibility_description="e" * 2000,
    )
    size = len(encode(wrap(event, source=SOURCE)))
    assert size < KAFKA_DEFAULT_MAX_MESSAGE, size
