"""A service built with create_app boots against real Kafka and PostgreSQL and serves its probes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter
from linkwork_runtime.app import ServiceDefinition, create_app
from linkwork_runtime.auth import CurrentPrincipal, Role, issue_token, require_role
from linkwork_runtime.settings import ServiceSettings
from linkwork_runtime.testing import running_app

pytestmark = pytest.mark.integration
SECRET = "test-secret-at-least-32-bytes-long!"

router = APIRouter()


@router.get("/whoami")
async def whoami(principal: CurrentPrincipal) -> dict[str, str]:
    require_role(principal, Role.LINK_WORKER)
    return {"subject": principal.subject, "pcn": principal.pcn}


def _app(database_url: str, kafka_bootstrap: str, tmp_path: Path, **settings_: object):  # type: ignore[no-untyped-def]
    (tmp_path / "001_example.sql").write_text("CREATE TABLE example (id int);")
    settings = ServiceSettings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=SECRET,
        **settings_,  # type: ignore[arg-type]
    )
    return create_app(
        ServiceDefinition(
            name="example",
            description="test service",
            settings=settings,
            migrations={"example": tmp_path},
            routers=[router],
        )
    )


async def test_probes_docs_and_metrics(database_url: str, kafka_bootstrap: str, tmp_path: Path) -> None:
    app = _app(database_url, kafka_bootstrap, tmp_path)
    async with running_app(app) as client:
        health = await client.get("/health")
        ready = await client.get("/ready")
        metrics = await client.get("/metrics")
        docs = await client.get("/openapi.json")
    assert health.json() == {"status": "ok", "service": "example"}
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": True, "kafka": True}
    assert "process_cpu_seconds_total" in metrics.text
    assert "/ready" in docs.json()["paths"]
    # Requests are counted by route template; the scrape itself is counted on the next one.
    assert 'linkwork_http_requests_total{method="GET",route="/ready",status="200"} 1.0' in metrics.text
    assert 'linkwork_http_request_duration_seconds_count{method="GET",route="/health"} 1.0' in metrics.text
    assert "linkwork_kafka_reachable 1.0" in metrics.text


async def test_ready_reports_kafka_but_does_not_fail_on_it(
    database_url: str, kafka_bootstrap: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broker that stops answering pings leaves the API in service (the outbox buffers); the gauge says so.
    The real outage, with a broker stopped and restarted, is tests/e2e/test_kafka_outage.py."""
    app = _app(database_url, kafka_bootstrap, tmp_path)
    async with running_app(app) as client:

        async def unreachable(*_: object) -> bool:
            return False

        monkeypatch.setattr(app.state.kafka_watch, "ping", unreachable)
        ready = await client.get("/ready")
        metrics = await client.get("/metrics")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "kafka": False}
    assert ready.json()["kafka"].startswith("unreachable")
    assert "linkwork_kafka_reachable 0.0" in metrics.text


async def test_tokens_roles_and_problem_details(database_url: str, kafka_bootstrap: str, tmp_path: Path) -> None:
    worker = issue_token(SECRET, subject="lw-1", role="link_worker", pcn="U12345")
    expired = issue_token(SECRET, subject="lw-1", role="link_worker", pcn="U12345", lifetime_seconds=-10)
    forged = issue_token("another-secret-also-32-bytes-long!!", subject="lw-1", role="link_worker", pcn="U12345")
    referrer = issue_token(SECRET, subject="gp-1", role="referrer", pcn="U12345")
    async with running_app(_app(database_url, kafka_bootstrap, tmp_path)) as client:
        ok = await client.get("/whoami", headers={"Authorization": f"Bearer {worker}"})
        missing = await client.get("/whoami")
        late = await client.get("/whoami", headers={"Authorization": f"Bearer {expired}"})
        bad = await client.get("/whoami", headers={"Authorization": f"Bearer {forged}"})
        wrong_role = await client.get("/whoami", headers={"Authorization": f"Bearer {referrer}"})
    assert ok.json() == {"subject": "lw-1", "pcn": "U12345"}
    assert missing.status_code == 401 and missing.headers["content-type"] == "application/problem+json"
    assert "required" in missing.json()["detail"]
    assert late.status_code == 401 and "expired" in late.json()["detail"]
    assert bad.status_code == 401 and "not valid" in bad.json()["detail"]
    assert wrong_role.status_code == 403 and "link_worker" in wrong_role.json()["detail"]


async def test_each_problem_kind_has_its_own_type_that_explains_itself(
    database_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    """A client branches on `type`; the bare status phrase stays `about:blank`, as RFC 9457 says."""
    worker = issue_token(SECRET, subject="lw-1", role="link_worker", pcn="U12345")
    referrer = issue_token(SECRET, subject="gp-1", role="referrer", pcn="U12345")
    async with running_app(_app(database_url, kafka_bootstrap, tmp_path)) as client:
        missing = await client.get("/whoami")
        wrong_role = await client.get("/whoami", headers={"Authorization": f"Bearer {referrer}"})
        not_found = await client.get("/no-such-route", headers={"Authorization": f"Bearer {worker}"})
        explained = await client.get(missing.json()["type"])
        unknown = await client.get("/problems/no-such-kind")
    assert missing.json()["type"] == "/problems/unauthorised"
    assert explained.json()["title"] == "Unauthorised" and "bearer token" in explained.json()["meaning"]
    assert wrong_role.json()["type"] == "about:blank" and wrong_role.json()["title"] == "Forbidden"
    assert not_found.json()["type"] == "about:blank"
    assert unknown.status_code == 404


async def test_the_pool_cancels_a_stuck_statement(database_url: str, kafka_bootstrap: str, tmp_path: Path) -> None:
    """Issue 15 [low]: the database pool gets a command_timeout, so a stuck statement frees its connection."""
    app = _app(database_url, kafka_bootstrap, tmp_path, database_command_timeout=0.5)
    async with running_app(app):
        pool = app.state.context.pool
        with pytest.raises(TimeoutError):
            await pool.execute("SELECT pg_sleep(30)")
        assert await pool.fetchval("SELECT 1") == 1
