"""Duplicates across imported directories: finding them, dismissing a pair, and merging one service into
another so that the one that stays keeps both histories and the other is withdrawn and redirected."""

from __future__ import annotations

import asyncio
from datetime import datetime
from uuid import UUID

from linkwork_directory.adapters import curation_store as store
from linkwork_directory.adapters.service_reader import Connection, Loaded
from linkwork_directory.domain.duplicates import Candidate, find_duplicates
from linkwork_directory.domain.errors import RecordRejected, UnknownService
from linkwork_directory.service_layer import curation
from linkwork_directory.service_layer.changes import ChangeSink


async def candidates(conn: Connection) -> list[Candidate]:
    listings = await store.load_listings(conn)
    return find_duplicates(listings, dismissed=await store.dismissed_pairs(conn))


class DuplicateFinder:
    """Works the pairs out again only when the directory changed: a curator paging through the pairs, or
    coming back to them, does not pay for scoring every service each time (seconds at 10k services)."""

    def __init__(self) -> None:
        self._fingerprint: tuple[object, ...] | None = None
        self._found: list[Candidate] = []
        self._lock = asyncio.Lock()

    async def candidates(self, conn: Connection) -> list[Candidate]:
        async with self._lock:  # one scoring at a time; the others wait for its answer
            fingerprint = await store.directory_fingerprint(conn)
            if fingerprint != self._fingerprint:
                self._found = await candidates(conn)
                self._fingerprint = fingerprint
            return self._found


async def dismiss(conn: Connection, first: UUID, second: UUID, *, now: datetime, by: str) -> None:
    async with conn.transaction():
        for service_id in (first, second):
            if not await store.lock_service(conn, service_id):
                raise UnknownService(service_id)
        await store.dismiss_pair(conn, first, second, at=now, by=by)


async def merge(
    conn: Connection,
    keep: UUID,
    merge_away: UUID,
    *,
    now: datetime,
    sink: ChangeSink,
    by: str,
    by_name: str | None = None,
    if_match_keep: str | None = None,
    if_match_merged: str | None = None,
) -> Loaded:
    """`merge_away` is withdrawn (and announced so), its readers are sent to `keep`, and the history of `keep`
    from now on includes everything that happened to `merge_away`. Each side's If-Match is checked when given."""
    if keep == merge_away:
        raise RecordRejected("a service cannot be merged into itself")
    async with conn.transaction():
        kept = await curation.load(conn, keep, now)
        if await store.merged_into(conn, keep) is not None:
            raise RecordRejected(f"service {keep} was itself merged into another; merge into that one")
        if await store.merged_into(conn, merge_away) is not None:
            raise RecordRejected(f"service {merge_away} is already merged")
        reason = f"merged into {kept.service.name} ({keep}): the same service listed twice"
        await curation.withdraw(
            conn, merge_away, reason=reason, now=now, sink=sink, actor=by, actor_name=by_name, if_match=if_match_merged
        )
        await curation.verify_version(conn, keep, now, if_match_keep)
        await store.record_merge(conn, merge_away, keep, at=now, by=by, score=None)
        gone = await curation.load(conn, merge_away, now)
        note = f"{gone.service.name} ({merge_away}) merged into this"
        await store.record(conn, keep, at=now, actor=by, actor_name=by_name, action="merged", note=note)
        await store.record(conn, merge_away, at=now, actor=by, actor_name=by_name, action="merged", note=reason)
        return await curation.load(conn, keep, now)
