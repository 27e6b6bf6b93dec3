"""Issue 18: a commissioner of ICB X never sees ICB Y: not in the JSON, the CSV, the page or the area list.

A history across three PCNs (two in ICB QWO, one in QOQ, as the sample area table says) is projected into real
PostgreSQL and the reports API is asked, as a QWO commissioner, for every kind of output; nothing of QOQ's PCN or
practices appears, asking for them is refused, and the ICB's figures are those of its own two PCNs.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from linkwork_outcomes.adapters.synthetic.history import generate
from linkwork_outcomes.app import COMPONENT_MIGRATIONS, build_app
from linkwork_outcomes.settings import Settings
from linkwork_runtime.auth import issue_token
from linkwork_runtime.database import open_database
from linkwork_runtime.testing import running_app
from outcomes_expectations import in_scope
from outcomes_support import JWT_SECRET, load_history

pytestmark = pytest.mark.integration

QWO_PCNS = ("U10001", "U10002")
QOQ_CODES = ("QOQ", "03F", "U10003", "D86021", "D86022", "D86023", "U00003", "Z99007", "Z99008")
Q1 = {"start": "2025-01", "end": "2025-03"}


def _commissioner(icb: str | None) -> dict[str, str]:
    token = issue_token(JWT_SECRET, subject="commissioner-1", role="commissioner", pcn="U10001", icb=icb)
    return {"Authorization": f"Bearer {token}"}


async def test_a_commissioner_of_one_icb_never_sees_another(database_url: str, kafka_bootstrap: str) -> None:
    history = generate(18, referrals=240, pcns=3)
    assert {place.pcn for place in history.places} == {*QWO_PCNS, "U10003"}
    pool = await open_database(database_url, COMPONENT_MIGRATIONS)
    try:
        await load_history(pool, history, random.Random(3), repeats=0)
    finally:
        await pool.close()
    settings = Settings(
        database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap, consume=False, jwt_secret=JWT_SECRET
    )
    qwo = _commissioner("QWO")
    async with running_app(build_app(settings)) as client:
        outputs = {
            "json": await client.get("/reports/summary", params=Q1, headers=qwo),
            "csv": await client.get("/reports/summary.csv", params=Q1, headers=qwo),
            "page": await client.get("/reports", params=Q1, headers=qwo),
            "print": await client.get("/reports/print", params=Q1, headers=qwo),
            "areas": await client.get("/reports/areas", headers=qwo),
        }
        for kind, response in outputs.items():
            assert response.status_code == 200, (kind, response.text)
            leaked = [code for code in QOQ_CODES if code in response.text]
            assert leaked == [], (kind, leaked)
        areas = outputs["areas"].json()["areas"]
        assert {a["code"] for a in areas if a["level"] == "pcn"} == {"U00001", "U00002", *QWO_PCNS}

        # The ICB's figures are its own PCNs' referrals only.
        truth = [
            r
            for r in history.referrals
            if in_scope(r, date(2025, 1, 1), date(2025, 3, 1), None, None) and r.pcn in QWO_PCNS
        ]
        report = outputs["json"].json()
        assert report["scope"] == {"icb": "QWO", "sub_icb": None, "pcn": None, "practice": None, "level": "icb"}
        assert report["referrals"]["value"] in (len(truth), None) and report["referrals"]["value"] is not None

        # Asking for QOQ or any of its areas is refused, whatever the output.
        for asked in ({"icb": "QOQ"}, {"sub_icb": "03F"}, {"pcn": "U10003"}, {"practice": "D86021"}):
            for path in ("/reports/summary", "/reports/summary.csv", "/reports", "/reports/print"):
                refused = await client.get(path, params={**Q1, **asked}, headers=qwo)
                assert refused.status_code == 403, (path, asked, refused.status_code)
        # No ICB in the token: no reports at all (before issue 18 this was every PCN in the country).
        assert (await client.get("/reports/summary", params=Q1, headers=_commissioner(None))).status_code == 403
        assert (await client.get("/reports/areas", headers=_commissioner(None))).status_code == 403

        # The other ICB's commissioner sees theirs, and nothing of QWO's PCNs.
        qoq = await client.get("/reports/summary", params=Q1, headers=_commissioner("QOQ"))
        assert qoq.status_code == 200 and qoq.json()["scope"]["icb"] == "QOQ"
        assert not any(code in qoq.text for code in ("QWO", *QWO_PCNS))
