"""The running service against real Kafka and PostgreSQL: consume, report over HTTP, rebuild.

Events of a generated history are published shuffled (so facts about a referral arrive before
the referral itself), with exact duplicates (same event id) and re-sent copies (new event id,
same content), over three partitions per topic. Then:
- the reports API answers with every figure equal to the ground truth, for a commissioner and a
  PCN admin, in JSON and CSV, and refuses the wrong roles and scopes;
- /metrics carries the business and operational gauges;
- a rebuild from the topics into a fresh database gives the same tables as the live service.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import math
import random
import subprocess
from collections import Counter
from datetime import date

import pytest
from linkwork_contracts.envelope import wrap
from linkwork_outcomes.adapters.synthetic.history import SOURCE, History, generate
from linkwork_outcomes.app import build_app
from linkwork_outcomes.entrypoints.rebuild_projections import command as rebuild_command
from linkwork_outcomes.entrypoints.rebuild_projections import run as run_rebuild
from linkwork_outcomes.settings import Settings
from linkwork_runtime.auth import issue_token
from linkwork_runtime.testing import running_app
from linkwork_stack.databases import scratch_database
from outcomes_expectations import expected, status
from outcomes_report_check import check
from outcomes_support import (
    JWT_SECRET,
    eventually,
    own_topics_settings,
    produce,
    settled,
    snapshot,
)

pytestmark = pytest.mark.integration

START, END = date(2025, 1, 1), date(2025, 3, 1)  # a calendar quarter: reports publish fixed bins only


def _token(role: str, pcn: str = "U10001", icb: str | None = "QWO") -> dict[str, str]:
    token = issue_token(JWT_SECRET, subject="tester", role=role, pcn=pcn, icb=icb)
    return {"Authorization": f"Bearer {token}"}


async def test_consume_report_and_rebuild(kafka_bootstrap: str, database_url: str, postgres_url: str) -> None:
    tuned = {"projection_interval_seconds": 0.2, "metrics_refresh_seconds": 0.5}
    async with own_topics_settings(database_url, kafka_bootstrap, **tuned) as settings:
        await _consume_report_and_rebuild(settings, postgres_url)


async def _consume_report_and_rebuild(settings: Settings, postgres_url: str) -> None:
    database_url, kafka_bootstrap = settings.database_url, settings.kafka_bootstrap_servers
    prefix, group = settings.topic_prefix, settings.consumer_group
    history = generate(7, referrals=180)
    rng = random.Random(7)
    deliveries = list(history.events)
    deliveries += rng.sample(history.events, k=150)  # the same event delivered again
    deliveries += [  # the same content re-sent as a new event (a producer retry above the outbox)
        (event, wrap(event, source=SOURCE, time=envelope.time)) for event, envelope in rng.sample(history.events, k=80)
    ]
    rng.shuffle(deliveries)
    await produce(kafka_bootstrap, prefix, deliveries)
    event_ids = {envelope.id for _, envelope in deliveries}
    async with running_app(build_app(settings)) as client:
        await eventually(lambda: settled(database_url, group, event_ids), within=180, what="events projected")
        commissioner = _token("commissioner")
        response = await client.get(
            "/reports/summary", params={"start": "2025-01", "end": "2025-03"}, headers=commissioner
        )
        assert response.status_code == 200, response.text
        report = response.json()
        assert check(report, expected(history, START, END)) > 0

        pcn = history.places[1].pcn
        own = await client.get(
            "/reports/summary", params={"start": "2025-01", "end": "2025-03"}, headers=_token("pcn_admin", pcn)
        )
        assert own.status_code == 200 and own.json()["scope"]["pcn"] == pcn
        check(own.json(), expected(history, START, END, pcn=pcn))

        as_csv = await client.get(
            "/reports/summary", params={"start": "2025-01", "end": "2025-03", "format": "csv"}, headers=commissioner
        )
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        rows = {(r["section"], r["row"], r["figure"]): r for r in csv.DictReader(io.StringIO(as_csv.text))}
        assert rows[("referrals", "total", "count")]["value"] == str(report["referrals"]["value"])
        assert "suppressed" in rows[("metadata", "suppression_rule", "text")]["value"]
        hidden = [r for r in rows.values() if r["suppressed"] == "true"]
        assert hidden and all(r["value"] == "" for r in hidden)

        other = await client.get("/reports/summary", params={"pcn": "U99999"}, headers=_token("pcn_admin", pcn))
        assert other.status_code == 403
        assert (await client.get("/reports/summary", headers=_token("referrer"))).status_code == 403
        assert (await client.get("/reports/summary", headers=_token("link_worker"))).status_code == 403
        assert (await client.get("/reports/summary")).status_code == 401
        bad = await client.get("/reports/summary", params={"start": "2025-05", "end": "2025-01"}, headers=commissioner)
        assert bad.status_code == 422

        metrics = await _metrics_text(client)
        for name in (
            "linkwork_outcomes_open_referrals{",
            "linkwork_outcomes_referrals{source=",
            "linkwork_outcomes_plans_agreed ",
            "linkwork_outcomes_follow_ups_overdue{",
            "linkwork_outcomes_stale_directory_services{",
            f'topic="{prefix}referral-created"',
            "linkwork_consumer_lag{",
            "linkwork_outcomes_projection_backlog 0.0",
            # Both periodic jobs run on the runtime's PeriodicTask, which reports each one's last success.
            'linkwork_periodic_last_success_timestamp_seconds{task="outcomes-business-metrics"}',
            'linkwork_periodic_last_success_timestamp_seconds{task="outcomes-projector"}',
        ):
            assert name in metrics, name
        _check_business_gauges(metrics, history)
        live = await snapshot(database_url)

    async with scratch_database(postgres_url) as fresh:
        result = await run_rebuild(fresh, kafka_bootstrap, prefix, workers=2)  # two decoding processes
        assert result.records == len(deliveries)
        assert await snapshot(fresh) == live
    # In place, over the live tables, through the command an operator runs.
    command = rebuild_command(database_url, kafka_bootstrap, prefix)
    finished = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    printed = json.loads(finished.stdout.strip().splitlines()[-1])
    assert printed["records"] == len(deliveries) and printed["referrals_projected"] == len(history.referrals)
    assert await snapshot(database_url) == live


async def _metrics_text(client: object) -> str:
    from httpx import AsyncClient

    assert isinstance(client, AsyncClient)
    text = ""

    async def refreshed() -> bool:
        nonlocal text
        text = (await client.get("/metrics")).text
        return "linkwork_outcomes_projection_backlog 0.0" in text and "linkwork_outcomes_open_referrals{" in text

    await eventually(refreshed, within=30, what="business metrics")
    return text


def _gauge(metrics: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """{sorted label pairs: value} of one metric in Prometheus text format."""
    found = {}
    for line in metrics.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            labels_text = line[len(name) :].split("}")[0].lstrip("{") if "{" in line else ""
            pairs = tuple(sorted(tuple(part.split("=", 1)) for part in labels_text.split(",") if part))
            found[tuple((k, v.strip('"')) for k, v in pairs)] = float(line.rsplit(" ", 1)[1])
    return found


def _check_business_gauges(metrics: str, history: History) -> None:
    """Open referrals per PCN and status, referrals per source and plans agreed, against the truth."""
    counted = [r for r in history.referrals if not r.entered_in_error]
    open_now = Counter((r.pcn, status(r)) for r in counted if r.closure_status is None)
    gauges = _gauge(metrics, "linkwork_outcomes_open_referrals")
    cells = {(dict(k)["pcn"], dict(k)["status"]): v for k, v in gauges.items() if v}
    # Per-PCN counts of 1-4 are suppressed on /metrics as in the reports (NaN: shown as not a number).
    assert {k: v for k, v in cells.items() if not math.isnan(v)} == {k: v for k, v in open_now.items() if v > 4}
    assert {k for k, v in cells.items() if math.isnan(v)} == {k for k, v in open_now.items() if 0 < v <= 4}
    sources = {dict(k)["source"]: v for k, v in _gauge(metrics, "linkwork_outcomes_referrals").items()}
    assert sources == dict(Counter(r.source for r in counted))
    assert _gauge(metrics, "linkwork_outcomes_plans_agreed")[()] == sum(r.plan is not None for r in counted)
    services = {dict(k)["status"]: v for k, v in _gauge(metrics, "linkwork_outcomes_directory_services").items()}
    assert services == {
        "active": sum(s.active for s in history.services),
        "withdrawn": sum(not s.active for s in history.services),
    }
