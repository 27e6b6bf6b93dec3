"""Dead-letter headers and log lines name the field and the rule, never the value (issue 15)."""

from __future__ import annotations

from datetime import date

import pytest
from linkwork_runtime.messaging.redaction import REDACTED, safe_message, scrub
from pydantic import BaseModel, ValidationError, field_validator

pytestmark = pytest.mark.unit


class Person(BaseModel):
    date_of_birth: date
    postcode: str

    @field_validator("postcode")
    @classmethod
    def _shape(cls, value: str) -> str:
        raise ValueError(f"{value!r} is not a postcode")  # a careless validator that echoes its input


def test_validation_errors_keep_locations_and_rules_only() -> None:
    with pytest.raises(ValidationError) as failed:
        Person.model_validate({"date_of_birth": "1987-02-30", "postcode": "QQ99 9QQX"})
    message = safe_message(failed.value)
    assert "date_of_birth: date_from_datetime_parsing" in message or "date_of_birth: date_parsing" in message
    assert "postcode: value_error" in message
    assert "1987-02-30" not in message and "QQ99" not in message


def test_a_wrapped_validation_error_is_described_by_its_rules() -> None:
    try:
        try:
            Person.model_validate({"date_of_birth": "1987-02-30", "postcode": "LS6 1AA"})
        except ValidationError as error:
            raise RuntimeError("event abc fails its schema") from error
    except RuntimeError as wrapped:
        message = safe_message(wrapped)
    assert message.startswith("event abc fails its schema: Person failed")
    assert "LS6 1AA" not in message


@pytest.mark.parametrize(
    "text",
    [
        "nhs number 943 476 5919 rejected",
        "nhs number 9434765919 rejected",
        "born 1987-02-30",
        "born 30/02/1987",
        "lives at LS6 1AA",
        "write to ada@example.org",
        "ring 0113 496 0000",
        "name 'Ada Lovelace' refused",
    ],
)
def test_other_messages_are_scrubbed_of_what_looks_like_a_person_s_data(text: str) -> None:
    assert REDACTED in scrub(text)
    for token in ("9434765919", "943 476 5919", "1987", "LS6 1AA", "ada@", "496 0000", "Lovelace"):
        assert token not in scrub(text)


@pytest.mark.parametrize(
    "text",
    [
        "event 24e4caf2-9611-4d35-9015-cebb49deaaed: practice Z00000 is not in any PCN",
        "event type 'uk.linkwork.test.never-heard-of.v1' is not one this consumer handles",
    ],
)
def test_ids_codes_and_event_types_survive(text: str) -> None:
    assert scrub(text) == text
