"""Why a record or a request cannot be applied."""

from __future__ import annotations


class RecordRejected(Exception):
    """The record is invalid or refers to something that does not exist; nothing of it is stored."""

    def __init__(self, *reasons: str) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


class UnknownService(Exception):
    def __init__(self, service_id: object) -> None:
        super().__init__(f"no service with id {service_id}")
        self.service_id = service_id


class NotYourService(Exception):
    """A provider asked about a service of another organisation (issue 17)."""

    def __init__(self, service_id: object) -> None:
        super().__init__(f"service {service_id} belongs to another organisation")
        self.service_id = service_id


class UnknownEntry(Exception):
    def __init__(self, entry_id: object) -> None:
        super().__init__(f"no waiting-list entry {entry_id} on this service")
        self.entry_id = entry_id


class StaleVersion(Exception):
    """The change was made to a version of the service that is no longer the current one (If-Match failed)."""

    def __init__(self, service_id: object) -> None:
        super().__init__(f"service {service_id} has changed since the version this change was made to")
        self.service_id = service_id


class VersionRequired(Exception):
    """A change to an existing service must say which version it was made to (If-Match)."""

    def __init__(self, service_id: object) -> None:
        super().__init__(f"say which version of service {service_id} this change was made to (If-Match)")
        self.service_id = service_id
