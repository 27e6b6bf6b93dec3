"""Issue 15: a table of bad-input kinds against the directory API (curation, imports and the public ORUK read API).

Each kind gets a 4xx problem answer and nothing is stored; `tests/security/BAD_INPUTS_DIRECTORY.md` is the
committed kind -> status table, checked here so it stays true.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import jwt
import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_runtime.auth import Role
from linkwork_runtime.testing import BadInput, ask_each_bad_input, assert_table_is_true

from .api_support import headers, service
from .conftest import RunningDirectory

pytestmark = pytest.mark.integration
TABLE = Path(__file__).parents[4] / "tests/security/BAD_INPUTS_DIRECTORY.md"
STORED = """
SELECT (SELECT count(*) FROM service) AS services, (SELECT count(*) FROM import_job) AS imports,
       (SELECT max(last_modified) FROM service) AS last_modified
"""


def _service(**changes: Any) -> dict[str, Any]:
    return {**service("Knit and Natter", need=NeedCategory.LONELINESS_ISOLATION), **changes}


CURATOR = "curator"
CASES: dict[str, BadInput] = {
    "malformed JSON": ("POST", "/services", b'{"name": ', CURATOR),
    "JSON array": ("POST", "/services", [], CURATOR),
    "missing name": ("POST", "/services", {k: v for k, v in _service().items() if k != "name"}, CURATOR),
    "name wrong type": ("POST", "/services", _service(name=42), CURATOR),
    "status unknown": ("POST", "/services", _service(status="maybe"), CURATOR),
    "id not a UUID": ("POST", "/services", _service(id="1; DROP TABLE service"), CURATOR),
    "minimum age above maximum": ("POST", "/services", _service(minimum_age=80, maximum_age=18), CURATOR),
    "oversize list (5,000 locations)": (
        "POST",
        "/services",
        _service(service_at_locations=[{"id": str(uuid4())} for _ in range(5000)]),
        CURATOR,
    ),
    "body over the limit": ("POST", "/services", _service(description="d" * (2 * 1024 * 1024)), CURATOR),
    "wrong role (link worker curates)": ("POST", "/services", _service(), "link_worker"),
    "no token": ("POST", "/services", _service(), None),
    "forged token": ("POST", "/services", _service(), "forged"),
    "PUT with mismatched id": ("PUT", f"/services/{uuid4()}", _service(id=str(uuid4())), CURATOR),
    "withdraw unknown service": ("POST", f"/services/{uuid4()}/withdraw", None, CURATOR),
    "import: unsupported media type": ("POST", "/imports", b"name,x", {"content-type": "text/csv"}),
    "import: not a zip": ("POST", "/imports", b"PK-not-really", {"content-type": "application/zip"}),
    "import: not JSON": ("POST", "/imports", b"{oops", {"content-type": "application/json"}),
    "import: unknown kind": ("POST", "/imports?kind=planets", b"[]", {"content-type": "application/json"}),
    "read: page beyond the bound": ("GET", "/services?page=10001", None, None),
    "read: page size over the bound": ("GET", "/services?per_page=1000", None, None),
    "read: page zero": ("GET", "/services?page=0", None, None),
    "read: search oversize": ("GET", "/services?search=" + "x" * 500, None, None),
    "read: age out of range": ("GET", "/services?age=500", None, None),
    "read: proximity without postcode": ("GET", "/services?proximity=1000", None, None),
    "read: day unknown": ("GET", "/services?day=FUNDAY", None, None),
    "read: id not a UUID": ("GET", "/services/not-a-uuid", None, None),
    "read: unknown id": ("GET", f"/services/{uuid4()}", None, None),
    "read: taxonomy id injection": ("GET", "/taxonomies/1'%20OR%20'1'='1", None, None),
}


def _headers(who: Any) -> dict[str, str]:
    if who is None:
        return {}
    if who == "forged":
        forged = jwt.encode(
            {"sub": "c-1", "role": "curator", "pcn": "U00001", "aud": "linkwork", "exp": 2**31}, "y" * 40
        )
        return {"Authorization": f"Bearer {forged}"}
    if isinstance(who, dict):
        return {**headers(Role.CURATOR), **who}
    return headers(Role(who))


async def test_every_kind_of_bad_input_is_refused_and_changes_nothing(directory: RunningDirectory) -> None:
    before = dict(await directory.pool.fetchrow(STORED))
    answered = await ask_each_bad_input(directory.client, CASES, _headers)
    assert dict(await directory.pool.fetchrow(STORED)) == before, "a bad input changed what the directory stores"
    assert_table_is_true(answered, TABLE)
