"""Issue 15: a table of bad-input kinds against the directory API (curation, imports and the public ORUK read API).

Each kind gets a 4xx problem answer and nothing is stored; `tests/security/BAD_INPUTS_DIRECTORY.md` is the
committed kind -> status table, checked here so it stays true.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_runtime.testing import BadInput, assert_refused_and_nothing_stored, token_headers

from .api_support import SECRET, headers, service
from .conftest import RunningDirectory

pytestmark = pytest.mark.integration
TABLE = Path(__file__).parents[4] / "tests/security/BAD_INPUTS_DIRECTORY.md"
STORED = """
SELECT (SELECT count(*) FROM service) AS services, (SELECT count(*) FROM import_job) AS imports,
       (SELECT max(last_modified) FROM service) AS last_modified, (SELECT count(*) FROM service_history) AS changes,
       (SELECT count(*) FROM service_merge) AS merges, (SELECT count(*) FROM duplicate_dismissal) AS dismissals
"""


def _service(**changes: Any) -> dict[str, Any]:
    return {**service("Knit and Natter", need=NeedCategory.LONELINESS_ISOLATION), **changes}


CURATOR = "curator"
# Stored before the cases run: changes to it must name its version (issue 18).
EXISTING = service("Existing Lunch Club", need=NeedCategory.LONELINESS_ISOLATION)
AT = f"/services/{EXISTING['id']}"
NEVER_STORED = service("Never Stored", need=NeedCategory.LONELINESS_ISOLATION)
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
    "change without If-Match (PUT)": ("PUT", AT, {**EXISTING, "name": "Changed"}, CURATOR),
    "change without If-Match (PATCH)": ("PATCH", AT, {"name": "Changed"}, CURATOR),
    "change with a stale ETag": ("PUT", AT, {**EXISTING, "name": "Changed"}, {"If-Match": '"0123abcd"'}),
    "change with a weak ETag": ("PATCH", AT, {"name": "Changed"}, {"If-Match": 'W/"0123abcd"'}),
    "If-Match on a service that does not exist": (
        "PUT",
        f"/services/{NEVER_STORED['id']}",
        NEVER_STORED,
        {"If-Match": '"1"'},
    ),
    "PATCH of an unknown service": ("PATCH", f"/services/{uuid4()}", {"name": "x"}, {"If-Match": "*"}),
    "PATCH making the service invalid": ("PATCH", AT, {"status": "maybe"}, {"If-Match": "*"}),
    "history of an unknown service": ("GET", f"/services/{uuid4()}/history", None, CURATOR),
    "history without a token": ("GET", f"{AT}/history", None, None),
    "duplicates: wrong role": ("GET", "/duplicates", None, "link_worker"),
    "merge a service into itself": (
        "POST",
        "/duplicates/merge",
        {"keep": EXISTING["id"], "merge": EXISTING["id"]},
        CURATOR,
    ),
    "merge an unknown service": ("POST", "/duplicates/merge", {"keep": EXISTING["id"], "merge": str(uuid4())}, CURATOR),
    "dismiss a pair of one service": (
        "POST",
        "/duplicates/dismiss",
        {"first": EXISTING["id"], "second": EXISTING["id"]},
        CURATOR,
    ),
    "import: directory name too long": (
        "POST",
        "/imports?directory=" + "x" * 300,
        b"[]",
        {"content-type": "application/json"},
    ),
}


def _headers(who: Any) -> dict[str, str]:
    return token_headers(who, SECRET, subject="curator-1", role=CURATOR, pcn="U00001")


def _no_value_echoed(kind: str, response: Any) -> None:
    # Problems name the field and rule; the value sent is never repeated (jsonschema's own messages would).
    for sent in ("1; DROP TABLE", "'maybe'", "FUNDAY"):
        assert sent not in response.text, (kind, response.text[:300])


async def test_every_kind_of_bad_input_is_refused_and_changes_nothing(directory: RunningDirectory) -> None:
    stored = await directory.client.post("/services", json=EXISTING, headers=headers())
    assert stored.status_code == 201, stored.text
    await assert_refused_and_nothing_stored(
        directory.client, CASES, _headers, table=TABLE, pool=directory.pool, stored=STORED, check=_no_value_echoed
    )
