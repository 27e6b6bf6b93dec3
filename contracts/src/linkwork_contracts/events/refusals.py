"""referral-request-refused: a sender hears that its referral request was refused, and why.

Carries no person data, only what the sender needs to find its own request again (its `request_id`, the
CloudEvent id and `source` it sent) and a reason code from `codes.RefusalReason` with a message naming the
field and rule, never a value.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from linkwork_contracts import topics
from linkwork_contracts.codes import RefusalReason
from linkwork_contracts.events.base import Event
from linkwork_contracts.identifiers import RequestId


class ReferralRequestRefusedV1(Event):
    """A referral request was refused for good; resending it unchanged is refused again."""

    TYPE: ClassVar[str] = "uk.linkwork.referral.request-refused.v1"
    TOPIC: ClassVar[str] = topics.REFERRAL_REQUEST_REFUSED
    KEY_FIELD: ClassVar[str] = "request_id"

    request_id: RequestId = Field(description="The sender's request id (or the record's key if unreadable)")
    request_event_id: str | None = Field(
        default=None, min_length=1, max_length=400, description="The CloudEvent id of the refused message"
    )
    source: str | None = Field(
        default=None, min_length=1, max_length=400, description="The CloudEvent source of the refused message"
    )
    refused_at: AwareDatetime
    reason: RefusalReason
    message: str = Field(
        min_length=1, max_length=2000, description="What was wrong, naming field and rule; never a value"
    )
