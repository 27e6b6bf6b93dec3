"""A commissioner's reports in real Chromium through the Keycloak sign-in (issue 18).

Demo people (who live at the demo postcodes, which have an LSOA and so an IMD decile) are referred through the
referral API; then the realm's commissioner (ICB QWO) opens the report, finds the deprivation section showing
deciles, switches the scope to a quarter and one PCN, downloads the CSV and opens the printable page. axe-core
checks every page. Nothing of the other ICB in the sample area table (QOQ: sub-ICB 03F, PCNs U00003 and U10003)
appears anywhere, and asking for it by URL shows no figures.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from linkwork_stack.journey import Journey
from linkwork_stack.people import Person
from linkwork_stack.system import eventually
from playwright.async_api import Browser

from .conftest import ConsoleSystem
from .pages import check_page, signed_in

pytestmark = pytest.mark.e2e
PEOPLE = 80  # about eight a decile: enough for deciles to be shown above the small-number threshold
OTHER_ICB = ("QOQ", "03F", "U00003", "U10003", "Z99007", "Z99008")


async def test_a_commissioner_switches_scope_and_downloads_the_csv(
    stack: ConsoleSystem, chromium: Browser, artefacts: Path
) -> None:
    rng = random.Random(18)
    commissioner = stack.keycloak.headers("commissioner")
    async with httpx.AsyncClient(base_url=stack.service("referral"), timeout=30) as client:
        journey = Journey(client, stack.keycloak.headers, rng)
        for _ in range(PEOPLE):
            await journey.refer(Person.random(rng))

    async with httpx.AsyncClient(base_url=stack.service("outcomes"), timeout=30) as client:

        async def counted() -> bool:
            report = (await client.get("/reports/summary", headers=commissioner)).json()
            return (report["referrals"]["value"] or 0) >= PEOPLE

        await eventually(counted, within=120, what="outcomes to count the demo referrals")

    now = datetime.now(UTC)
    quarter = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    async with signed_in(chromium, stack.url, "commissioner", accept_downloads=True) as page:
        await page.get_by_role("link", name="Outcomes report").first.click()
        await page.wait_for_url("**/reports")
        await check_page(page, artefacts, "30-commissioner-report-icb")
        assert "ICB QWO" in await page.locator("#report-scope").inner_text()
        html = await page.content()
        assert [code for code in OTHER_ICB if code in html] == []
        # The deprivation section shows deciles, not only "unknown": demo people's postcodes have an LSOA.
        shown = [
            await row.locator("td").nth(1).inner_text()
            for row in await page.locator("#deprivation tbody tr").all()
            if (await row.get_attribute("data-decile")) in {str(d) for d in range(1, 11)}
        ]
        assert len(shown) == 10 and any(cell.isdigit() and int(cell) >= 5 for cell in shown), shown
        # Trend charts: an SVG image with its table alternative.
        assert await page.locator("svg#trend-referrals[role=img] title").count() >= 1
        assert await page.locator("#trend-referrals-table tbody tr").count() == now.month
        # PCN by PCN.
        assert await page.locator("#comparison tbody tr").count() >= 2

        # Switch scope: this quarter, one PCN (a plain GET form: no script needed).
        await page.select_option("#period", quarter)
        await page.select_option("#area", "pcn:U00001")
        await page.click("#show-report")
        await page.wait_for_url("**/reports?period=*&area=pcn*U00001")
        await check_page(page, artefacts, "31-commissioner-report-pcn-quarter")
        assert "PCN U00001" in await page.locator("#report-scope").inner_text()
        assert await page.locator("#trend-plans-table tbody tr").count() == now.month

        async with page.expect_download() as download_info:
            await page.click("#csv-link")
        download = await download_info.value
        assert download.suggested_filename.endswith(".csv")
        path = await download.path()
        text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
        rows = {(r["section"], r["row"]): r["value"] for r in csv.DictReader(io.StringIO(text))}
        assert rows[("metadata", "pcn")] == "U00001" and rows[("metadata", "icb")] == "QWO"
        assert rows[("metadata", "period_start")] == f"{now.year}-{3 * ((now.month - 1) // 3) + 1:02d}"
        assert [code for code in OTHER_ICB if code in text] == []

        await page.click("#print-link")
        await page.wait_for_url("**/reports/print?*")
        await check_page(page, artefacts, "32-commissioner-report-printable")
        assert await page.locator("#scope-form").count() == 0

        # Another ICB's PCN by URL: refused, no figures.
        await page.goto(f"{stack.url}/reports?area=pcn:U00003")
        await check_page(page, artefacts, "33-commissioner-report-other-icb")
        assert await page.locator("#funnel").count() == 0
        assert [code for code in ("QOQ", "03F", "U10003") if code in await page.content()] == []
