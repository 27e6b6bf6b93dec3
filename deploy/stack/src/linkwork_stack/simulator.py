"""A day in a PCN, played through the real APIs: referrals arrive from several sources, link workers
accept, contact, assess, agree plans, follow up and close, with wellbeing that changes over time.

Not everyone completes: some referrals are declined, some people do not engage, some are still in
progress when the day ends, so every report and dashboard has something realistic to show.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable

import httpx

from linkwork_stack.journey import Journey, JourneyError
from linkwork_stack.people import Person

Headers = Callable[..., dict[str, str]]


async def _one_person(journey: Journey, person: Person, rng: random.Random) -> str:
    rid = (await journey.refer(person))["id"]
    if rng.random() < 0.08:
        return "requested"  # still waiting for a link worker at the end of the day
    await journey.accept(rid)
    suggestions = await journey.suggestions(rid)
    await journey.first_contact(rid)
    if rng.random() < 0.1:
        await journey.close(rid, "did-not-engage")
        return "did-not-engage"
    baseline = rng.choice((1, 2, 2, 3))
    await journey.assess(rid, person, baseline=baseline)
    planned = await journey.agree_plan(rid, suggestions, person)
    if rng.random() < 0.15:
        return "plan-agreed"
    improvement = rng.choice((0, 1, 1, 1, 2))
    await journey.follow_up(rid, planned, level=min(5, baseline + improvement))
    if rng.random() < 0.2:
        return "following-up"
    await journey.close(rid, rng.choice(("goals-met", "goals-met", "goals-met", "declined", "referred-on")))
    return "closed"


async def simulate(referral_url: str, headers: Headers, *, people: int, rate: float, seed: int) -> Counter[str]:
    """Refer `people` people at about `rate` per second and follow each through their journey."""
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=referral_url, timeout=30) as client:

        async def run(index: int) -> None:
            person_rng = random.Random(rng.random())
            try:
                outcomes[
                    await _one_person(Journey(client, headers, person_rng), Person.random(person_rng), person_rng)
                ] += 1
            except (JourneyError, httpx.HTTPError) as error:
                outcomes["failed"] += 1
                print(f"[simulate] person {index}: {error}", flush=True)
            done = sum(outcomes.values())
            if done % 10 == 0 or done == people:
                print(f"[simulate] {done}/{people} journeys played ({dict(outcomes)})", flush=True)

        tasks = []
        for index in range(people):
            tasks.append(asyncio.create_task(run(index)))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
    print(f"[simulate] done in {time.monotonic() - started:.1f}s: {dict(outcomes)}", flush=True)
    return outcomes
