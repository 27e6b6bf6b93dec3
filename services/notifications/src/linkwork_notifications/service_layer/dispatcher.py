"""The sender: takes due messages, finds the person's route, sends by their channel, records what happened.

Exactly once per (event, reason): a message is claimed under a lease that is committed *before* the provider
is called, with the message id as the provider's `reference`. If the sender dies mid-send the row stays
`sending`; when the lease runs out the next sender first asks the provider whether a message with that
reference exists (Notify can say), and only sends if it does not. SMTP cannot say, so an interrupted email is
not resent: it becomes undeliverable with a task for the link worker (at most once rather than twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg

from linkwork_notifications.adapters import store
from linkwork_notifications.adapters.channels import Channels, InDoubt
from linkwork_notifications.adapters.contacts import ContactRoutes, ContactRouteUnavailable
from linkwork_notifications.domain.delivery import Attempt, Outcome, RetryPolicy
from linkwork_notifications.domain.messages import Channel, Status, choose_channel, personalisation
from linkwork_notifications.metrics import NotificationMetrics

log = logging.getLogger(__name__)

_CHANNEL_WORDS = {Channel.SMS: "SMS", Channel.EMAIL: "email", Channel.LETTER: "letter"}


class Dispatcher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        routes: ContactRoutes,
        channels: Channels,
        metrics: NotificationMetrics,
        *,
        retry: RetryPolicy,
        interval: float,
        batch_size: int,
        lease_seconds: float,
        pcn_names: dict[str, str],
        default_pcn_name: str,
        letters: bool,
        timezone: str,
    ) -> None:
        self._pool = pool
        self._routes = routes
        self._channels = channels
        self._metrics = metrics
        self._retry = retry
        self._interval = interval
        self._batch_size = batch_size
        self._lease = lease_seconds
        self._pcn_names = pcn_names
        self._default_pcn_name = default_pcn_name
        self._letters = letters
        self._zone = ZoneInfo(timezone)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notifications-dispatcher")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                sent = await self.run_once()
            except Exception:  # a database outage must not end the sender; the next round tries again
                log.exception("notifications dispatcher round failed")
                sent = 0
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._interval)

    async def run_once(self) -> int:
        claimed = await store.claim(self._pool, self._batch_size, self._lease)
        for message in claimed:
            await self._deliver(message)
        return len(claimed)

    async def _deliver(self, message: store.Claimed) -> None:
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
        async with self._pool.acquire() as connection:
            opted_out = await store.opted_out(connection, message.person_ref)
        decision = choose_channel(route, opted_out, letters=self._letters)
        if decision.channel is None or route is None:
            async with self._pool.acquire() as connection:
                await store.settle(
                    connection, message.id, Status.SUPPRESSED, suppressed_because=decision.suppressed_because
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
        await store.set_channel(self._pool, message.id, channel)
        today = datetime.now(self._zone).date()
        pcn_name = route.pcn_name or self._pcn_names.get(message.pcn_code) or self._default_pcn_name
        values = personalisation(message.reason, pcn_name, message.due_on, today)
        attempt = await sender.send(channel, address, message.reason, values, reference=str(message.id))
        await self._record(message, channel, attempt)

    async def _record(self, message: store.Claimed, channel: Channel, attempt: Attempt) -> None:
        if attempt.outcome is Outcome.ACCEPTED:
            async with self._pool.acquire() as connection:
                await store.settle(connection, message.id, Status.SENT, provider_id=attempt.provider_id)
            self._metrics.count(channel.value, "sent")
        elif attempt.outcome is Outcome.TEMPORARY:
            await self._temporary(message, channel, attempt)
        else:
            await self._undeliverable(message, channel, attempt.failure or "permanent-failure")

    async def _temporary(self, message: store.Claimed, channel: Channel | None, attempt: Attempt) -> None:
        delay = self._retry.delay(message.attempts)
        if delay is None:
            await self._undeliverable(message, channel, f"retries-exhausted:{attempt.failure}")
            return
        log.info(
            "message will be retried",
            extra={"message_id": str(message.id), "failure": attempt.failure, "attempts": message.attempts},
        )
        async with self._pool.acquire() as connection:
            await store.settle(
                connection,
                message.id,
                Status.PENDING,
                failure=attempt.failure,
                retry_in_seconds=delay.total_seconds(),
            )
        self._metrics.count(channel.value if channel else None, "retried")

    async def _undeliverable(self, message: store.Claimed, channel: Channel | None, failure: str) -> None:
        async with self._pool.acquire() as connection, connection.transaction():
            await store.settle(connection, message.id, Status.UNDELIVERABLE, failure=failure)
            await raise_undeliverable_task(connection, message, channel, failure)
        self._metrics.count(channel.value if channel else None, "failed")
        log.warning("message undeliverable", extra={"message_id": str(message.id), "failure": failure})


async def raise_undeliverable_task(
    connection: asyncpg.Connection, message: store.Claimed | asyncpg.Record, channel: Channel | None, failure: str
) -> None:
    """'could not reach by SMS' on the link worker's list, linked to the referral."""
    get = message.__getitem__ if isinstance(message, asyncpg.Record) else message.__getattribute__
    words = _CHANNEL_WORDS.get(channel, "message") if channel else "message"
    await store.add_task(
        connection,
        kind="undeliverable",
        subject_id=str(get("id")),
        referral_id=get("referral_id"),
        pcn_code=get("pcn_code"),
        link_worker_id=get("link_worker_id"),
        due_on=datetime.now().date(),
        detail=f"could not reach by {words} ({failure})",
    )
