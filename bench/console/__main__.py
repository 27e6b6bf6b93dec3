"""Console benchmark: 50 signed-in people browsing the caseload and referral pages at once.

    python -m bench.console --kafka HOST:PORT --postgres postgresql://.../postgres [--users 50] [--seconds 60] [--write]

Runs the referral service and the console as processes (as in production: the console calls the referral API
over HTTP with each person's token), fills the PCN with referrals, and seeds one signed-in session per person
straight into the console's session table (what the OIDC callback stores; the provider's sign-in itself is not
what is measured here). Each person then loops: their caseload, a referral from it, the unallocated list, another
referral. Figures:

- server time per page: the console's `Server-Timing: app;dur=` (request in to response headers out, including
  its calls to the referral service), p50/p95/p99 per page;
- first-load weight: a page with every asset it references, gzip as a browser asks for it;
- later-page weight: the HTML of a page alone (assets are cached: they carry a year's immutable max-age);
- console RSS after the run (current and peak).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from linkwork_console.adapters.sessions import PostgresSessionStore, Session
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_runtime.auth import issue_token
from linkwork_runtime.database import create_pool
from linkwork_stack.ports import free_port
from linkwork_stack.services import ServiceProcess, wait_until_ready

from bench.machine import describe_machine, machine_line
from bench.percentiles import percentile
from bench.provenance import with_provenance

HERE = Path(__file__).parent
SECRET = "console-benchmark-jwt-secret-of-32-bytes!!"
PCN = "U00001"
LINK = re.compile(r'href="(/referrals/[0-9a-f-]{36})"')
ASSET = re.compile(r'(?:href|src)="(/assets/[^"]+)"')


def token(role: str, subject: str) -> str:
    return issue_token(SECRET, subject=subject, role=role, pcn=PCN, lifetime_seconds=4 * 3600)


async def recreate(server: str, name: str) -> str:
    connection = await asyncpg.connect(f"{server}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return f"{server}/{name}"


async def seed_referrals(referral_url: str, count: int, users: int) -> None:
    rng = random.Random(7)
    referrer = {"Authorization": f"Bearer {token('referrer', 'gp-1')}"}
    semaphore = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=referral_url, timeout=60) as client:

        async def one(index: int) -> None:
            async with semaphore:
                made = await client.post("/referrals", json=referral_body(synthetic_nhs_number(rng)), headers=referrer)
                made.raise_for_status()
                if index % 3:  # two in three are allocated, spread over the link workers
                    worker = {"Authorization": f"Bearer {token('link_worker', f'lw-{index % users}')}"}
                    accepted = await client.post(f"/referrals/{made.json()['id']}/accept", json={}, headers=worker)
                    accepted.raise_for_status()

        await asyncio.gather(*(one(i) for i in range(count)))


async def seed_sessions(console_database: str, users: int) -> list[str]:
    # The console's own migrations ran when it started; the runtime's pool encodes jsonb as the console does.
    pool = await create_pool(console_database, min_size=1, max_size=2)
    try:
        store = PostgresSessionStore(pool, timedelta(hours=1), timedelta(hours=10))
        ids = []
        now = datetime.now(UTC)
        for index in range(users):
            session = Session.start(now)
            session.set(
                "user", {"sub": f"lw-{index}", "name": f"Link worker {index}", "role": "link_worker", "pcn": PCN}
            )
            session.set(
                "tokens",
                {
                    "access_token": token("link_worker", f"lw-{index}"),
                    "refresh_token": None,
                    "id_token": None,
                    "expires_at": time.time() + 4 * 3600,
                },
            )
            await store.save(session, now)
            ids.append(session.id)
        return ids
    finally:
        await pool.close()


def server_ms(response: httpx.Response) -> float:
    found = re.search(r"app;dur=([0-9.]+)", response.headers.get("server-timing", ""))
    if found is None:
        raise RuntimeError("the console sent no Server-Timing header")
    return float(found.group(1))


async def weights(console_url: str, session_id: str) -> dict[str, int]:
    """Bytes on the wire (gzip bodies plus headers) for a first visit and for a later page."""
    cookies = {"linkwork-session": session_id}
    async with httpx.AsyncClient(base_url=console_url, cookies=cookies, headers={"Accept-Encoding": "gzip"}) as client:

        def size(response: httpx.Response) -> int:
            headers = sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
            return response.num_bytes_downloaded + headers + 17

        page = await client.get("/caseload")
        first = size(page)
        for asset in sorted(set(ASSET.findall(page.text))):
            first += size(await client.get(asset))
        record = LINK.findall(page.text)[0]
        later = size(await client.get(record))
        caseload_again = size(await client.get("/caseload?view=unassigned"))
    return {"first_load_bytes": first, "later_page_bytes": max(later, caseload_again)}


THINK_SECONDS = (1.0, 4.0)


async def think(rng: random.Random) -> None:
    """A person reads a page before the next click; uniform over THINK_SECONDS, so 50 people ask for about
    20 pages a second between them, far busier than a PCN's link workers at their desks."""
    await asyncio.sleep(rng.uniform(*THINK_SECONDS))


async def browse(console_url: str, session_ids: list[str], seconds: float) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = defaultdict(list)
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=len(session_ids))
    async with httpx.AsyncClient(base_url=console_url, timeout=60, limits=limits) as client:

        async def person(session_id: str, seed: int) -> None:
            rng = random.Random(seed)
            cookies = {"linkwork-session": session_id}
            await think(rng)  # people arrive over a few seconds, not all in the same millisecond
            while time.monotonic() < deadline:
                mine = await client.get("/caseload", cookies=cookies)
                mine.raise_for_status()
                timings["caseload (mine)"].append(server_ms(mine))
                await think(rng)
                unallocated = await client.get("/caseload?view=unassigned", cookies=cookies)
                unallocated.raise_for_status()
                timings["caseload (unallocated)"].append(server_ms(unallocated))
                await think(rng)
                links = LINK.findall(mine.text) + LINK.findall(unallocated.text)
                for link in rng.sample(links, min(2, len(links))):
                    record = await client.get(link, cookies=cookies)
                    record.raise_for_status()
                    timings["referral record"].append(server_ms(record))
                    await think(rng)

        await asyncio.gather(*(person(s, i) for i, s in enumerate(session_ids)))
    return timings


def rss_mib(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mib": fields["VmRSS"], "peak_rss_mib": fields["VmHWM"]}


async def run(args: argparse.Namespace) -> dict[str, object]:
    machine = describe_machine()  # before anything starts, for its load average at the start
    server = args.postgres.rsplit("/", 1)[0]
    referral_db = await recreate(server, "bench_console_referral")
    console_db = await recreate(server, "bench_console")
    log = tempfile.NamedTemporaryFile("w", prefix="bench-console-", suffix=".log", delete=False)  # noqa: SIM115
    referral_port, console_port = free_port(), free_port()
    common = {
        "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": args.kafka,
        "LINKWORK_JWT_SECRET": SECRET,
        "LINKWORK_LOG_LEVEL": "WARNING",
    }
    referral = ServiceProcess(
        "referral",
        referral_port,
        {
            **common,
            "LINKWORK_DATABASE_URL": referral_db,
            "LINKWORK_HTTP_PORT": str(referral_port),
            "LINKWORK_CONSUMER_GROUP_PREFIX": f"bench-console-{referral_port}",
        },
    )
    console = ServiceProcess(
        "console",
        console_port,
        {
            **common,
            "LINKWORK_DATABASE_URL": console_db,
            "LINKWORK_HTTP_PORT": str(console_port),
            "LINKWORK_REFERRAL_URL": referral.url,
            "LINKWORK_PUBLIC_URL": f"http://127.0.0.1:{console_port}",
        },
    )
    try:
        referral.start(log)
        console.start(log)
        wait_until_ready([referral, console], 120)
        await seed_referrals(referral.url, args.referrals, args.users)
        sessions = await seed_sessions(console_db, args.users)
        sizes = await weights(console.url, sessions[0])
        await browse(console.url, sessions[:5], 5)  # warm-up: connections, template compilation
        load_before = [round(x, 2) for x in os.getloadavg()]
        timings = await browse(console.url, sessions, args.seconds)
        assert console.process is not None
        memory = rss_mib(console.process.pid)
    finally:
        console.stop()
        referral.stop()
        log.close()
    pages = {
        page: {
            "requests": len(values),
            "p50_ms": round(percentile(values, 50), 1),
            "p95_ms": round(percentile(values, 95), 1),
            "p99_ms": round(percentile(values, 99), 1),
            "max_ms": round(max(values), 1),
        }
        for page, values in sorted(timings.items())
    }
    return {
        "run_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python -m bench.console", *sys.argv[1:]]),
        "machine": machine,
        "load_average_before_load": load_before,
        "users": args.users,
        "seconds": args.seconds,
        "referrals": args.referrals,
        "pages": pages,
        **sizes,
        **memory,
        "targets": {"p95_ms": 150, "first_load_bytes": 250 * 1024, "later_page_bytes": 30 * 1024, "rss_mib": 150},
    }


def markdown(results: dict[str, object]) -> str:
    machine = results["machine"]
    assert isinstance(machine, dict)
    pages = results["pages"]
    first, later = results["first_load_bytes"], results["later_page_bytes"]
    assert isinstance(pages, dict) and isinstance(first, int) and isinstance(later, int)
    lines = [
        "# Console benchmark: 50 signed-in people browsing",
        "",
        f"Run {results['run_at']} with `{results['command']}`.",
        "",
        f"{machine_line(machine)} Load average just before the load {results['load_average_before_load']}; other "
        "engineers' tests share the machine. Referral service, console, PostgreSQL, Kafka and the client all run "
        "on it.",
        "",
        f"{results['users']} people, each signed in (session seeded in the console's table), loop for "
        f"{results['seconds']} s: their caseload, the unallocated list, two referral records, reading each page "
        f"for 1-4 s (uniform) before the next click. "
        f"{results['referrals']} referrals in the PCN, two in three allocated.",
        "",
        "Server time is the console's own `Server-Timing` (it includes the console's calls to the referral service).",
        "",
        "| page | requests | p50 ms | p95 ms (target 150) | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    for page, row in pages.items():
        lines.append(
            f"| {page} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['max_ms']} |"
        )
    lines += [
        "",
        f"- First load (caseload page with its CSS, JS and icon, gzip): {first / 1024:.1f} KB (target under 250 KB)",
        f"- Later page (HTML only; assets cached): {later / 1024:.1f} KB (target under 30 KB)",
        f"- Console RSS after the run: {results['rss_mib']} MiB, peak {results['peak_rss_mib']} MiB "
        "(target under 150 MB)",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console", description=__doc__)
    parser.add_argument("--kafka", required=True)
    parser.add_argument("--postgres", required=True, help="URL of a database on the server to use")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--referrals", type=int, default=400)
    parser.add_argument("--write", action="store_true", help="write results.json and results.md here")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    text = markdown(results)
    print(text)
    if args.write:
        (HERE / "results.json").write_text(json.dumps(with_provenance(results), indent=2) + "\n")
        (HERE / "results.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
