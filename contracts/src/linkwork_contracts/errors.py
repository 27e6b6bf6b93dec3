"""Why an incoming message could not be turned into an event.

The messaging layer sends a message that raises any of these straight to the topic's DLQ (no
retry can fix it), with the class name and message in the DLQ headers. Messages say exactly
what is wrong: which field, and which rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError


class ContractError(ValueError):
    """An incoming message breaks the event contract."""

    def __init__(
        self,
        message: str,
        *,
        event_id: str | None = None,
        event_type: str | None = None,
        problems: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.event_id = event_id
        self.event_type = event_type
        self.problems = tuple(problems) or (message,)


class MalformedEvent(ContractError):
    """Not JSON, or not a CloudEvents 1.0 structured-mode envelope."""


class UnknownEventType(ContractError):
    """A CloudEvents type (or a version of it) this consumer does not know."""


class SchemaViolation(ContractError):
    """The envelope is fine but its data fails the event model."""


def describe_errors(error: ValidationError, *, prefix: str = "") -> list[str]:
    """One line per pydantic error: `dotted.location: message [error type]`."""
    lines = []
    for detail in error.errors(include_url=False):
        location = ".".join(str(part) for part in (prefix, *detail["loc"]) if part != "")
        lines.append(f"{location or '(root)'}: {detail['msg']} [{detail['type']}]")
    return lines
