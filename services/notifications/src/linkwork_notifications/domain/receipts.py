"""What GOV.UK Notify's delivery receipt changes about a message we sent."""

from __future__ import annotations

from linkwork_notifications.domain.messages import Status

# Notify's final failure statuses for a message it accepted (its documented callback statuses).
FAILURES = frozenset({"permanent-failure", "temporary-failure", "technical-failure"})


def after_receipt(notify_status: str, current: Status) -> Status | None:
    """The message's new status, or None when the receipt changes nothing.

    A receipt can arrive twice, late, or after a failure was already recorded: only a message we handed
    over (sent) or saw delivered can still fail, and only one not yet delivered becomes delivered.
    Notify's "temporary-failure" is final on its side (it has stopped retrying), so it is undeliverable here.
    """
    if notify_status == "delivered":
        return Status.DELIVERED if current is not Status.DELIVERED else None
    if notify_status in FAILURES and current in (Status.SENT, Status.DELIVERED):
        return Status.UNDELIVERABLE
    return None
