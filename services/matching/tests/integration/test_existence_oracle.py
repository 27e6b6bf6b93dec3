"""Issue 15 [low]: another PCN's referral is answered exactly like a referral that does not exist (404, same
body but for the id), on both routes that take a referral id, so matching never confirms that an id exists."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest
from linkwork_contracts import topics
from linkwork_contracts.codes import NeedCategory
from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings
from linkwork_runtime.testing import running_app

from .builders import PCN, referral, snapshot
from .conftest import FAST_RETRY, Send, Token, refer_and_wait_for_matches

pytestmark = pytest.mark.integration


async def test_another_pcns_referral_and_a_missing_one_get_the_same_answer(
    settings: Settings, send: Send, token: Token
) -> None:
    await send(topics.SERVICE_CHANGED, [snapshot(name="Walk")])
    person = referral(needs=(NeedCategory.PHYSICAL_ACTIVITY,))
    app = build_app(settings, retry=FAST_RETRY)
    async with running_app(app) as http:
        await refer_and_wait_for_matches(app, send, person)
        existing, missing = str(person.referral_id), str(uuid4())

        async def ask(route: str, id_: str, headers: dict[str, str]) -> httpx.Response:
            if route == "matches":
                return await http.get(f"/referrals/{id_}/matches", headers=headers)
            return await http.post("/match", json={"referral_id": id_}, headers=headers)

        for route in ("matches", "match"):
            assert (await ask(route, existing, token(pcn=PCN))).status_code == 200, route
            for who, headers in {
                "link worker elsewhere": token(pcn="U00002"),
                "PCN admin elsewhere": token(role="pcn_admin", pcn="U00002"),
            }.items():
                answers = [await ask(route, id_, headers) for id_ in (existing, missing)]
                shapes = [
                    (a.status_code, a.headers["content-type"], a.text.replace(id_, "<id>"))
                    for a, id_ in zip(answers, (existing, missing), strict=True)
                ]
                assert shapes[0][0] == 404, (route, who, shapes[0])
                assert shapes[0] == shapes[1], (route, who)
