"""The report page in real headless Chromium: it loads over HTTP, runs its script without errors,
asks for nothing but itself, draws its charts, and a screenshot (and a PDF of the print layout)
is written to .data/test-artifacts/outcomes/.

Chromium is Debian's package; `make test` installs it when missing (deploy/scripts/install-system-packages.sh).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from linkwork_outcomes.adapters import fact_store
from linkwork_outcomes.adapters.event_facts import facts_of
from linkwork_outcomes.adapters.projection_store import PostgresProjectionStore
from linkwork_outcomes.adapters.synthetic.history import generate
from linkwork_outcomes.app import COMPONENT_MIGRATIONS, build_app
from linkwork_outcomes.domain.facts import FactBatch
from linkwork_outcomes.service_layer.projection import project_all
from linkwork_outcomes.settings import Settings
from linkwork_runtime.auth import issue_token
from linkwork_runtime.database import open_database
from linkwork_runtime.testing import served_over_http
from outcomes_browser import Browser, PageRun
from outcomes_support import JWT_SECRET

pytestmark = pytest.mark.integration

ARTIFACTS = Path(os.environ.get("LINKWORK_TEST_ARTIFACTS", Path(__file__).parents[4] / ".data" / "test-artifacts"))
QUERY = "start=2025-01&end=2025-03"  # a calendar quarter


@pytest.fixture
async def served(database_url: str, kafka_bootstrap: str) -> AsyncIterator[str]:
    """The outcomes service over real HTTP, with a synthetic history projected into its database."""
    pool = await open_database(database_url, COMPONENT_MIGRATIONS)
    try:
        history = generate(11, referrals=600, pcns=3)
        batch = FactBatch()
        for event, envelope in history.events:
            facts_of(event, envelope.time, batch)
        async with pool.acquire() as connection, connection.transaction():
            await fact_store.store(connection, batch)
        async with pool.acquire() as connection:
            await project_all(PostgresProjectionStore(connection))
    finally:
        await pool.close()
    settings = Settings(
        database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap, consume=False, jwt_secret=JWT_SECRET
    )
    async with served_over_http(build_app(settings), lifespan=True) as base:
        yield base


def _browse(base: str, token: str) -> dict[str, object]:
    """Everything the test checks, gathered in one Chromium session (runs in a worker thread)."""
    browser = Browser()
    try:
        headers = {"Authorization": f"Bearer {token}"}
        page = f"{base}/reports?{QUERY}"
        session, run = browser.open(page, headers)
        found: dict[str, object] = {"run": run, "page": page}
        found["ready"] = browser.evaluate(session, "document.body.dataset.ready")
        found["charts"] = browser.evaluate(session, "document.querySelectorAll('svg.chart').length")
        found["titles"] = browser.evaluate(
            session, "Array.from(document.querySelectorAll('svg.chart title')).map(t => t.textContent)"
        )
        found["marks"] = browser.evaluate(
            session, "document.querySelectorAll('svg.chart rect, svg.chart circle').length"
        )
        found["suppressed"] = browser.evaluate(session, "document.querySelectorAll('.suppressed').length")
        # The folding script works: opening a folded table relabels its summary.
        found["toggle"] = browser.evaluate(
            session,
            """new Promise(done => {
            const block = document.querySelector('details.rows');
            if (!block) { done('no folded table'); return; }
            block.open = true;
            setTimeout(() => done(block.querySelector('summary').textContent), 100);
        })""",
        )
        found["screenshot"] = browser.screenshot(session, ARTIFACTS / "outcomes" / "report.png")
        found["png_header"] = Path(str(found["screenshot"])).read_bytes()[:8]
        found["late_problems"] = browser._collect(session).problems
        print_session, print_run = browser.open(f"{base}/reports/print?{QUERY}", headers)
        found["print_run"] = print_run
        found["print_pdf"] = browser.pdf(print_session, ARTIFACTS / "outcomes" / "report-print.pdf")
        found["print_screenshot"] = browser.screenshot(print_session, ARTIFACTS / "outcomes" / "report-print.png")
        # Controls: the same recorder does see a thrown error and an outside request.
        _, broken = browser.open(
            "data:text/html,<script>undefinedFunction()</script><img src='http://127.0.0.1:9/outside.png'>"
        )
        found["control"] = broken
        return found
    finally:
        browser.close()


async def test_report_page_renders_in_headless_chromium(served: str) -> None:
    token = issue_token(JWT_SECRET, subject="commissioner-1", role="commissioner", pcn="U10001", icb="QWO")
    found = await asyncio.to_thread(_browse, served, token)
    run = found["run"]
    assert isinstance(run, PageRun)
    assert run.problems == [], run.problems
    assert found["late_problems"] == []
    assert run.requests == [found["page"]], run.requests  # self-contained: nothing else was fetched
    assert found["ready"] == "true"  # the page's script ran to its end
    titles = found["titles"]
    assert isinstance(titles, list)
    for chart in ("Referral funnel", "Outcome change", "Gaps by area"):
        assert chart in titles
    assert any(str(title).startswith("Equity by") for title in titles)
    assert isinstance(found["marks"], int) and found["marks"] > 50
    assert isinstance(found["suppressed"], int) and found["suppressed"] > 0
    assert found["toggle"] == "Show fewer rows"
    print_run = found["print_run"]
    assert isinstance(print_run, PageRun) and print_run.problems == []
    for artefact in ("screenshot", "print_pdf", "print_screenshot"):
        path = found[artefact]
        assert isinstance(path, Path) and path.stat().st_size > 10_000
    assert found["png_header"] == b"\x89PNG\r\n\x1a\n"
    control = found["control"]
    assert isinstance(control, PageRun)
    assert control.exceptions, "the recorder must see a thrown error"
    assert any("127.0.0.1:9" in url for url in control.requests), "the recorder must see outside requests"
