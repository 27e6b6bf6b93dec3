"""decode rejects bad messages with the right error class and a message naming what is wrong."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest
from linkwork_contracts.envelope import (
    ContractError,
    MalformedEvent,
    SchemaViolation,
    UnknownEventType,
    decode,
    encode,
    wrap,
)
from linkwork_contracts.events import Event, ReferralCreatedV1
from linkwork_contracts.examples import REFERRAL_CREATED
from linkwork_contracts.registry import EVENT_TYPES

pytestmark = pytest.mark.unit

CREATED = REFERRAL_CREATED


def message(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(encode(wrap(CREATED, source="urn:test", event_id="e-1")))
    result.update(changes)
    return result


def raw(value: Any) -> bytes:
    return json.dumps(value).encode()


def reject(data: bytes, error: type[ContractError], *fragments: str) -> ContractError:
    with pytest.raises(error) as caught:
        decode(data)
    for fragment in fragments:
        assert fragment in str(caught.value), str(caught.value)
    return caught.value


def test_errors_share_a_base_class() -> None:
    for error in (MalformedEvent, UnknownEventType, SchemaViolation):
        assert issubclass(error, ContractError)
        assert issubclass(error, ValueError)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"", "not JSON"),
        (b"[1, 2]", "not an object (got list)"),
        (b'"text"', "not an object (got str)"),
    ],
)
def test_not_json_or_not_an_object(data: bytes, fragment: str) -> None:
    reject(data, MalformedEvent, fragment)


@pytest.mark.parametrize(
    ("field", "value", "fragments"),
    [
        ("specversion", "0.3", ("specversion", "'1.0'")),
        ("id", "", ("id", "at least 1 character")),
        ("time", "2025-01-01T10:00:00", ("time", "timezone")),
        ("time", "yesterday", ("time",)),
        ("data", [1, 2], ("data: Input should be an object",)),
        ("datacontenttype", "application/xml", ("datacontenttype",)),
        ("Bad-Name", "x", ("extension attribute 'Bad-Name'",)),
    ],
)
def test_envelope_attribute_errors(field: str, value: Any, fragments: tuple[str, ...]) -> None:
    reject(raw(message(**{field: value})), MalformedEvent, *fragments)


@pytest.mark.parametrize("field", ["specversion", "id", "source", "type", "time", "data"])
def test_missing_required_attribute(field: str) -> None:
    broken = message()
    del broken[field]
    error = reject(raw(broken), MalformedEvent, field, "Field required")
    if field != "id":
        assert error.event_id == "e-1"  # kept for the dead-letter headers


def test_unknown_type() -> None:
    error = reject(
        raw(message(type="uk.linkwork.referral.teleported.v1")),
        UnknownEventType,
        "unknown event type uk.linkwork.referral.teleported.v1",
    )
    assert error.event_type == "uk.linkwork.referral.teleported.v1"


def test_unknown_version_names_the_versions_this_consumer_reads() -> None:
    reject(
        raw(message(type="uk.linkwork.referral.created.v7")),
        UnknownEventType,
        "unknown version v7 of uk.linkwork.referral.created: this consumer reads v1",
    )


def test_accept_narrows_what_a_consumer_handles() -> None:
    data = raw(message())
    with pytest.raises(UnknownEventType, match="not one this consumer handles"):
        decode(data, accept=frozenset({"uk.linkwork.plan.agreed.v1"}))
    assert decode(data, accept=frozenset({ReferralCreatedV1.TYPE}))[1] == CREATED


@pytest.mark.parametrize(
    ("path", "value", "fragments"),
    [
        (("needs",), ["housing", "flying"], ("data.needs.1", "enum")),
        (("needs",), [], ("data.needs", "at least 1 item")),
        (("needs",), ["housing", "housing"], ("data.needs", "repeated: housing")),
        (("version",), "2", ("data.version", "valid integer")),  # strict: no "2" for 2
        (("version",), 0, ("data.version", "greater than or equal to 1")),
        (("person", "person_ref"), "abc", ("data.person.person_ref", "pattern")),
        (("person", "age_band"), "40-49", ("data.person.age_band", "'0-17'")),
        (("person", "imd_decile"), 11, ("data.person.imd_decile", "less than or equal to 10")),
        (("person", "location", "latitude"), 53.8191, ("2 decimal places",)),
        (("person", "nhs_number"), "9990000018", ("data.person.nhs_number", "Extra inputs")),
        (("pcn_code",), "B86999", ("data.pcn_code", "pattern")),
        (("created_at",), "2025-03-03T09:00:00", ("data.created_at", "timezone")),
    ],
)
def test_schema_violations_name_the_field_and_rule(
    path: tuple[str, ...], value: Any, fragments: tuple[str, ...]
) -> None:
    broken = message()
    target = broken["data"]
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    error = reject(raw(broken), SchemaViolation, "uk.linkwork.referral.created.v1", *fragments)
    assert error.event_id == "e-1"
    assert error.event_type == ReferralCreatedV1.TYPE
    assert error.problems


def test_missing_data_field() -> None:
    broken = message()
    del broken["data"]["pcn_code"]
    reject(raw(broken), SchemaViolation, "data.pcn_code: Field required")


def test_subject_must_match_the_key() -> None:
    reject(raw(message(subject="someone-else")), SchemaViolation, "subject 'someone-else'")


class ReferralCreatedV2(Event):
    """A hypothetical v2 with a renamed field, to show a consumer reading both versions."""

    TYPE: ClassVar[str] = "uk.linkwork.referral.created.v2"
    TOPIC: ClassVar[str] = ReferralCreatedV1.TOPIC
    KEY_FIELD: ClassVar[str] = "referral_id"

    referral_id: str
    referral_version: int


def test_a_consumer_that_knows_v1_and_v2_accepts_both(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EVENT_TYPES, ReferralCreatedV2.TYPE, ReferralCreatedV2)
    v2 = ReferralCreatedV2(referral_id=str(CREATED.referral_id), referral_version=2)

    _, first = decode(encode(wrap(CREATED, source="urn:test")))
    _, second = decode(encode(wrap(v2, source="urn:test")))

    assert isinstance(first, ReferralCreatedV1)
    assert isinstance(second, ReferralCreatedV2)
    with pytest.raises(UnknownEventType, match="this consumer reads v1, v2"):
        decode(raw(message(type="uk.linkwork.referral.created.v3")))


def test_a_v1_only_consumer_rejects_v2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EVENT_TYPES, ReferralCreatedV2.TYPE, ReferralCreatedV2)
    v2 = ReferralCreatedV2(referral_id=str(CREATED.referral_id), referral_version=2)
    with pytest.raises(UnknownEventType, match=r"unknown version v2 .* reads v1$"):
        decode(encode(wrap(v2, source="urn:test")), accept=frozenset({ReferralCreatedV1.TYPE}))


def test_event_type_names_are_checked_when_a_model_is_defined() -> None:
    with pytest.raises(TypeError, match="must look like"):

        class BadlyNamed(Event):
            TYPE: ClassVar[str] = "ReferralCreated"
