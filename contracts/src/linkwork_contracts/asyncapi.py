"""The AsyncAPI 3.0 document of every topic, message, producer and consumer.

One document for the whole system: channels are Kafka topics (plus their dead-letter topics),
messages are CloudEvents envelopes whose `data` is the event schema, and each service's sends
and receives are operations tagged with the service's name.

Both content modes of the CloudEvents Kafka protocol binding are described: `<Event>` is structured
mode (the envelope is the value; what linkwork produces), `<Event>Binary` is binary mode (attributes in
`ce_*` headers, the value is the data alone), which every linkwork consumer also accepts. Systems
outside linkwork may send either.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from linkwork_contracts import __version__
from linkwork_contracts.envelope import CONTENT_TYPE, CloudEvent, dataschema_uri
from linkwork_contracts.events import Event
from linkwork_contracts.examples import example_envelope
from linkwork_contracts.registry import EVENT_CLASSES, event_types_for_topic
from linkwork_contracts.topics import EXISTING_SYSTEMS, TOPICS, TopicSpec, dlq

_REF = "#/components/schemas/{model}"
_KAFKA_BINDING = "0.5.0"
_DEAD_LETTER = "DeadLetter"
BINARY_SUFFIX = "Binary"
_BINARY_CONTENT_TYPE = "application/json"


def asyncapi_document() -> dict[str, Any]:
    names, definitions = models_json_schema(
        [(CloudEvent, "validation"), *((cls, "validation") for cls in EVENT_CLASSES)],
        ref_template=_REF,
    )
    schema_name = {model: ref["$ref"].rsplit("/", 1)[1] for (model, _), ref in names.items()}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in TOPICS.values():
        classes = event_types_for_topic(spec.name)
        channels[spec.name] = _channel(spec, classes)
        channels[dlq(spec.name)] = _dead_letter_channel(spec)
        operations.update(_operations(spec, classes))
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "linkwork events",
            "version": __version__,
            "description": (
                "Events exchanged by the linkwork social prescribing services and the existing "
                "systems around them. Every message is a CloudEvents 1.0 event. linkwork produces "
                "structured JSON mode (the envelope is the value); every consumer also accepts binary "
                "mode (attributes in ce_* headers, content-type application/json, the value is the "
                "data alone), as the CloudEvents Kafka protocol binding requires. The Kafka key is the "
                "aggregate id named per channel."
            ),
            "license": {"name": "Open source; see the repository licence"},
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "local": {
                "host": "localhost:9092",
                "protocol": "kafka",
                "description": "The local single-node broker started by the stack runner",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": definitions["$defs"],
            "messages": {
                **{cls.__name__: _message(cls, schema_name) for cls in EVENT_CLASSES},
                **{cls.__name__ + BINARY_SUFFIX: _binary_message(cls, schema_name) for cls in EVENT_CLASSES},
                _DEAD_LETTER: {
                    "name": _DEAD_LETTER,
                    "title": "Dead letter",
                    "summary": "A message a consumer could not process, unchanged.",
                    "description": (
                        "The original value and key, with headers naming the original topic, "
                        "partition, offset, consumer, error type and message, attempts and time."
                    ),
                    "payload": {},
                },
            },
        },
    }


def _channel(spec: TopicSpec, classes: tuple[type[Event], ...]) -> dict[str, Any]:
    config: dict[str, Any] = {"cleanup.policy": ["compact" if spec.compacted else "delete"]}
    return {
        "address": spec.name,
        "title": spec.name,
        "description": f"{spec.description} Key: {spec.key}.",
        "messages": {
            name: {"$ref": f"#/components/messages/{name}"}
            for c in classes
            for name in (c.__name__, c.__name__ + BINARY_SUFFIX)
        },
        "bindings": {
            "kafka": {
                "topic": spec.name,
                "topicConfiguration": config,
                "bindingVersion": _KAFKA_BINDING,
            }
        },
    }


def _dead_letter_channel(spec: TopicSpec) -> dict[str, Any]:
    return {
        "address": dlq(spec.name),
        "title": dlq(spec.name),
        "description": f"Messages from {spec.name} that no retry can fix, for operators.",
        "messages": {_DEAD_LETTER: {"$ref": f"#/components/messages/{_DEAD_LETTER}"}},
    }


def _operations(spec: TopicSpec, classes: tuple[type[Event], ...]) -> dict[str, Any]:
    def operation(action: str, who: str, channel: str, names: list[str]) -> dict[str, Any]:
        return {
            "action": action,
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in names],
            "tags": [{"name": who}],
        }

    names = [c.__name__ for c in classes]
    both = [n for c in classes for n in (c.__name__, c.__name__ + BINARY_SUFFIX)]
    # linkwork's own services produce structured mode only; systems outside linkwork may send either.
    sent = both if spec.producer == EXISTING_SYSTEMS else names
    ops = {f"{spec.producer}-sends-{spec.name}": operation("send", spec.producer, spec.name, sent)}
    for consumer in spec.consumers:
        ops[f"{consumer}-receives-{spec.name}"] = operation("receive", consumer, spec.name, both)
        ops[f"{consumer}-dead-letters-{spec.name}"] = operation("send", consumer, dlq(spec.name), [_DEAD_LETTER])
    ops[f"operators-receive-{dlq(spec.name)}"] = operation("receive", "operators", dlq(spec.name), [_DEAD_LETTER])
    return ops


def _message(cls: type[Event], schema_name: dict[type[Any], str]) -> dict[str, Any]:
    return {
        "name": cls.__name__,
        "title": cls.TYPE,
        "summary": (cls.__doc__ or cls.TYPE).strip().splitlines()[0],
        "contentType": CONTENT_TYPE,
        "payload": {
            "allOf": [
                {"$ref": _REF.format(model=schema_name[CloudEvent])},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": cls.TYPE},
                        "dataschema": {"const": dataschema_uri(cls.TYPE)},
                        "data": {"$ref": _REF.format(model=schema_name[cls])},
                    },
                },
            ]
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"{cls.KEY_FIELD} of the event"},
                "bindingVersion": _KAFKA_BINDING,
            }
        },
        "examples": [{"name": "example", "payload": example_envelope(cls.TYPE).model_dump(mode="json")}],
    }


def _binary_message(cls: type[Event], schema_name: dict[type[Any], str]) -> dict[str, Any]:
    """Binary content mode: the same event, its attributes as ce_* headers and its data as the value."""
    text = {"type": "string", "minLength": 1}
    example = example_envelope(cls.TYPE).model_dump(mode="json")
    return {
        "name": cls.__name__ + BINARY_SUFFIX,
        "title": f"{cls.TYPE} (binary mode)",
        "summary": f"{cls.TYPE} in CloudEvents binary content mode: accepted, never produced by linkwork.",
        "description": (
            "Each CloudEvents attribute is a Kafka header named ce_<attribute> with a UTF-8 value "
            "(ce_time in RFC 3339 with an offset); other ce_ headers are extension attributes. The "
            "content-type header is the data's media type and must be application/json. The value is "
            "the event's data alone, checked against the same schema as in structured mode."
        ),
        "contentType": _BINARY_CONTENT_TYPE,
        "headers": {
            "type": "object",
            "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time"],
            "properties": {
                "ce_specversion": {"const": "1.0"},
                "ce_id": text,
                "ce_source": text,
                "ce_type": {"const": cls.TYPE},
                "ce_time": {"type": "string", "format": "date-time"},
                "ce_subject": {**text, "description": f"the Kafka key again ({cls.KEY_FIELD})"},
                "ce_dataschema": {"const": dataschema_uri(cls.TYPE)},
                "content-type": {"type": "string", "pattern": "^(application|text)/json(;.*)?$"},
            },
        },
        "payload": {"$ref": _REF.format(model=schema_name[cls])},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"{cls.KEY_FIELD} of the event"},
                "bindingVersion": _KAFKA_BINDING,
            }
        },
        "examples": [
            {
                "name": "example",
                "headers": {
                    **{f"ce_{k}": v for k, v in example.items() if k not in ("data", "datacontenttype") and v},
                    "content-type": _BINARY_CONTENT_TYPE,
                },
                "payload": example["data"],
            }
        ],
    }
