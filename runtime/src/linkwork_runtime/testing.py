"""Test support: run a service app in-process, lifespan included, and talk to it over HTTP; bad-input tables;
the transaction of the services' in-memory fake units of work (`FakeTransaction`)."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any, Generic, TypeVar

import asyncpg
import httpx
import jwt
import uvicorn
from asyncpg.exceptions import SerializationError
from fastapi import FastAPI

from linkwork_runtime.auth import issue_token

ERROR_KEYS = {"field", "rule", "message"}


def check_problem(body: Any) -> None:
    """A problem body's `errors` extension, when present, has the one shape of every service:
    a list of {field, rule, message} strings (the OpenAPI `Problem` schema declares the same)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors is None:
        return
    assert isinstance(errors, list), f"problem errors must be a list: {body}"
    for error in errors:
        assert isinstance(error, dict) and set(error) == ERROR_KEYS, f"problem errors item is not {ERROR_KEYS}: {body}"
        assert all(isinstance(value, str) for value in error.values()), f"problem errors hold strings: {body}"


async def _check_problem_response(response: httpx.Response) -> None:
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        await response.aread()
        check_problem(response.json())


@asynccontextmanager
async def running_app(app: FastAPI, base_url: str = "http://service.test") -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (migrations, broker, components), yield a client, then shut it down.

    Every problem answer the client sees is checked for the one `errors` shape (`check_problem`), so all the
    services' tests hold every error kind they provoke to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        hooks = {"response": [_check_problem_response]}
        async with httpx.AsyncClient(transport=transport, base_url=base_url, event_hooks=hooks) as client:
            yield client


# The table-driven bad-input suites (issue 15) of every service share this: each kind of bad input is one
# request, every answer must be a 4xx problem, and the kind -> status table committed under tests/security is
# checked against the live answers so that it stays true.
BadInput = tuple[str, str, Any, Any]
"""(method, path, body, who): body is bytes as sent, None for no body, or anything else sent as JSON;
`who` is whatever the suite's `headers_for` turns into request headers."""


async def ask_each_bad_input(
    client: httpx.AsyncClient,
    cases: Mapping[str, BadInput],
    headers_for: Callable[[Any], dict[str, str]],
    *,
    check: Callable[[str, httpx.Response], None] | None = None,
) -> dict[str, int]:
    """Send every case; assert each is answered with a 4xx problem; return kind -> status."""
    answered: dict[str, int] = {}
    for kind, (method, path, body, who) in cases.items():
        headers = {"content-type": "application/json", **headers_for(who)}
        content = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
        response = await client.request(method, path, content=content, headers=headers)
        answered[kind] = response.status_code
        assert 400 <= response.status_code < 500, (kind, response.status_code, response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json"), kind
        check_problem(response.json())
        if check is not None:
            check(kind, response)
    return answered


async def assert_refused_and_nothing_stored(
    client: httpx.AsyncClient,
    cases: Mapping[str, BadInput],
    headers_for: Callable[[Any], dict[str, str]],
    *,
    table: Path,
    pool: asyncpg.Pool,
    stored: str,
    check: Callable[[str, httpx.Response], None] | None = None,
) -> None:
    """`ask_each_bad_input`, then: what the service stores (`stored`, a query giving one row that sums it up)
    reads the same as before the cases, and the committed `table` says what was answered."""
    before = dict(await pool.fetchrow(stored))
    answered = await ask_each_bad_input(client, cases, headers_for, check=check)
    assert dict(await pool.fetchrow(stored)) == before, "a bad input changed what the service stores"
    assert_table_is_true(answered, table)


def token_headers(
    who: Any, secret: str, *, subject: str, role: str, pcn: str, icb: str | None = None
) -> dict[str, str]:
    """The usual `headers_for` of a bad-input suite. `who` is None (no token); "forged", "expired" or
    "unsigned" (a token claiming `role` that the service must refuse); a dict (extra headers, signed in as
    `role`); or a role to sign in as."""
    claims = {"sub": subject, "role": role, "pcn": pcn, "aud": "linkwork", "exp": int(time.time()) + 600}
    if icb:
        claims["icb"] = icb
    if who is None:
        return {}
    if who == "forged":
        return {"Authorization": f"Bearer {jwt.encode(claims, 'y' * 40)}"}
    if who == "expired":
        return {"Authorization": f"Bearer {jwt.encode({**claims, 'exp': int(time.time()) - 600}, secret)}"}
    if who == "unsigned":
        # PyJWT's types want a key even for alg none, where it is ignored.
        return {"Authorization": f"Bearer {jwt.encode(claims, None, algorithm='none')}"}  # type: ignore[arg-type]
    if isinstance(who, dict):
        return {**token_headers(role, secret, subject=subject, role=role, pcn=pcn, icb=icb), **who}
    return {"Authorization": f"Bearer {issue_token(secret, subject=subject, role=who, pcn=pcn, icb=icb)}"}


def committed_table(table: Path) -> dict[str, int]:
    """The kind -> status rows of a committed Markdown table (`| kind | status | ... |`)."""
    rows = {}
    for line in table.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].isdigit():
            rows[cells[0]] = int(cells[1])
    return rows


def assert_table_is_true(answered: Mapping[str, int], table: Path) -> None:
    """The committed table says exactly what the service answered; the message holds the rows to paste."""
    rows = "\n".join(f"| {kind} | {status} | yes |" for kind, status in answered.items())
    assert dict(answered) == committed_table(table), f"{table.name} is out of date; rows:\n{rows}"


@asynccontextmanager
async def served_over_http(app: FastAPI, *, port: int = 0, lifespan: bool = False) -> AsyncIterator[str]:
    """Serve an app already started by `running_app` on a free loopback port; yield its base URL.

    For tools that need a real URL (schemathesis): the app's lifespan is not run again, so the test keeps
    the one app, its fixtures and its database. With `lifespan` the server starts and stops the app itself
    (an app not started otherwise); `port` is for an app whose settings must know its port beforehand.
    """
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="on" if lifespan else "off", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():  # failed to bind or start: raise its error here
            serving.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


FUZZ_EXAMPLES = "LINKWORK_FUZZ_EXAMPLES"
"""Examples per operation: a short pass in `make test` by default, 100 or more from `make fuzz`."""


FUZZ_CHECKS = "not_a_server_error,response_schema_conformance"
"""No input gives a 5xx, and every answer matches the schema the document declares for it (the ORUK models,
the `Problem` schema with its one `errors` shape)."""


async def fuzz_openapi(base_url: str, token: str, workdir: Path, *, default_examples: int = 15) -> None:
    """schemathesis over every operation of the service's OpenAPI document: no input may give a 5xx, and
    every answer matches its declared schema (`FUZZ_CHECKS`).

    Fails with the tail of schemathesis' report. Seeded, so a failure repeats.
    """
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        FUZZ_CHECKS,
        "--max-examples",
        os.environ.get(FUZZ_EXAMPLES, str(default_examples)),
        "--seed",
        "1",
        "--header",
        f"Authorization: Bearer {token}",
        "--request-timeout",
        "10",
        "--report-dir",
        str(workdir),
        cwd=workdir,  # schemathesis keeps its example database in the working directory
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    report = output.decode(errors="replace")
    print(report[-1500:])  # the summary: operations, phases, test cases generated
    assert process.returncode == 0, report[-8000:]


class FakeTransaction:
    """One transaction of a service's in-memory fake unit of work (its unit tests' stand-in for PostgreSQL).

    It works on `stored`, its own copy of what is committed; `began_with` is what was committed when it began,
    so that the commit can tell what this transaction wrote. `tables` names the attributes of the committed
    state that transactions write (by default every field of a dataclass; a dotted name reaches into a holder,
    as `learning.baselines`), each one of: a dict of rows by key; a list only ever appended to (an outbox, a
    queue); a set of keys only ever added to.

    The commit writes only what this transaction wrote, as PostgreSQL does: two overlapping transactions that
    wrote different rows both keep their writes, and what was appended or added is appended or added to what
    is committed by then. A row that another transaction wrote (inserted or changed) after this one began is
    refused with PostgreSQL's serialization failure (40001). There the later writer would wait for the row's
    lock (READ COMMITTED, reading it FOR UPDATE) or fail so (REPEATABLE READ); a fake cannot wait, and writing
    over the row would lose the other's update unseen. Nothing is written unless the commit is called: a
    transaction left without it is rolled back."""

    def __init__(self, committed: Any, tables: Iterable[str] | None = None) -> None:
        self.tables = tuple(table.name for table in fields(committed)) if tables is None else tuple(tables)
        self.began_with = copy.deepcopy(committed)
        self.stored = copy.deepcopy(committed)

    def refuse_conflicts(self, committed: Any) -> None:
        """Raise PostgreSQL's serialization failure if the commit would write over another transaction's row."""
        for name, before, mine, now in self._tables(committed):
            if not isinstance(now, dict):
                continue  # appending to a list or adding to a set conflicts with nothing
            if changed := [key for key in _written(before, mine) if now.get(key) != before.get(key)]:
                raise SerializationError(f"could not serialize access due to concurrent update ({name} {changed})")

    def commit(self, committed: Any) -> None:
        self.refuse_conflicts(committed)
        for name, before, mine, now in self._tables(committed):
            if isinstance(now, dict):
                now.update(_written(before, mine))
            elif isinstance(now, list):
                now.extend(mine[len(before) :])
            elif isinstance(now, set):
                now |= mine - before
            else:
                raise TypeError(f"{name} is not a table a FakeTransaction can commit: {type(now).__name__}")

    def _tables(self, committed: Any) -> list[tuple[str, Any, Any, Any]]:
        """Per table: its name, and what it held when this transaction began, holds in it, and holds committed."""
        states = (self.began_with, self.stored, committed)
        return [(name, *(attrgetter(name)(state) for state in states)) for name in self.tables]


Records = TypeVar("Records", bound=FakeTransaction)


class FakeConsumerTransactions(Generic[Records]):
    """A fake store whose records its handlers reach by `joining` the consumer's transaction (a port's
    `joining(transaction)`). In unit tests that transaction is one the test opens with `consumer_transaction()`,
    standing for the inbox transaction: what is recorded within it is committed only if the block ends without
    raising. A store says how a transaction's records begin (`begin_records`)."""

    def begin_records(self) -> Records:
        raise NotImplementedError

    @asynccontextmanager
    async def consumer_transaction(self) -> AsyncIterator[Records]:
        records = self.begin_records()
        yield records
        records.commit(self)

    def joining(self, transaction: Records) -> Records:
        return transaction


def _written(before: dict[Any, Any], mine: dict[Any, Any]) -> dict[Any, Any]:
    """The rows a transaction inserted or changed."""
    return {key: row for key, row in mine.items() if before.get(key) != row}
