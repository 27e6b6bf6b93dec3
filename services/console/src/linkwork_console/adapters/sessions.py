"""Server-side sessions in the console's own PostgreSQL database.

The browser holds only a random 256-bit id in an HttpOnly cookie; the table stores its SHA-256, the session's
data (CSRF token, sign-in state, the person's tokens) and its expiry. Sessions end after a period unused and,
whatever happens, a fixed time after they were created.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import asyncpg

# A session seen again within this long is not written back just to move its idle clock: one write a
# minute per person instead of one per page.
TOUCH_INTERVAL = timedelta(seconds=60)


def _hash(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode()).digest()


@dataclass
class Session:
    id: str
    data: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime
    new: bool = False
    dirty: bool = False
    ended: bool = False
    previous_id: str | None = field(default=None, repr=False)

    @classmethod
    def start(cls, now: datetime) -> Session:
        # Not dirty: an anonymous visitor who only reads a page leaves no row behind.
        return cls(secrets.token_urlsafe(32), {"csrf": secrets.token_urlsafe(32)}, now, now, new=True)

    @property
    def csrf_token(self) -> str:
        if self.new:
            self.dirty = True  # a form is about to carry this token: keep the session that can check it
        return str(self.data["csrf"])

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.dirty = True

    def pop(self, key: str) -> Any:
        self.dirty = True
        return self.data.pop(key, None)

    def rotate(self) -> None:
        """A new id (and CSRF token) on signing in, so an id planted before sign-in is worthless after it."""
        self.previous_id = self.previous_id or self.id
        self.id = secrets.token_urlsafe(32)
        self.data["csrf"] = secrets.token_urlsafe(32)
        self.new = True
        self.dirty = True

    def end(self) -> None:
        self.ended = True


class SessionStore(Protocol):
    async def load(self, session_id: str, now: datetime) -> Session | None: ...
    async def save(self, session: Session, now: datetime) -> None: ...
    async def delete(self, session_id: str) -> None: ...


@dataclass
class PostgresSessionStore:
    pool: asyncpg.Pool
    idle: timedelta
    lifetime: timedelta

    def _expiry(self, session: Session, now: datetime) -> datetime:
        return min(now + self.idle, session.created_at + self.lifetime)

    async def load(self, session_id: str, now: datetime) -> Session | None:
        row = await self.pool.fetchrow(
            "SELECT data, created_at, last_seen_at FROM console_sessions WHERE id_hash = $1 AND expires_at > $2",
            _hash(session_id),
            now,
        )
        if row is None:
            return None
        session = Session(session_id, row["data"], row["created_at"], row["last_seen_at"])
        if now - session.last_seen_at >= TOUCH_INTERVAL:
            session.last_seen_at = now
            session.dirty = True
        return session

    async def save(self, session: Session, now: datetime) -> None:
        async with self.pool.acquire() as connection, connection.transaction():
            if session.previous_id is not None:
                await connection.execute("DELETE FROM console_sessions WHERE id_hash = $1", _hash(session.previous_id))
                session.previous_id = None
            await connection.execute(
                """INSERT INTO console_sessions (id_hash, created_at, last_seen_at, expires_at, data)
                   VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (id_hash) DO UPDATE
                   SET last_seen_at = excluded.last_seen_at, expires_at = excluded.expires_at, data = excluded.data""",
                _hash(session.id),
                session.created_at,
                now,
                self._expiry(session, now),
                session.data,
            )
        session.dirty = False
        session.new = False

    async def delete(self, session_id: str) -> None:
        await self.pool.execute("DELETE FROM console_sessions WHERE id_hash = $1", _hash(session_id))

    async def purge_expired(self, now: datetime) -> int:
        status: str = await self.pool.execute("DELETE FROM console_sessions WHERE expires_at <= $1", now)
        return int(status.rsplit(" ", 1)[1])


def utc_now() -> datetime:
    return datetime.now(UTC)
