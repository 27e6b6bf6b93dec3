"""The load generator's HTTP client: pre-encoded POSTs over a pool of keep-alive HTTP/1.1 connections.

The load generator shares the two cores with everything it measures. With httpx it spent about as much CPU
per referral as the referral service itself (bench/system's "load generator" row), so the rate it could
offer, not the system, set the ceiling. This client encodes every request before the step starts and
parses only the status line, Content-Length and the new referral's id: a fraction of httpx's cost.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import orjson


class ProtocolError(Exception):
    """The server answered something this client does not read (no Content-Length, chunked, closed)."""


# uvicorn closes a connection idle for 5 s; one idle for longer than this is not reused, so that a request is
# never written into a connection the server is closing (it would fail without having been read).
IDLE_REUSE_SECONDS = 2.0


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    last_used: float = 0.0

    async def exchange(self, request: bytes) -> tuple[int, bytes, bool]:
        """Send one request; return status, body and whether the server keeps the connection open."""
        self.writer.write(request)
        status_line = await self.reader.readline()
        if not status_line:
            raise ProtocolError("connection closed")
        status = int(status_line.split(b" ", 2)[1])
        length, keep = None, True
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                keep = False
            elif name == b"transfer-encoding":
                raise ProtocolError("chunked responses are not read")
        if length is None:
            raise ProtocolError("no Content-Length")
        return status, await self.reader.readexactly(length), keep

    def close(self) -> None:
        self.writer.close()


@dataclass
class PostClient:
    """POSTs JSON to one path of one server over at most `connections` open connections."""

    base_url: str
    connections: int
    _idle: list[_Connection] = field(default_factory=list)
    _slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self._slots = asyncio.Semaphore(self.connections)
        parts = urlsplit(self.base_url)
        assert parts.hostname is not None and parts.port is not None
        self._host, self._port = parts.hostname, parts.port

    def encode(self, path: str, body: object, headers: dict[str, str]) -> bytes:
        payload = orjson.dumps(body)
        head = [f"POST {path} HTTP/1.1", f"Host: {self._host}:{self._port}", "Content-Type: application/json"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"Content-Length: {len(payload)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + payload

    async def post(self, request: bytes) -> tuple[int, dict[str, object] | None]:
        """Send an encoded request; the status and, for a 2xx, the JSON body."""
        async with self._slots:
            connection = await self._connection()
            try:
                status, body, keep = await connection.exchange(request)
            except BaseException:
                connection.close()
                raise
            if keep:
                connection.last_used = time.monotonic()
                self._idle.append(connection)
            else:
                connection.close()
        return status, (orjson.loads(body) if 200 <= status < 300 else None)

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if time.monotonic() - connection.last_used < IDLE_REUSE_SECONDS:
                return connection
            connection.close()
        return await self._open()

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self._host, self._port)
        return _Connection(reader, writer)

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
