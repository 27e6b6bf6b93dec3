"""How a send attempt ended, and what happens next: bounded retries with backoff, then undeliverable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    TEMPORARY = "temporary"  # rate limited, provider down, network: worth trying again later
    PERMANENT = "permanent"  # invalid number or address, template missing: trying again cannot help


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    provider_id: str | None = None
    # A short code for the task list and metrics ("rate-limited", "invalid-recipient"); never the address.
    failure: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    initial: timedelta = timedelta(seconds=30)
    maximum: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta | None:
        """The wait before attempt `attempts + 1`, or None when the attempts are used up."""
        if attempts >= self.max_attempts:
            return None
        doubled: timedelta = self.initial * float(2 ** max(attempts - 1, 0))
        return min(doubled, self.maximum)
