"""What the directory's routes share beyond the runtime's context: clock, settings, change sink, jobs; and,
for the routes acting for a signed-in person, that person with the database and the runtime in one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from linkwork_runtime.auth import CurrentPrincipal, Principal, Role, require_role
from linkwork_runtime.context import Pool

from linkwork_directory.adapters.oruk_schemas import OrukSchemas
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.service_layer.changes import ChangeSink
from linkwork_directory.service_layer.duplicates import DuplicateFinder
from linkwork_directory.service_layer.freshness import StaleServicesGauge
from linkwork_directory.service_layer.import_jobs import ImportJobs
from linkwork_directory.service_layer.week_rollover import WeekRollover
from linkwork_directory.settings import Settings


@dataclass
class DirectoryRuntime:
    settings: Settings
    clock: Clock
    sink: ChangeSink
    schemas: OrukSchemas
    jobs: ImportJobs | None = None
    stale_gauge: StaleServicesGauge | None = None
    week_rollover: WeekRollover | None = None
    duplicates: DuplicateFinder = field(default_factory=DuplicateFinder)

    async def after_change(self) -> None:
        if self.stale_gauge is not None:
            await self.stale_gauge.refresh()


def get_runtime(request: Request) -> DirectoryRuntime:
    runtime: DirectoryRuntime = request.app.state.directory
    return runtime


Runtime = Annotated[DirectoryRuntime, Depends(get_runtime)]


@dataclass(frozen=True)
class Acting:
    """A route acting for a signed-in person: who they are, the database and the directory's runtime, which the
    curator and provider routes all need together."""

    principal: Principal
    pool: asyncpg.Pool
    runtime: DirectoryRuntime

    def require(self, *allowed: Role) -> None:
        # In the route, as before: a body is still validated (422) before the role is checked (403).
        require_role(self.principal, *allowed)


def get_acting(pool: Pool, runtime: Runtime, principal: CurrentPrincipal) -> Acting:
    return Acting(principal, pool, runtime)


Actor = Annotated[Acting, Depends(get_acting)]
