"""JSON Schema documents for every event and for the CloudEvents envelope."""

from __future__ import annotations

from typing import Any

from linkwork_contracts.envelope import CloudEvent, dataschema_uri
from linkwork_contracts.events import Event
from linkwork_contracts.registry import EVENT_CLASSES
from linkwork_contracts.topics import TOPICS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_SCHEMA_ID = "urn:linkwork:schema:cloudevent"


def event_schema(cls: type[Event]) -> dict[str, Any]:
    """The JSON Schema of an event's `data`, as consumers validate it."""
    body = cls.model_json_schema(mode="validation")
    spec = TOPICS.get(cls.TOPIC)
    return {
        "$schema": DIALECT,
        "$id": dataschema_uri(cls.TYPE),
        **body,
        "x-linkwork": {
            "type": cls.TYPE,
            "topic": cls.TOPIC,
            "key": cls.KEY_FIELD,
            "producer": spec.producer if spec else None,
            "consumers": list(spec.consumers) if spec else [],
            "identifiable": cls.IDENTIFIABLE,
            # Only on provider events, so the other schemas stay as released.
            **({"shared_with_provider": True} if cls.SHARED_WITH_PROVIDER else {}),
        },
    }


def envelope_schema() -> dict[str, Any]:
    """The JSON Schema of the structured-mode CloudEvents envelope linkwork sends."""
    return {
        "$schema": DIALECT,
        "$id": ENVELOPE_SCHEMA_ID,
        **CloudEvent.model_json_schema(mode="validation"),
    }


def all_event_schemas() -> dict[str, dict[str, Any]]:
    """Every registered event's schema, keyed by event type."""
    return {cls.TYPE: event_schema(cls) for cls in EVENT_CLASSES}
