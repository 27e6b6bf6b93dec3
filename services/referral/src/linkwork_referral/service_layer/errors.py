"""Failures of a use case that are not the domain's rules."""

from __future__ import annotations


class NotFound(Exception):
    """No such referral (answered 404)."""


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was already used for a different request (answered 422)."""


class Unroutable(Exception):
    """An inbound request names no practice this deployment can place in a PCN (dead-lettered)."""
