"""Issue 15 [low]: an id outside the caller's scope is answered exactly like an id that does not exist (404),
so that the answer never confirms that another PCN's or another referrer's referral exists."""

from __future__ import annotations

import random
from uuid import uuid4

import httpx
import pytest
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number

from .conftest import OTHER_PCN, Token

pytestmark = pytest.mark.integration


async def test_out_of_scope_and_missing_ids_get_the_same_answer(client: httpx.AsyncClient, token: Token) -> None:
    body = referral_body(synthetic_nhs_number(random.Random()))
    created = await client.post("/referrals", json=body, headers=token("referrer", subject="gp-1"))
    assert created.status_code == 201
    existing, missing = created.json()["id"], str(uuid4())
    outsiders = {
        "other PCN": token("link_worker", pcn=OTHER_PCN, subject="lw-9"),
        "other referrer": token("referrer", subject="gp-2"),
        "commissioner": token("commissioner"),
    }
    for who, headers in outsiders.items():
        for method, path, json in (
            ("GET", "/referrals/{}", None),
            ("GET", "/referrals/{}/timeline", None),
            ("POST", "/referrals/{}/contacts", {"kind": "first-contact", "mode": "telephone", "outcome": "no-answer"}),
        ):
            answers = [
                await client.request(method, path.format(id_), json=json, headers=headers)
                for id_ in (existing, missing)
            ]
            shapes = [
                (r.status_code, r.text.replace(id_, "<id>"))
                for r, id_ in zip(answers, (existing, missing), strict=True)
            ]
            assert shapes[0][0] in (404, 422), (who, method, path, shapes[0])
            if shapes[0][0] == 404:
                assert shapes[0] == shapes[1], (who, method, path)
