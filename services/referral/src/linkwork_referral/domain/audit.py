"""What an audit record says: a plain value the use cases fill in; adapters/audit.py stores it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class AuditRecord:
    action: str
    outcome: str = "allowed"
    referral_id: UUID | None = None
    referral_pcn: str | None = None
    referral_ids: Sequence[UUID] = ()
    detail: str | None = None
