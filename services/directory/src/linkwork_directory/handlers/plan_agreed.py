"""plan-agreed: count each service's uptake and places taken, and announce the new capacity."""

from __future__ import annotations

import logging

from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import PlanAgreedV1

from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.domain.uptake import is_newer, plan_change
from linkwork_directory.service_layer.changes import ChangeSink, announce
from linkwork_directory.service_layer.ports import ConsumerTransaction, UnitOfWorkFactory

log = logging.getLogger(__name__)


class PlanAgreedHandler:
    def __init__(self, units: UnitOfWorkFactory, sink: ChangeSink, clock: Clock) -> None:
        self.units, self.sink, self.clock = units, sink, clock

    async def __call__(self, event: PlanAgreedV1, envelope: CloudEvent, transaction: ConsumerTransaction) -> None:
        uow = self.units.joining(transaction)
        counted_version = await uow.uptake.counted_plan_version(event.referral_id)
        if not is_newer(event.plan_version, counted_version):
            return
        await uow.uptake.record_plan_version(event.referral_id, event.plan_version)
        counted = await uow.uptake.counted_activities(event.referral_id)
        known = await uow.services.known([a.service_id for a in event.activities])
        unknown = [a.service_id for a in event.activities if a.service_id not in known]
        if unknown:
            log.warning("plan %s names services not in this directory: %s", event.referral_id, unknown)
        change = plan_change(
            counted,
            (
                (a.service_id, week_starting(a.starts_on or event.agreed_at))
                for a in event.activities
                if a.service_id in known
            ),
        )
        await uow.uptake.replace_activities(event.referral_id, change.removed, change.added)
        await announce(uow, change.services, self.sink, self.clock.now())
