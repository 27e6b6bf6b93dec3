"""Issue 15: a table of bad-input kinds against the referral API (the service holding identifiable data).

Each kind gets its 4xx problem details, no response echoes a person's value, and nothing is stored (the audit
log aside, which records refusals on purpose). The committed table `tests/security/BAD_INPUTS.md` is checked
against what the service answers, so it stays true.
"""

from __future__ import annotations

import base64
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import jwt
import pytest
from linkwork_referral.adapters.samples import invalid_nhs_number, referral_body, synthetic_nhs_number
from linkwork_referral.settings import Settings
from linkwork_runtime.testing import assert_table_is_true

from .conftest import JWT_SECRET, OTHER_PCN, PCN, Token
from .test_bad_input import snapshot

pytestmark = pytest.mark.integration
TABLE = Path(__file__).parents[4] / "tests/security/BAD_INPUTS.md"
NHS = synthetic_nhs_number(random.Random(15))
PERSON_VALUES = ["Ada", "Example", NHS, "1950-03-14", "LS6 1AA", "0113 496 0000", "ada@example.org"]


def _person(**changes: Any) -> dict[str, Any]:
    body = referral_body(NHS)
    body["person"] = {**body["person"], **changes}
    return body


def _body(**changes: Any) -> dict[str, Any]:
    return referral_body(NHS, **changes)


def _token(**claims: Any) -> str:
    # CASES is built when pytest collects this module, which in a full run can be half an hour before the
    # test runs: a day's lifetime keeps a token refused for its other claims from being refused as expired.
    now = int(time.time())
    base = {"sub": "gp-1", "role": "referrer", "pcn": PCN, "aud": "linkwork", "iat": now, "exp": now + 86_400}
    return jwt.encode({**base, **claims}, JWT_SECRET, algorithm="HS256")


def _unsigned(claims: dict[str, Any]) -> str:
    """A token with `"alg": "none"` and no signature: an attacker's claims, signed by nobody."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# kind -> (method, path, body (JSON value, or raw bytes), headers: "referrer" | "worker" | ... | dict)
Case = tuple[str, str, Any, Any]
CASES: dict[str, Case] = {
    "malformed JSON": ("POST", "/referrals", b'{"person": ', "referrer"),
    "empty body": ("POST", "/referrals", b"", "referrer"),
    "JSON array": ("POST", "/referrals", [], "referrer"),
    "JSON string": ("POST", "/referrals", "a referral", "referrer"),
    "JSON null": ("POST", "/referrals", None, "referrer"),
    "deeply nested JSON": ("POST", "/referrals", json.loads("[" * 500 + "]" * 500), "referrer"),
    "person not an object": ("POST", "/referrals", _body(person="Ada Example"), "referrer"),
    "missing person": ("POST", "/referrals", {k: v for k, v in _body().items() if k != "person"}, "referrer"),
    "NHS number check digit wrong": ("POST", "/referrals", _person(nhs_number=invalid_nhs_number(NHS)), "referrer"),
    "NHS number with letters": ("POST", "/referrals", _person(nhs_number="99900O0018"), "referrer"),
    "NHS number too long": ("POST", "/referrals", _person(nhs_number=NHS + "1"), "referrer"),
    "NHS number as a number": ("POST", "/referrals", _person(nhs_number=int(NHS)), "referrer"),
    "given name empty": ("POST", "/referrals", _person(given_name=""), "referrer"),
    "given name oversize": ("POST", "/referrals", _person(given_name="A" * 5000), "referrer"),
    "NUL in a name": ("POST", "/referrals", _person(family_name="Exa\x00mple"), "referrer"),
    "terminal escape in a name": ("POST", "/referrals", _person(family_name="Exa\x1b[31mmple"), "referrer"),
    "date of birth in the future": ("POST", "/referrals", _person(date_of_birth="2999-01-01"), "referrer"),
    "date of birth impossible": ("POST", "/referrals", _person(date_of_birth="1950-02-30"), "referrer"),
    "date of birth wrong format": ("POST", "/referrals", _person(date_of_birth="14/03/1950"), "referrer"),
    "date of birth implausible age": ("POST", "/referrals", _person(date_of_birth="1850-01-01"), "referrer"),
    "postcode invalid": ("POST", "/referrals", _person(postcode="QQ99 9QQX"), "referrer"),
    "email invalid": ("POST", "/referrals", _person(email="ada-at-example"), "referrer"),
    "sex unknown code": ("POST", "/referrals", _person(sex="robot"), "referrer"),
    "unknown person field": ("POST", "/referrals", _person(religion="x"), "referrer"),
    "unknown top-level field": ("POST", "/referrals", _body(is_admin=True), "referrer"),
    "needs empty": ("POST", "/referrals", _body(needs=[]), "referrer"),
    "needs unknown code": ("POST", "/referrals", _body(needs=["world-peace"]), "referrer"),
    "needs duplicated": ("POST", "/referrals", _body(needs=["housing", "housing"]), "referrer"),
    "needs oversize list": ("POST", "/referrals", _body(needs=["housing"] * 1000), "referrer"),
    "accessibility oversize list": (
        "POST",
        "/referrals",
        _person(accessibility_needs=["step-free-access"] * 100),
        "referrer",
    ),
    "source unknown": ("POST", "/referrals", _body(source="carrier-pigeon"), "referrer"),
    "urgency wrong type": ("POST", "/referrals", _body(urgency=1), "referrer"),
    "boolean as an unclear string": ("POST", "/referrals", _body(safeguarding_concern="maybe"), "referrer"),
    "consent not given": ("POST", "/referrals", _body(consent_to_refer=False), "referrer"),
    "timestamp without zone": ("POST", "/referrals", _body(consent_recorded_at="2025-01-01T10:00:00"), "referrer"),
    "SQL injection in an ODS code": (
        "POST",
        "/referrals",
        _body(referrer_organisation="B86001'; DROP TABLE referrals;--"),
        "referrer",
    ),
    "lower-case practice code": ("POST", "/referrals", _body(practice_ods_code="b86001"), "referrer"),
    "reason oversize": ("POST", "/referrals", _body(reason="r" * 3000), "referrer"),
    "body over the limit": ("POST", "/referrals", _body(reason="r" * (70 * 1024)), "referrer"),
    "Idempotency-Key with control characters": ("POST", "/referrals", _body(), {"Idempotency-Key": "k\x01"}),
    "no token": ("POST", "/referrals", _body(), {}),
    "malformed token": ("POST", "/referrals", _body(), _bearer("not-a-jwt")),
    "expired token": ("POST", "/referrals", _body(), _bearer(_token(exp=int(time.time()) - 60))),
    "forged token (other secret)": (
        "POST",
        "/referrals",
        _body(),
        _bearer(jwt.encode({"sub": "gp-1", "role": "referrer", "pcn": PCN, "aud": "linkwork", "exp": 2**31}, "x" * 40)),
    ),
    "unsigned token (alg none)": (
        "POST",
        "/referrals",
        _body(),
        _bearer(_unsigned({"sub": "gp-1", "role": "pcn_admin", "pcn": PCN, "aud": "linkwork", "exp": 2**31})),
    ),
    "token for another audience": ("POST", "/referrals", _body(), _bearer(_token(aud="someone-else"))),
    "unknown role in token": ("POST", "/referrals", _body(), _bearer(_token(role="superuser"))),
    "email as token subject": ("POST", "/referrals", _body(), _bearer(_token(sub="ada@example.org"))),
    "wrong role (commissioner creates)": ("POST", "/referrals", _body(), _bearer(_token(role="commissioner"))),
    "other tenant reads (link worker of another PCN)": ("GET", "/referrals/{rid}", None, "elsewhere"),
    "other referrer reads": ("GET", "/referrals/{rid}", None, "other referrer"),
    "other tenant changes": (
        "POST",
        "/referrals/{rid}/contacts",
        {"kind": "first-contact", "mode": "telephone", "occurred_at": "2025-01-01T10:00:00Z", "outcome": "no-answer"},
        "elsewhere",
    ),
    "id not a UUID": ("GET", "/referrals/not-a-uuid", None, "worker"),
    "unknown id": ("GET", f"/referrals/{uuid4()}", None, "worker"),
    "page size zero": ("GET", "/referrals?limit=0", None, "worker"),
    "page size oversize": ("GET", "/referrals?limit=100000", None, "worker"),
    "status filter unknown": ("GET", "/referrals?status=archived", None, "worker"),
    "audit read by a link worker": ("GET", "/audit", None, "worker"),
    "audit subject with control characters": ("GET", "/audit?subject=a%0Ab", None, "admin"),
    "unknown contact kind": (
        "POST",
        "/referrals/{rid}/contacts",
        {"kind": "telepathy", "mode": "telephone", "outcome": "no-answer"},
        "worker",
    ),
    "wrong content type": ("POST", "/referrals", b"person=Ada", {"content-type": "application/x-www-form-urlencoded"}),
}


def _headers(who: Any, token: Token) -> dict[str, str]:
    named: dict[str, Callable[[], dict[str, str]]] = {
        "referrer": lambda: token("referrer", subject="gp-1"),
        "other referrer": lambda: token("referrer", subject="gp-2"),
        "worker": lambda: token("link_worker", subject="lw-1"),
        "admin": lambda: token("pcn_admin", subject="admin-1"),
        "elsewhere": lambda: token("link_worker", pcn=OTHER_PCN, subject="lw-9"),
    }
    if isinstance(who, str):
        return named[who]()
    headers = dict(who)
    if headers and "Authorization" not in headers:  # a header case, sent by a signed-in referrer
        headers.update(token("referrer", subject="gp-1"))
    return headers


async def _stored(database_url: str) -> dict[str, Any]:
    """What the service stores; the outbox aside (the relay empties it meanwhile; new events show in the timeline)."""
    return {k: v for k, v in (await snapshot(database_url)).items() if k != "outbox_pending"}


async def test_every_kind_of_bad_input_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    assert len(CASES) >= 50
    created = await client.post("/referrals", json=referral_body(NHS), headers=token("referrer", subject="gp-1"))
    assert created.status_code == 201
    rid = created.json()["id"]
    before = await _stored(settings.database_url)
    answered: dict[str, int] = {}
    for kind, (method, path, body, who) in CASES.items():
        headers = _headers(who, token)
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers.setdefault("content-type", "application/json")
        response = await client.request(method, path.format(rid=rid), content=content, headers=headers)
        answered[kind] = response.status_code
        assert 400 <= response.status_code < 500, (kind, response.status_code, response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json"), kind
        echoed = [value for value in PERSON_VALUES if value in response.text]
        assert echoed == [], (kind, echoed)
    assert await _stored(settings.database_url) == before, "a bad input changed what the service stores"
    assert_table_is_true(answered, TABLE)
