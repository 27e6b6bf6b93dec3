"""What the directory's routes share beyond the runtime's context: clock, settings, change sink, jobs; for the
routes acting for a signed-in person, that person with the runtime in one; and the unit of work the use cases
take."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from linkwork_runtime.auth import CurrentPrincipal, Principal, Role, require_role
from linkwork_runtime.context import Pool

from linkwork_directory.adapters.oruk_schemas import OrukSchemas
from linkwork_directory.adapters.unit_of_work import PostgresUnitOfWork
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.service_layer.changes import ChangeSink
from linkwork_directory.service_layer.duplicates import DuplicateFinder
from linkwork_directory.service_layer.freshness import StaleServicesGauge
from linkwork_directory.service_layer.import_jobs import ImportJobs
from linkwork_directory.service_layer.ports import Acting, UnitOfWork
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
class Caller:
    """A route acting for a signed-in person: who they are and the directory's runtime, which the curator and
    provider routes all need together."""

    principal: Principal
    runtime: DirectoryRuntime

    def require(self, *allowed: Role) -> None:
        # In the route, as before: a body is still validated (422) before the role is checked (403).
        require_role(self.principal, *allowed)

    def acting(self) -> Acting:
        """This person changing the directory now, as the use cases take it."""
        return Acting(self.runtime.clock.now(), self.runtime.sink, self.principal)


def get_caller(runtime: Runtime, principal: CurrentPrincipal) -> Caller:
    return Caller(principal, runtime)


SignedIn = Annotated[Caller, Depends(get_caller)]


async def get_unit_of_work(pool: Pool) -> AsyncIterator[UnitOfWork]:
    """The directory's records for one route, on a connection from the pool: the one place that picks the adapter."""
    async with pool.acquire() as conn:
        yield PostgresUnitOfWork(conn)


# scope="function": the connection goes back to the pool when the route returns, not after the response is sent.
UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work, scope="function")]
