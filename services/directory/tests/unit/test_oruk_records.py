from __future__ import annotations

from datetime import time
from typing import Any
from uuid import UUID, uuid4

import pytest
from linkwork_contracts.codes import DeliveryMode, NeedCategory, taxonomy_term
from linkwork_directory.domain.errors import RecordRejected
from linkwork_directory.domain.merging import Known, resolve_service
from linkwork_directory.domain.oruk import Location, Organization, Schedule, Service
from linkwork_directory.domain.timeofday import parse_time_of_day
from pydantic import ValidationError

pytestmark = pytest.mark.unit
ORG = UUID("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
LOC = UUID("3a19ff88-4620-4d17-9830-ac1d859eb5d5")


def _service(**fields: Any) -> Service:
    return Service.model_validate({"id": str(uuid4()), "name": "Walk and talk", "status": "active", **fields})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10:00", time(10)),
        ("10:00:30", time(10, 0, 30)),
        ("09:15Z", time(9, 15)),
        ("18:00-05:00", time(18)),
        ("07:45:00.000", time(7, 45)),
    ],
)
def test_times_of_day_in_the_forms_oruk_uses(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["25:00", "10h00", "", "9:00"])
def test_times_of_day_that_are_not(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time_of_day(text)


def test_schedule_days_drop_ordinals_and_keep_week_order() -> None:
    schedule = Schedule(id=uuid4(), byday="-1FR, 2mo,TU")
    assert schedule.byday == "-1FR,2MO,TU"
    assert schedule.days == ["MO", "TU", "FR"]


def test_a_record_cannot_use_a_child_id_twice() -> None:
    same = str(uuid4())
    with pytest.raises(ValidationError, match=r"schedule id .* appears more than once"):
        _service(schedules=[{"id": same}, {"id": same}])


def test_merge_keeps_collections_the_record_leaves_out_and_replaces_those_it_has() -> None:
    location = Location(id=LOC, location_type="physical", name="Hall", latitude=53.8, longitude=-1.55)
    organization = Organization(id=ORG, name="Friends", description="A charity")
    stored = resolve_service(
        _service(
            organization=organization.model_dump(),
            schedules=[{"id": str(uuid4()), "byday": "MO", "opens_at": "10:00"}],
            service_at_locations=[{"id": str(uuid4()), "location": location.model_dump()}],
        ),
        None,
        Known(),
    ).service
    known = Known(organizations={ORG: organization}, locations={LOC: location})

    one_to_one_only = Service.model_validate(
        {"id": str(stored.id), "name": "Walk and talk (Tuesdays)", "status": "active", "organization_id": str(ORG)}
    )
    merged = resolve_service(one_to_one_only, stored, known).service
    assert merged.name == "Walk and talk (Tuesdays)"
    assert merged.schedules == stored.schedules
    assert merged.service_at_locations == stored.service_at_locations

    emptied = Service.model_validate(
        {"id": str(stored.id), "name": "Walk and talk", "status": "active", "schedules": []}
    )
    assert resolve_service(emptied, stored, known).service.schedules == []


def test_merge_rejects_references_to_records_that_do_not_exist() -> None:
    record = _service(
        organization_id=str(ORG),
        service_at_locations=[{"id": str(uuid4()), "location_id": str(LOC)}],
        attributes=[{"id": str(uuid4()), "taxonomy_term_id": str(uuid4())}],
    )
    with pytest.raises(RecordRejected) as rejection:
        resolve_service(record, None, Known())
    reasons = " | ".join(rejection.value.reasons)
    assert "is not a known organization" in reasons
    assert "is not a known location" in reasons
    assert "is not a known term" in reasons


def test_need_categories_become_attributes_of_the_linkwork_needs_taxonomy() -> None:
    record = _service(social_prescribing={"need_categories": ["loneliness-isolation", "physical-activity"]})
    service = resolve_service(record, None, Known()).service
    assert [a.term_id for a in service.attributes] == [
        taxonomy_term(NeedCategory.LONELINESS_ISOLATION).id,
        taxonomy_term(NeedCategory.PHYSICAL_ACTIVITY).id,
    ]
    assert service.social_prescribing is not None
    assert service.social_prescribing.need_categories == [
        NeedCategory.LONELINESS_ISOLATION,
        NeedCategory.PHYSICAL_ACTIVITY,
    ]
    # The same categories again give the same attribute ids: re-imports do not churn.
    again = resolve_service(record, service, Known()).service
    assert [a.id for a in again.attributes] == [a.id for a in service.attributes]


def test_a_record_without_our_extension_is_in_person_where_it_has_a_place() -> None:
    record = _service(
        service_at_locations=[
            {"id": str(uuid4()), "location": {"id": str(LOC), "location_type": "physical"}},
            {"id": str(uuid4()), "location": {"id": str(uuid4()), "location_type": "virtual"}},
        ]
    )
    settings = resolve_service(record, None, Known()).service.social_prescribing
    assert settings is not None
    assert settings.delivery_modes == [DeliveryMode.IN_PERSON, DeliveryMode.ONLINE]
