"""The base of every event model, and small field helpers the models share."""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

TYPE_PATTERN = re.compile(r"^uk\.linkwork\.[a-z][a-z-]*\.[a-z][a-z-]*\.v(?P<version>[1-9][0-9]*)$")


class Event(BaseModel):
    """One versioned event: the `data` of a CloudEvent.

    Subclasses set TYPE (the CloudEvents `type`, ending in `.vN`), TOPIC and KEY_FIELD (the field
    holding the aggregate id that is the Kafka key). Models are frozen, and reject unknown fields
    so a producer's typo fails at the producer, not silently at every consumer.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    TYPE: ClassVar[str]
    TOPIC: ClassVar[str]
    KEY_FIELD: ClassVar[str]
    # Only inbound referral requests may carry patient-identifiable data; the privacy guard
    # checks every other event's schema.
    IDENTIFIABLE: ClassVar[bool] = False
    # Events a provider (outside the NHS care team) receives: no person_ref, and person details only as the
    # privacy guard's PROVIDER_SHARED_FIELDS allow (what the person agreed to share with that provider).
    SHARED_WITH_PROVIDER: ClassVar[bool] = False

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "TYPE" in cls.__dict__ and not TYPE_PATTERN.match(cls.TYPE):
            raise TypeError(f"{cls.__name__}.TYPE {cls.TYPE!r} must look like uk.linkwork.x.y.v1")

    def key(self) -> str:
        """The Kafka key: the id of the aggregate this event is about."""
        return str(getattr(self, self.KEY_FIELD))

    @classmethod
    def type_version(cls) -> int:
        match = TYPE_PATTERN.match(cls.TYPE)
        assert match is not None  # checked when the class was defined
        return int(match.group("version"))

    @classmethod
    def family(cls) -> str:
        """The type without its version suffix, e.g. `uk.linkwork.referral.created`."""
        return cls.TYPE.rsplit(".", 1)[0]


H = TypeVar("H", bound=Hashable)

# For tuple fields that are sets in meaning; the JSON Schema says so too.
UNIQUE = {"uniqueItems": True}


def has_repeats(values: Collection[Hashable]) -> bool:
    """Whether some value occurs more than once (for model validators that say which field repeats)."""
    return len(set(values)) != len(values)


def no_duplicates(values: tuple[H, ...]) -> tuple[H, ...]:
    # Runs for several fields of every event a consumer decodes: the usual case (a few distinct values)
    # returns after one comparison or one set built in C.
    if len(values) < 2 or not has_repeats(values):
        return values
    seen: set[H] = set()
    repeated: list[H] = []
    for value in values:
        if value in seen:
            repeated.append(value)
        seen.add(value)
    if repeated:
        raise ValueError(f"values must not repeat; repeated: {', '.join(map(str, repeated))}")
    return values
