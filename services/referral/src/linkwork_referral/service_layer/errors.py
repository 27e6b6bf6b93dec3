"""Failures of a use case that are not the domain's rules."""

from __future__ import annotations

from linkwork_contracts.codes import RefusalReason
from linkwork_runtime.messaging import PermanentError


class NotFound(Exception):
    """No such referral (answered 404)."""


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was already used for a different request (answered 422)."""


class RequestRefused(PermanentError):
    """An inbound request the workflow refuses for good: dead-lettered at once and told to its sender."""

    reason = RefusalReason.RULE_BROKEN

    def __init__(self, message: str, reason: RefusalReason | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class Unroutable(RequestRefused):
    """An inbound request names no practice this deployment can place in a PCN (dead-lettered, refused)."""

    reason = RefusalReason.NO_PCN_FOR_PRACTICE
