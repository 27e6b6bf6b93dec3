"""Drive referrals through their workflow while parts of the system crash and restart.

Each step first reads the referral's state and only acts if the step is still to do, so a request
that succeeded but whose answer was lost (the service was killed) is never repeated; connection
errors, time-outs and 5xx answers are waited out and retried.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from linkwork_stack.journey import Journey, JourneyError
from linkwork_stack.people import Person

RETRY_DELAY = 0.5

# The order of the workflow's states, for "is this step still to do?"
ORDER = ("requested", "allocated", "contacted", "assessed", "plan-agreed", "following-up", "completed")


async def _patiently(step: Callable[[], Awaitable[Any]], give_up_after: float) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + give_up_after
    while True:
        try:
            return await step()
        except (httpx.HTTPError, JourneyError) as error:
            if isinstance(error, JourneyError) and error.status is not None and 400 <= error.status < 500:
                raise  # the request itself is wrong: no outage explains that
            if loop.time() > deadline:
                raise JourneyError(f"gave up after {give_up_after:.0f}s: {error}") from error
            await asyncio.sleep(RETRY_DELAY)


class ResilientJourney:
    def __init__(self, journey: Journey, give_up_after: float = 240.0) -> None:
        self.journey, self.give_up_after = journey, give_up_after

    async def state(self, rid: str) -> dict[str, Any]:
        async def read() -> dict[str, Any]:
            response = await self.journey.client.get(f"/referrals/{rid}", headers=self.journey.worker)
            if response.status_code != 200:
                raise JourneyError(
                    f"read: HTTP {response.status_code} {response.text[:200]}",
                    # 404: not created yet (it may still be on its way from Kafka)
                    None if response.status_code >= 500 or response.status_code == 404 else response.status_code,
                )
            body: dict[str, Any] = response.json()
            return body

        result: dict[str, Any] = await _patiently(read, self.give_up_after)
        return result

    async def _advance(self, rid: str, target: str, act: Callable[[dict[str, Any]], Awaitable[Any]]) -> None:
        async def step() -> None:
            current = await self.state(rid)
            if ORDER.index(current["state"]) >= ORDER.index(target):
                return
            try:
                await act(current)
            except JourneyError as error:
                if error.status != 409:  # 409: the step was done already, by a request we never heard back from
                    raise
            if ORDER.index((await self.state(rid))["state"]) < ORDER.index(target):
                raise JourneyError(f"{rid} not yet {target}")

        await _patiently(step, self.give_up_after)

    async def drive(self, rid: str, person: Person, rng: random.Random, *, close: bool) -> dict[str, Any]:
        j = self.journey
        await self._advance(rid, "allocated", lambda _: j.accept(rid))
        suggestions = await _patiently(lambda: j.suggestions(rid, within=30), self.give_up_after)
        await self._advance(rid, "contacted", lambda _: j.first_contact(rid))
        await self._advance(rid, "assessed", lambda _: j.assess(rid, person, baseline=2))
        await self._advance(rid, "plan-agreed", lambda _: j.agree_plan(rid, suggestions, person))
        if close:
            await self._advance(rid, "following-up", lambda current: j.follow_up(rid, current, level=3))
            await self._advance(rid, "completed", lambda _: j.close(rid))
        return await self.state(rid)
