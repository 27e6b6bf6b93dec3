"""The privacy guard passes today's schemas and fails deliberately leaky ones."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, ClassVar

import pytest
from linkwork_contracts.events import Event, ReferralCreatedV1, ServiceChangedV1
from linkwork_contracts.export import privacy_findings
from linkwork_contracts.identifiers import PersonRef
from linkwork_contracts.privacy import identifiable_fields, person_ref_problems, privacy_problems
from linkwork_contracts.schemas import event_schema
from pydantic import BaseModel

pytestmark = pytest.mark.unit


def test_every_generated_event_schema_passes() -> None:
    assert privacy_findings() == []


def test_the_guard_sees_everything_in_referral_requested() -> None:
    """The one identifiable event is exempt, and the guard would catch each of its fields."""
    from linkwork_contracts.events import ReferralRequestedV1

    schema = event_schema(ReferralRequestedV1)
    assert privacy_problems(schema, identifiable=True, about_a_person=True) == []
    found = {line.split(":")[0] for line in identifiable_fields(schema)}
    assert {
        "person.nhs_number",
        "person.given_name",
        "person.family_name",
        "person.date_of_birth",
        "person.address_lines",
        "person.postcode",
        "person.phone",
        "person.email",
        "referrer.name",
        "referrer.email",
        "referrer.phone",
    } <= found


def leaky(schema: dict[str, Any], definition: str, field: str, spec: dict[str, Any]) -> list[str]:
    broken = copy.deepcopy(schema)
    broken["$defs"][definition]["properties"][field] = spec
    return identifiable_fields(broken)


@pytest.mark.parametrize(
    ("field", "spec", "reason"),
    [
        ("full_name", {"type": "string"}, "a name"),
        ("surname", {"type": "string"}, "a name"),
        ("firstName", {"type": "string"}, "a name"),
        ("nhs_number", {"type": "string"}, "an NHS number"),
        ("NHSNumber", {"type": "string"}, "an NHS number"),
        ("date_of_birth", {"type": "string", "format": "date"}, "a date of birth"),
        ("dob", {"type": "string"}, "a date of birth"),
        ("home_address", {"type": "string"}, "an address"),
        ("addressLine1", {"type": "string"}, "an address"),
        ("street", {"type": "string"}, "an address"),
        ("postcode", {"type": "string"}, "a full postcode"),
        ("postCode", {"type": "string"}, "a full postcode"),
        ("mobile_phone", {"type": "string"}, "a phone number"),
        ("tel", {"type": "string"}, "a phone number"),
        ("email", {"type": "string"}, "an email address"),
        ("contact", {"type": "string", "format": "email"}, "format email"),
        ("latitude", {"type": "number"}, "could locate a home"),
        ("lon", {"type": "number", "x-max-decimal-places": 5}, "could locate a home"),
    ],
)
def test_a_leaky_person_field_is_caught(field: str, spec: dict[str, Any], reason: str) -> None:
    schema = event_schema(ReferralCreatedV1)
    findings = leaky(schema, "PersonProfile", field, spec)
    assert any(f.startswith(f"person.{field}:") and reason in f for f in findings), findings


@pytest.mark.parametrize("field", ["postcode_district", "needs_addressed", "age_band", "lsoa"])
def test_coarse_fields_are_not_mistaken_for_identifiers(field: str) -> None:
    schema = event_schema(ReferralCreatedV1)
    assert leaky(schema, "PersonProfile", field, {"type": "string"}) == []


def test_organisational_allowances_do_not_leak_to_other_models() -> None:
    """`name` is fine on a service, but the same field on a person is caught."""
    assert identifiable_fields(event_schema(ServiceChangedV1)) == []
    findings = leaky(event_schema(ReferralCreatedV1), "PersonProfile", "name", {"type": "string"})
    assert findings == ["person.name: the name says it could hold a name"]


def test_leaks_are_found_through_arrays_and_unions() -> None:
    schema = event_schema(ReferralCreatedV1)
    broken = copy.deepcopy(schema)
    broken["$defs"]["AvailabilitySlot"]["properties"]["carer_phone"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert identifiable_fields(broken) == [
        "preferences.availability[].carer_phone: the name says it could hold a phone number"
    ]


def test_person_ref_is_required_on_referral_events() -> None:
    schema = event_schema(ReferralCreatedV1)
    assert person_ref_problems(schema) == []

    optional = copy.deepcopy(schema)
    optional["required"].remove("person")
    assert person_ref_problems(optional) == ["person must be required"]

    loose = copy.deepcopy(schema)
    loose["$defs"]["PersonProfile"]["properties"]["person_ref"] = {"type": "string"}
    assert person_ref_problems(loose) == ["person.person_ref must have pattern ^[0-9a-f]{64}$"]

    missing = copy.deepcopy(schema)
    del missing["$defs"]["PersonProfile"]["properties"]["person_ref"]
    assert "no person_ref" in person_ref_problems(missing)[0]


class _LeakyEventV1(Event):
    """A deliberately broken event model, to prove the guard fails a real generated schema."""

    TYPE: ClassVar[str] = "uk.linkwork.test.leaky.v1"
    TOPIC: ClassVar[str] = "test-leaky"
    KEY_FIELD: ClassVar[str] = "referral_id"

    referral_id: str
    person_ref: PersonRef
    contact: _Contact


class _Contact(BaseModel):
    email: str
    birth_date: date


_LeakyEventV1.model_rebuild()


def test_a_leaky_event_model_fails_the_guard() -> None:
    problems = privacy_problems(event_schema(_LeakyEventV1), identifiable=False, about_a_person=True)
    assert problems == [
        "contact.email: the name says it could hold an email address",
        "contact.birth_date: the name says it could hold a date of birth",
    ]


def test_the_export_check_runs_the_guard_over_registered_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import linkwork_contracts.export as export
    from linkwork_contracts.registry import EVENT_CLASSES

    monkeypatch.setattr(export, "EVENT_CLASSES", (*EVENT_CLASSES, _LeakyEventV1))
    assert export.privacy_findings() == [
        "uk.linkwork.test.leaky.v1: contact.email: the name says it could hold an email address",
        "uk.linkwork.test.leaky.v1: contact.birth_date: the name says it could hold a date of birth",
    ]


# Issue 17: events shared with providers.


def test_provider_events_carry_only_the_agreed_minimum() -> None:
    from linkwork_contracts.events import ActivityReferralRespondedV1, ActivityReferredV1, AttendanceConfirmedV1

    for cls in (ActivityReferredV1, ActivityReferralRespondedV1, AttendanceConfirmedV1):
        assert cls.SHARED_WITH_PROVIDER
        schema = event_schema(cls)
        assert privacy_problems(schema, identifiable=False, about_a_person=True, shared_with_provider=True) == []
        assert "person_ref" not in {p.split(".")[-1] for p in _paths(schema)}
    shared = {p for p in _paths(event_schema(ActivityReferredV1)) if p.startswith("shared")}
    assert shared == {
        "shared",
        "shared.first_name",
        "shared.contact",
        "shared.contact.route",
        "shared.contact.value",
        "shared.needs",
        "shared.accessibility_needs",
    }
    # Without the provider allowance, the guard still sees the first name.
    assert identifiable_fields(event_schema(ActivityReferredV1)) == [
        "shared.first_name: the name says it could hold a name"
    ]


def _paths(schema: dict[str, Any]) -> set[str]:
    from linkwork_contracts.schema_walk import properties

    return {p.path for p in properties(schema)}


@pytest.mark.parametrize(
    ("definition", "field", "spec", "reason"),
    [
        ("SharedDetails", "surname", {"type": "string"}, "could hold a name"),
        ("SharedDetails", "nhs_number", {"type": "string"}, "could hold an NHS number"),
        ("SharedDetails", "notes", {"type": "string"}, "free text"),
        ("SharedDetails", "person_ref", {"type": "string"}, "person_ref"),
        ("SharedDetails", "age_band", {"type": "string"}, "not in the minimum"),
        ("SharedContact", "postcode", {"type": "string"}, "a full postcode"),
    ],
)
def test_anything_beyond_the_minimum_fails_a_provider_event(
    definition: str, field: str, spec: dict[str, Any], reason: str
) -> None:
    from linkwork_contracts.events import ActivityReferredV1

    broken = copy.deepcopy(event_schema(ActivityReferredV1))
    broken["$defs"][definition]["properties"][field] = spec
    problems = privacy_problems(broken, identifiable=False, about_a_person=True, shared_with_provider=True)
    assert any(field in p and reason in p for p in problems), problems


def test_a_provider_event_with_person_ref_at_the_top_fails() -> None:
    from linkwork_contracts.events import AttendanceConfirmedV1

    broken = copy.deepcopy(event_schema(AttendanceConfirmedV1))
    broken["properties"]["person_ref"] = {"type": "string"}
    problems = privacy_problems(broken, identifiable=False, about_a_person=True, shared_with_provider=True)
    assert problems == ["person_ref: a provider must not receive the pseudonymous person_ref"]


def test_shared_details_may_not_appear_in_other_events() -> None:
    from linkwork_contracts.events import ActivityReferredV1

    schema = event_schema(ActivityReferredV1)
    problems = privacy_problems(schema, identifiable=False, about_a_person=False, shared_with_provider=False)
    assert "shared.first_name: the name says it could hold a name" in problems
    assert "shared.first_name: SharedDetails is only for events shared with a provider" in problems
