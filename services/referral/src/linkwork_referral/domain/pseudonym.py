"""The pseudonymous `person_ref` that stands for a person in every outgoing event."""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from linkwork_contracts.identifiers import derive_person_ref


class PersonRefKey:
    """Holds the per-deployment HMAC secret; `person_ref(...)` is stable within a deployment."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the person_ref secret (LINKWORK_PERSON_REF_SECRET) must be at least 32 bytes")
        self._secret = secret

    def person_ref(self, nhs_number: str | None, referral_id: UUID) -> str:
        if nhs_number is not None:
            return derive_person_ref(nhs_number, self._secret)
        # A self-referrer who does not know their NHS number: the reference stays pseudonymous
        # but cannot link episodes, so it is keyed on this referral alone. The prefix keeps it
        # from ever colliding with an NHS-number reference.
        message = f"referral:{referral_id}".encode("ascii")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()
