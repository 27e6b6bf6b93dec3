"""Why a record or a request cannot be applied."""

from __future__ import annotations

from typing import ClassVar, TypedDict


class FieldError(TypedDict):
    """One broken rule, in the shape every service's problem `errors` extension uses (never the value)."""

    field: str
    rule: str
    message: str


def reason_error(reason: str) -> FieldError:
    """A `path: message` reason as a FieldError, for rejections that do not say which rule they break."""
    path, colon, message = reason.partition(": ")
    if not colon:
        return {"field": "(record)", "rule": "rejected", "message": reason}
    return {"field": path, "rule": "rejected", "message": message}


class RecordRejected(Exception):
    """The record is invalid or refers to something that does not exist; nothing of it is stored.

    `reasons` are the lines of an import report; `errors` the same, structured for a problem's `errors`.
    """

    def __init__(self, *reasons: str, errors: list[FieldError] | None = None) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)
        self.errors = errors if errors is not None else [reason_error(reason) for reason in reasons]


class ServiceError(Exception):
    """Something about one service that stops a request; `message` says what, naming `{service_id}`."""

    message: ClassVar[str]

    def __init__(self, service_id: object) -> None:
        super().__init__(self.message.format(service_id=service_id))
        self.service_id = service_id


class UnknownService(ServiceError):
    message = "no service with id {service_id}"


class NotYourService(ServiceError):
    """A provider asked about a service of another organisation (issue 17)."""

    message = "service {service_id} belongs to another organisation"


class UnknownEntry(Exception):
    def __init__(self, entry_id: object) -> None:
        super().__init__(f"no waiting-list entry {entry_id} on this service")
        self.entry_id = entry_id


class StaleVersion(ServiceError):
    """The change was made to a version of the service that is no longer the current one (If-Match failed)."""

    message = "service {service_id} has changed since the version this change was made to"


class VersionRequired(ServiceError):
    """A change to an existing service must say which version it was made to (If-Match)."""

    message = "say which version of service {service_id} this change was made to (If-Match)"
