"""Finding [medium]: one record can block a whole pipeline. A community service is bounded (locations, schedules,
other lists), so its service-changed event always fits in a Kafka record; a service with 5,000 locations is
refused with the field and the rule, before its ORUK schema check walks them."""

from __future__ import annotations

import uuid

import pytest
from linkwork_contracts import examples
from linkwork_contracts.envelope import encode, wrap
from linkwork_contracts.events import ServiceChangedV1
from linkwork_directory.adapters.oruk_format import OrukFormat
from linkwork_directory.domain.errors import RecordRejected
from linkwork_directory.domain.oruk import MAX_LOCATIONS, MAX_SCHEDULES
from linkwork_directory.service_layer.imports import service_from_document

pytestmark = pytest.mark.unit
KAFKA_DEFAULT_MAX_MESSAGE = 1_048_588  # the broker's message.max.bytes default


def _location(n: int) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "location": {"id": str(uuid.uuid4()), "location_type": "physical", "name": f"Hall {n}", "latitude": 53.8},
    }


def test_a_service_with_5000_locations_is_refused_naming_the_field_and_rule() -> None:
    document = {
        "id": str(uuid.uuid4()),
        "name": "Everywhere Walks",
        "status": "active",
        "service_at_locations": [_location(n) for n in range(5000)],
    }
    with pytest.raises(RecordRejected) as refused:
        service_from_document(OrukFormat(), document)
    assert refused.value.reasons == [f"service_at_locations: at most {MAX_LOCATIONS} items (too_long)"]


def test_a_service_at_the_bounds_fits_in_one_kafka_record() -> None:
    locations, schedules = examples.locations_and_schedules_at_the_bounds(
        locations=MAX_LOCATIONS, schedules=MAX_SCHEDULES
    )
    event = ServiceChangedV1.model_validate(
        {
            **examples.SERVICE_CHANGED.model_dump(),
            "description": "z" * 5000,
            "locations": locations,
            "schedules": schedules,
        }
    )
    size = len(encode(wrap(event, source="urn:linkwork:directory")))
    assert size < KAFKA_DEFAULT_MAX_MESSAGE, size
