"""Duplicates across imported directories: finding them, dismissing a pair, and merging one service into
another so that the one that stays keeps both histories and the other is withdrawn and redirected."""

from __future__ import annotations

import asyncio
from uuid import UUID

from linkwork_directory.domain.duplicates import Candidate, find_duplicates
from linkwork_directory.domain.errors import RecordRejected, UnknownService
from linkwork_directory.service_layer import curation
from linkwork_directory.service_layer.ports import Acting, Loaded, UnitOfWork


async def candidates(uow: UnitOfWork) -> list[Candidate]:
    listings = await uow.curation.listings()
    return find_duplicates(listings, dismissed=await uow.curation.dismissed_pairs())


class DuplicateFinder:
    """Works the pairs out again only when the directory changed: a curator paging through the pairs, or
    coming back to them, does not pay for scoring every service each time (seconds at 10k services)."""

    def __init__(self) -> None:
        self._fingerprint: tuple[object, ...] | None = None
        self._found: list[Candidate] = []
        self._lock = asyncio.Lock()

    async def candidates(self, uow: UnitOfWork) -> list[Candidate]:
        async with self._lock:  # one scoring at a time; the others wait for its answer
            fingerprint = await uow.curation.fingerprint()
            if fingerprint != self._fingerprint:
                self._found = await candidates(uow)
                self._fingerprint = fingerprint
            return self._found


async def dismiss(uow: UnitOfWork, first: UUID, second: UUID, acting: Acting) -> None:
    async with uow.transaction():
        for service_id in (first, second):
            if not await uow.services.lock(service_id):
                raise UnknownService(service_id)
        await uow.curation.dismiss_pair(first, second, at=acting.now, by=acting.person.subject)


async def merge(
    uow: UnitOfWork,
    keep: UUID,
    merge_away: UUID,
    acting: Acting,
    *,
    if_match_keep: str | None = None,
    if_match_merged: str | None = None,
) -> Loaded:
    """`merge_away` is withdrawn (and announced so), its readers are sent to `keep`, and the history of `keep`
    from now on includes everything that happened to `merge_away`. Each side's If-Match is checked when given."""
    if keep == merge_away:
        raise RecordRejected("a service cannot be merged into itself")
    now = acting.now
    async with uow.transaction():
        kept = await curation.load(uow, keep, now)
        if await uow.curation.merged_into(keep) is not None:
            raise RecordRejected(f"service {keep} was itself merged into another; merge into that one")
        if await uow.curation.merged_into(merge_away) is not None:
            raise RecordRejected(f"service {merge_away} is already merged")
        reason = f"merged into {kept.service.name} ({keep}): the same service listed twice"
        await curation.withdraw(uow, merge_away, acting, reason=reason, if_match=if_match_merged)
        await curation.verify_version(uow, keep, now, if_match_keep)
        await uow.curation.record_merge(merge_away, keep, at=now, by=acting.person.subject, score=None)
        gone = await curation.load(uow, merge_away, now)
        await uow.curation.record(
            acting.entry(keep, "merged", note=f"{gone.service.name} ({merge_away}) merged into this")
        )
        await uow.curation.record(acting.entry(merge_away, "merged", note=reason))
        return await curation.load(uow, keep, now)
