"""The sender: takes due messages, finds the person's route, sends by their channel, records what happened.

Exactly once per (event, reason): a message is claimed under a lease that is committed *before* the provider
is called, with the message id as the provider's `reference`. If the sender dies mid-send the row stays
`sending`; when the lease runs out the next sender first asks the provider whether a message with that
reference exists (Notify can say), and only sends if it does not. SMTP cannot say, so an interrupted email is
not resent: it becomes undeliverable with a task for the link worker (at most once rather than twice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from linkwork_notifications.domain import tasks
from linkwork_notifications.domain.delivery import Attempt, Outcome, RetryPolicy
from linkwork_notifications.domain.messages import (
    Channel,
    Claimed,
    Reason,
    Settlement,
    Status,
    choose_channel,
    personalisation,
)
from linkwork_notifications.service_layer.ports import (
    ContactRoutes,
    ContactRouteUnavailable,
    InDoubt,
    MessageCounts,
    MessageStore,
    Senders,
)

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(
        self,
        store: MessageStore,
        routes: ContactRoutes,
        channels: Senders,
        metrics: MessageCounts,
        *,
        retry: RetryPolicy,
        batch_size: int,
        lease_seconds: float,
        pcn_names: dict[str, str],
        default_pcn_name: str,
        letters: bool,
        timezone: str,
        acceptance_poll_seconds: float = 600.0,
        acceptance_wait: timedelta = timedelta(days=14),
        now: Callable[[ZoneInfo], datetime] = datetime.now,
    ) -> None:
        self._store = store
        self._routes = routes
        self._channels = channels
        self._metrics = metrics
        self._retry = retry
        self._batch_size = batch_size
        self._lease = lease_seconds
        self._pcn_names = pcn_names
        self._default_pcn_name = default_pcn_name
        self._letters = letters
        self._zone = ZoneInfo(timezone)
        self._now = now
        self._acceptance_poll = acceptance_poll_seconds
        self._acceptance_wait = acceptance_wait

    async def next_round(self) -> float | None:
        """One round as workers/deliveries.py runs it; returns the delay before the next one."""
        # Something sent: more may be due, so go again at once; nothing: wait the interval.
        return 0.0 if await self.run_once() else None

    async def run_once(self) -> int:
        claimed = await self._store.claim(self._batch_size, self._lease)
        for message in claimed:
            await self._deliver(message)
        return len(claimed)

    async def _deliver(self, message: Claimed) -> None:
        if message.in_doubt and message.channel is not None:
            sender = self._channels.for_channel(message.channel)
            if sender is not None:
                try:
                    earlier = await sender.lookup(str(message.id))
                except InDoubt:
                    await self._undeliverable(message, message.channel, "in-doubt-not-resent")
                    return
                if earlier is not None:  # it went out before the crash: record it, send nothing
                    await self._record(message, message.channel, earlier)
                    return
        try:
            route = await self._routes.get(message.referral_id)
        except ContactRouteUnavailable:
            await self._temporary(message, message.channel, Attempt(Outcome.TEMPORARY, failure="route-unavailable"))
            return
        if message.reason is Reason.FIRST_CONTACT and route is not None and not route.accepted:
            await self._await_acceptance(message)
            return
        opted_out = await self._store.opted_out(message.person_ref)
        decision = choose_channel(route, opted_out, letters=self._letters)
        if decision.channel is None or route is None:
            await self._store.settle(
                message.id, Settlement(Status.SUPPRESSED, suppressed_because=decision.suppressed_because)
            )
            self._metrics.count(None, "suppressed")
            return
        channel = decision.channel
        sender = self._channels.for_channel(channel)
        address = route.address(channel)
        if sender is None or address is None:
            await self._undeliverable(message, channel, "channel-not-configured")
            return
        # Recorded before sending, so that after a crash the lookup above asks the right provider.
        await self._store.set_channel(message.id, channel)
        pcn_name = route.pcn_name or self._pcn_names.get(message.pcn_code) or self._default_pcn_name
        values = personalisation(message.reason, pcn_name, message.due_on, self._now(self._zone).date())
        attempt = await sender.send(channel, address, message.reason, values, reference=str(message.id))
        await self._record(message, channel, attempt)

    async def _await_acceptance(self, message: Claimed) -> None:
        """The first-contact message goes after the referral is accepted; one never accepted gets none."""
        if self._now(self._zone) - message.created_at > self._acceptance_wait:
            await self._store.settle(message.id, Settlement(Status.SUPPRESSED, suppressed_because="not-accepted"))
            self._metrics.count(None, "suppressed")
        else:
            await self._store.wait(message.id, self._acceptance_poll)

    async def _record(self, message: Claimed, channel: Channel, attempt: Attempt) -> None:
        if attempt.outcome is Outcome.ACCEPTED:
            await self._store.settle(message.id, Settlement(Status.SENT, provider_id=attempt.provider_id))
            self._metrics.count(channel.value, "sent")
        elif attempt.outcome is Outcome.TEMPORARY:
            await self._temporary(message, channel, attempt)
        else:
            await self._undeliverable(message, channel, attempt.failure or "permanent-failure")

    async def _temporary(self, message: Claimed, channel: Channel | None, attempt: Attempt) -> None:
        delay = self._retry.delay(message.attempts)
        if delay is None:
            await self._undeliverable(message, channel, f"retries-exhausted:{attempt.failure}")
            return
        log.info(
            "message will be retried",
            extra={"message_id": str(message.id), "failure": attempt.failure, "attempts": message.attempts},
        )
        retry = Settlement(Status.PENDING, failure=attempt.failure, retry_in_seconds=delay.total_seconds())
        await self._store.settle(message.id, retry)
        self._metrics.count(channel.value if channel else None, "retried")

    async def _undeliverable(self, message: Claimed, channel: Channel | None, failure: str) -> None:
        today = self._now(self._zone).date()
        task = tasks.undeliverable(
            message.id, message.referral_id, message.pcn_code, message.link_worker_id, channel, failure, today
        )
        await self._store.undeliverable(message.id, failure, task)
        self._metrics.count(channel.value if channel else None, "failed")
        log.warning("message undeliverable", extra={"message_id": str(message.id), "failure": failure})
