"""Runs the week rollover (service_layer/week_rollover.py) every interval, so a new week is noticed within it."""

from __future__ import annotations

import logging

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_directory.domain.freshness import Clock
from linkwork_directory.service_layer.ports import ChangeSink, UnitOfWorkFactory
from linkwork_directory.service_layer.week_rollover import roll_over

log = logging.getLogger(__name__)


class WeekRollover:
    """Checks every `interval` seconds (a new week is noticed within that)."""

    def __init__(
        self,
        units: UnitOfWorkFactory,
        *,
        clock: Clock,
        sink: ChangeSink,
        interval: float,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.units, self.clock, self.sink = units, clock, sink
        self._rounds = PeriodicTask("week-rollover", self._round, interval=interval, registry=registry)

    async def run_once(self) -> int:
        total = 0
        while True:
            async with self.units() as uow:
                done = await roll_over(uow, clock=self.clock, sink=self.sink)
            total += done
            if done == 0:
                return total

    async def start(self) -> None:
        await self._rounds.start()

    async def stop(self) -> None:
        await self._rounds.stop()

    async def _round(self) -> None:
        if announced := await self.run_once():
            log.info("announced the new week's places", extra={"services": announced})
