"""Uptake: the places each referral's agreed plan takes, counted once per plan version (domain/uptake.py).

A plan's change runs in one transaction with the `service-changed` snapshots it causes, like any other change
to a service; the version counted is locked until it ends, so two deliveries of one plan cannot both count it.
"""

from __future__ import annotations

import logging

from linkwork_contracts.events import PlanAgreedV1

from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.uptake import is_newer, plan_change
from linkwork_directory.service_layer.changes import announce
from linkwork_directory.service_layer.ports import Acting, UnitOfWork

log = logging.getLogger(__name__)


async def count_plan(uow: UnitOfWork, plan: PlanAgreedV1, acting: Acting) -> None:
    """Take a place in each service newly in the plan, from the week its activity starts (or the plan was
    agreed), give back the places of services dropped from it, and announce the services whose capacity
    changed. An older or already counted version changes nothing; services this directory does not hold are
    left out."""
    async with uow.transaction():
        counted_version = await uow.uptake.counted_plan_version(plan.referral_id)
        if not is_newer(plan.plan_version, counted_version):
            return
        await uow.uptake.record_plan_version(plan.referral_id, plan.plan_version)
        counted = await uow.uptake.counted_activities(plan.referral_id)
        known = await uow.services.known([a.service_id for a in plan.activities])
        unknown = [a.service_id for a in plan.activities if a.service_id not in known]
        if unknown:
            log.warning("plan %s names services not in this directory: %s", plan.referral_id, unknown)
        change = plan_change(
            counted,
            (
                (a.service_id, week_starting(a.starts_on or plan.agreed_at))
                for a in plan.activities
                if a.service_id in known
            ),
        )
        await uow.uptake.replace_activities(plan.referral_id, change.removed, change.added)
        await announce(uow, change.services, acting.sink, acting.now)
