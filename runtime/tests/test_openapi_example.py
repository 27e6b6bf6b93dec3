"""`linkwork_runtime.openapi.example`: the one way a model shows its request body example."""

from __future__ import annotations

import pytest
from linkwork_runtime.openapi import example
from pydantic import BaseModel, ValidationError

pytestmark = pytest.mark.unit


def test_the_body_is_the_schemas_one_example() -> None:
    class Note(BaseModel):
        model_config = example({"reason": "moved away"})

        reason: str

    assert Note.model_json_schema()["examples"] == [{"reason": "moved away"}]


def test_other_settings_pass_through() -> None:
    class Strict(BaseModel):
        model_config = example({"reason": "moved away"}, extra="forbid")

        reason: str

    assert Strict.model_config["extra"] == "forbid"
    assert Strict.model_json_schema()["examples"] == [{"reason": "moved away"}]
    with pytest.raises(ValidationError):
        Strict.model_validate({"reason": "moved away", "other": 1})
