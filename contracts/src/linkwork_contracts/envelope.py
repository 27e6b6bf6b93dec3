"""CloudEvents 1.0 over Kafka: wrapping events, encoding and decoding messages.

linkwork produces structured mode: a Kafka record's value is the JSON envelope; its key is
`event.key()`; its `content-type` header is CONTENT_TYPE. It also reads binary mode, which the
CloudEvents Kafka protocol binding requires a receiver to accept: the attributes travel as `ce_*`
headers, `content-type` is the data's media type and the value is the data alone
(`structured_from_binary`). See the CloudEvents 1.0 core spec and its Kafka protocol binding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Self, Union
from uuid import uuid4

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import to_json

from linkwork_contracts.errors import (
    ContractError,
    MalformedEvent,
    SchemaViolation,
    UnknownEventType,
    describe_errors,
)
from linkwork_contracts.events import Event
from linkwork_contracts.registry import EVENT_TYPES, known_versions

__all__ = [
    "CONTENT_TYPE",
    "CloudEvent",
    "ContractError",
    "MalformedEvent",
    "SchemaViolation",
    "UnknownEventType",
    "dataschema_uri",
    "decode",
    "decode_kafka",
    "encode",
    "is_binary_mode",
    "structured_from_binary",
    "wrap",
]

CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
SCHEMA_URI_PREFIX = "urn:linkwork:schema:"
# Kafka protocol binding, binary content mode: each attribute is a header named ce_<attribute>.
BINARY_HEADER_PREFIX = "ce_"
_BINARY_MARKER = "ce_specversion"
# Media types whose binary-mode value is JSON data (parameters such as charset are ignored).
_JSON_MEDIA_TYPES = frozenset({"application/json", "text/json"})
Headers = Sequence[tuple[str, bytes]]
# CloudEvents: extension attribute names are lower-case letters and digits, at most 20 long.
_EXTENSION_NAME = re.compile(r"^[a-z0-9]{1,20}$")

NonEmpty = Annotated[str, Field(min_length=1, max_length=400)]


def dataschema_uri(event_type: str) -> str:
    """The `dataschema` of an event type; the `$id` of its schema in contracts/schemas/."""
    return f"{SCHEMA_URI_PREFIX}{event_type}"


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 envelope. Extension attributes (e.g. traceparent) are kept as extras."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"]
    id: NonEmpty
    source: NonEmpty
    type: NonEmpty
    time: AwareDatetime
    subject: str | None = Field(default=None, min_length=1, max_length=400)
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = Field(default=None, min_length=1, max_length=400)
    data: dict[str, Any]

    @model_validator(mode="after")
    def _extensions_well_formed(self) -> Self:
        for name, value in (self.model_extra or {}).items():
            if not _EXTENSION_NAME.match(name):
                raise ValueError(f"extension attribute {name!r}: names are 1-20 lower-case letters or digits")
            if not isinstance(value, str | int | bool):
                raise ValueError(f"extension attribute {name!r} must be a string, integer or bool")
        return self


def wrap(event: Event, *, source: str, event_id: str | None = None, time: datetime | None = None) -> CloudEvent:
    """The envelope for `event`; subject is its key. Ids default to a new UUID, time to now."""
    return CloudEvent(
        specversion="1.0",
        id=event_id or str(uuid4()),
        source=source,
        type=event.TYPE,
        time=time or datetime.now(UTC),
        subject=event.key(),
        datacontenttype="application/json",
        dataschema=dataschema_uri(event.TYPE),
        data=event.model_dump(mode="json"),
    )


def encode(ce: CloudEvent) -> bytes:
    """The structured-mode JSON bytes of an envelope (absent optional attributes left out)."""
    envelope = {k: v for k, v in ce.model_dump(mode="json").items() if v is not None}
    return to_json(envelope)


def decode(raw: bytes, *, accept: frozenset[str] | None = None) -> tuple[CloudEvent, Event]:
    """Parse a message into its envelope and typed event.

    `accept` narrows the known types to those a consumer handles (by type string); by default
    every type in the registry is accepted. Raises MalformedEvent, UnknownEventType or
    SchemaViolation, each naming the field and the rule that failed.
    """
    typed = _typed_decoder(accept)
    if typed is not None:
        try:
            # One pass over the bytes in pydantic-core: the envelope, its `data` as a dict and the typed event.
            ce, event = _split(typed.validate_json(raw, strict=True))
        except ValidationError:
            pass  # the checked path below names what is wrong, as it always has
        else:
            if ce.subject is None or ce.subject == event.key():
                return ce, event
    return _decode_checked(raw, accept)


def _decode_checked(raw: bytes, accept: frozenset[str] | None) -> tuple[CloudEvent, Event]:
    """`decode` step by step (envelope, type, data): slower, but each failure is told apart and explained."""
    ce = _envelope(raw)
    model = EVENT_TYPES.get(ce.type)
    if model is None or (accept is not None and ce.type not in accept):
        raise UnknownEventType(_unknown_type_message(ce.type, accept), event_id=ce.id, event_type=ce.type)
    try:
        # Strict JSON validation: "5" is not an integer, 1 is not true. Same rules as the schema.
        event = model.model_validate_json(to_json(ce.data), strict=True)
    except ValidationError as error:
        problems = describe_errors(error, prefix="data")
        raise SchemaViolation(
            f"{ce.type} event {ce.id} fails its schema: {'; '.join(problems)}",
            event_id=ce.id,
            event_type=ce.type,
            problems=problems,
        ) from None
    if ce.subject is not None and ce.subject != event.key():
        message = f"subject {ce.subject!r} does not match the event's key {event.key()!r}"
        raise SchemaViolation(message, event_id=ce.id, event_type=ce.type)
    return ce, event


# The typed decoder of each `accept` set, with the (type, model) pairs it was built from: the registry can be
# changed at run time (tests and benchmarks register their own models), so those are checked at every call.
_TYPED: dict[frozenset[str] | None, tuple[tuple[tuple[str, type[Event]], ...], TypeAdapter[Any] | None]] = {}


def _typed_decoder(accept: frozenset[str] | None) -> TypeAdapter[Any] | None:
    cached = _TYPED.get(accept)
    if cached is not None:
        built_from, built = cached
        if (accept is not None or len(built_from) == len(EVENT_TYPES)) and all(
            EVENT_TYPES.get(name) is model for name, model in built_from
        ):
            return built
    pairs = tuple((name, model) for name, model in sorted(EVENT_TYPES.items()) if accept is None or name in accept)
    envelopes: list[Any] = [_typed_envelope(name, model) for name, model in pairs]
    adapter: TypeAdapter[Any] | None = None
    if len(envelopes) == 1:
        adapter = TypeAdapter(envelopes[0])
    elif envelopes:
        # Tagged by `type`: pydantic-core reads it from the parsed JSON and validates against that model only.
        tagged: Any = Annotated[Union[tuple(envelopes)], Field(discriminator="type")]  # noqa: UP007
        adapter = TypeAdapter(tagged)
    _TYPED[accept] = (pairs, adapter)
    return adapter


def _typed_envelope(name: str, model: type[Event]) -> type[CloudEvent]:
    """A CloudEvent of one type whose `data` is validated twice from the one parse: as the dict the envelope
    carries, and (field `event`, read from the same key) as the event model, strictly, as `_decode_checked`."""
    one_type: Any = Literal[name]
    return create_model(
        f"_{model.__name__}Envelope",
        __base__=CloudEvent,
        __module__=__name__,
        type=(one_type, ...),
        event=(model, Field(validation_alias="data", exclude=True, repr=False)),
    )


def _split(typed: CloudEvent) -> tuple[CloudEvent, Event]:
    """The plain CloudEvent (equal to what `_envelope` gives) and the event of a `_typed_envelope` instance.

    Built the way `BaseModel.model_construct` builds an instance, without its per-field loop: the values are
    already validated, and this runs for every message a consumer reads."""
    fields = dict(typed.__dict__)
    event: Event = fields.pop("event")
    ce = CloudEvent.__new__(CloudEvent)
    object.__setattr__(ce, "__dict__", fields)
    object.__setattr__(ce, "__pydantic_extra__", typed.__pydantic_extra__)
    object.__setattr__(ce, "__pydantic_fields_set__", typed.__pydantic_fields_set__ - {"event"})
    object.__setattr__(ce, "__pydantic_private__", None)
    return ce, event


def is_binary_mode(headers: Headers | None) -> bool:
    """Whether a record is a binary-mode CloudEvent: the binding marks it with a ce_specversion header."""
    # A plain loop: this runs twice for every record a consumer reads, and a generator costs more here.
    for name, _ in headers or ():  # noqa: SIM110
        if name == _BINARY_MARKER:
            return True
    return False


def structured_from_binary(raw: bytes, headers: Headers) -> bytes:
    """The structured-mode bytes of a binary-mode record, so one decoder checks both modes alike.

    Header values are UTF-8 strings; `content-type` names the data's media type (JSON only: every
    linkwork event is a JSON object). Any other ce_ header is an extension attribute, kept as a
    string. Raises MalformedEvent, naming the header, when a header or the data cannot be read.
    """
    attributes: dict[str, Any] = {}
    media_type = "application/json"
    for name, value in headers:
        lowered = name.lower()
        if lowered == "content-type":
            media_type = _text(name, value).split(";", 1)[0].strip().lower()
        elif lowered.startswith(BINARY_HEADER_PREFIX) and len(lowered) > len(BINARY_HEADER_PREFIX):
            attributes[lowered[len(BINARY_HEADER_PREFIX) :]] = _text(name, value)
    event_id = attributes.get("id")
    if media_type not in _JSON_MEDIA_TYPES:
        raise MalformedEvent(
            f"binary-mode content-type {media_type!r} is not supported: data must be application/json",
            event_id=event_id,
        )
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedEvent(f"binary-mode data is not JSON: {error}", event_id=event_id) from None
    attributes["datacontenttype"] = "application/json"
    attributes["data"] = data
    return to_json(attributes)


def decode_kafka(
    raw: bytes, headers: Headers | None = None, *, accept: frozenset[str] | None = None
) -> tuple[CloudEvent, Event]:
    """`decode` for a Kafka record in either content mode (binary when it has a ce_specversion header)."""
    if is_binary_mode(headers):
        raw = structured_from_binary(raw, headers or ())
    return decode(raw, accept=accept)


def _text(name: str, value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedEvent(f"header {name} is not UTF-8 text") from None


def _envelope(raw: bytes) -> CloudEvent:
    try:
        return CloudEvent.model_validate_json(raw, strict=True)
    except ValidationError as error:
        envelope_error = error
    # Only failures pay for a second parse, to tell "not JSON" from "not a CloudEvent".
    try:
        parsed = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedEvent(f"message is not JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise MalformedEvent(f"message is JSON but not an object (got {type(parsed).__name__})")
    event_id = parsed.get("id") if isinstance(parsed.get("id"), str) else None
    problems = describe_errors(envelope_error)
    raise MalformedEvent(
        f"message is not a CloudEvents 1.0 envelope: {'; '.join(problems)}",
        event_id=event_id,
        problems=problems,
    )


def _unknown_type_message(event_type: str, accept: frozenset[str] | None) -> str:
    family, _, version = event_type.rpartition(".")
    versions = [v for v in known_versions(family) if accept is None or f"{family}.v{v}" in accept]
    if versions and version.startswith("v"):
        known = ", ".join(f"v{v}" for v in versions)
        return f"unknown version {version} of {family}: this consumer reads {known}"
    if accept is not None:
        return f"event type {event_type} is not one this consumer handles ({', '.join(sorted(accept))})"
    return f"unknown event type {event_type}"
