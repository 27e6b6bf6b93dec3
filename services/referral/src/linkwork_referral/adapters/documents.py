"""The referral aggregate as a JSON document, for its jsonb column.

pydantic serialises the domain's plain dataclasses (and the contract models inside them) without
the domain knowing; the pending domain events are not state and are left out.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from linkwork_referral.domain.referral import Referral

_ADAPTER: TypeAdapter[Referral] = TypeAdapter(Referral)


def to_document(referral: Referral) -> dict[str, Any]:
    document = _ADAPTER.dump_python(referral, mode="json", exclude={"pending_events"})
    assert isinstance(document, dict)
    return document


def from_document(document: dict[str, Any]) -> Referral:
    return _ADAPTER.validate_python(document)
