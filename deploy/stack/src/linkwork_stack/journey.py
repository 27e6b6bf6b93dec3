"""One person's way through linkwork, driven over the referral service's public HTTP API.

Shared by the demo simulator, the end-to-end and fault-injection tests and the end-to-end benchmarks,
so that all of them exercise the same real requests a link worker's screen would send.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx

from linkwork_stack.people import Person

Headers = Callable[..., dict[str, str]]


class JourneyError(RuntimeError):
    """The service answered something a real user would see as a failure (`status` None: no answer yet)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _ok(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 400:
        raise JourneyError(f"{what}: HTTP {response.status_code} {response.text[:500]}", response.status_code)
    body: dict[str, Any] = response.json()
    return body


def _swemwbs(rng: random.Random, level: int) -> dict[str, Any]:
    return {"measure": "swemwbs", "items": [max(1, min(5, level + rng.choice((-1, 0, 0, 1)))) for _ in range(7)]}


class Journey:
    """The calls of one referral's life; each returns the referral as the API shows it."""

    def __init__(self, client: httpx.AsyncClient, headers: Headers, rng: random.Random) -> None:
        self.client, self.headers, self.rng = client, headers, rng
        self.worker_subject = f"lw-{rng.randint(1, 4)}"

    @property
    def worker(self) -> dict[str, str]:
        """The link worker's `Authorization`, asked for at each request: a journey can outlive one access token
        (Keycloak's last 300 s), and `headers` hands out a fresh one before the old expires, as a real client would."""
        return self.headers("link_worker", subject=self.worker_subject)

    async def refer(self, person: Person, idempotency_key: str | None = None) -> dict[str, Any]:
        headers = self.headers("referrer", subject=f"gp-{person.practice}", organisation=person.practice)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return _ok(await self.client.post("/referrals", json=person.referral_body(), headers=headers), "refer")

    async def accept(self, rid: str) -> dict[str, Any]:
        return _ok(await self.client.post(f"/referrals/{rid}/accept", json={}, headers=self.worker), "accept")

    async def first_contact(self, rid: str) -> dict[str, Any]:
        body = {
            "kind": "first-contact",
            "mode": "telephone",
            "occurred_at": datetime.now(UTC).isoformat(),
            "outcome": "contact-made",
            "duration_minutes": self.rng.randint(10, 45),
        }
        return _ok(await self.client.post(f"/referrals/{rid}/contacts", json=body, headers=self.worker), "contact")

    async def suggestions(self, rid: str, within: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            response = await self.client.get(f"/referrals/{rid}/suggestions", headers=self.worker)
            if response.status_code == 200:
                return _ok(response, "suggestions")
            await asyncio.sleep(0.2)
        raise JourneyError(f"no suggestions for referral {rid} within {within:.0f}s")

    async def assess(self, rid: str, person: Person, baseline: int) -> dict[str, Any]:
        body = {
            "needs": list(person.needs),
            "baseline_measures": [_swemwbs(self.rng, baseline)],
            "interests": list(person.interests),
            "travel_mode": "public-transport",
            "max_travel_minutes": 40,
            "delivery_modes": ["in-person", "online", "telephone"],
        }
        return _ok(await self.client.post(f"/referrals/{rid}/assessment", json=body, headers=self.worker), "assess")

    async def agree_plan(self, rid: str, suggestions: dict[str, Any], person: Person) -> dict[str, Any]:
        # One activity per need: the best option not already chosen for another need.
        activities: list[dict[str, str]] = []
        for need in suggestions.get("needs", []):
            chosen = {a["service_id"] for a in activities}
            option = next((o for o in need.get("options", []) if o["service_id"] not in chosen), None)
            if option is not None:
                activities.append({"service_id": option["service_id"], "need": need["need"]})
        body = {
            "goals": ["connect with a local group"],
            "needs_addressed": list(person.needs),
            "activities": activities,
            "follow_ups": [{"due_on": date.today().isoformat(), "kind": "review"}],
        }
        return _ok(await self.client.post(f"/referrals/{rid}/plan", json=body, headers=self.worker), "plan")

    async def follow_up(self, rid: str, referral: dict[str, Any], level: int) -> dict[str, Any]:
        plan = referral.get("plan") or {}
        pending = referral.get("pending_follow_ups") or plan.get("follow_ups") or []
        attendance = [
            {
                "service_id": a["service_id"],
                "status": self.rng.choice(("attending", "attending", "stopped")),
                "confirmed_by": "provider",
                "sessions_attended": self.rng.randint(1, 6),
            }
            for a in plan.get("activities", [])
        ]
        body: dict[str, Any] = {
            "mode": "in-person",
            "occurred_at": datetime.now(UTC).isoformat(),
            "outcome": "contact-made",
            "attendance": attendance,
            "measures": [_swemwbs(self.rng, level)],
        }
        if pending:
            body["follow_up_id"] = pending[0]["id"]
        return _ok(await self.client.post(f"/referrals/{rid}/follow-ups", json=body, headers=self.worker), "follow-up")

    async def close(self, rid: str, reason: str = "goals-met") -> dict[str, Any]:
        body = {"reason": reason}
        return _ok(await self.client.post(f"/referrals/{rid}/close", json=body, headers=self.worker), "close")


async def full_journey(journey: Journey, person: Person, *, suggestions_within: float = 60.0) -> dict[str, Any]:
    """Refer, accept, contact, wait for suggestions, assess, plan, follow up and close one person."""
    rid = (await journey.refer(person))["id"]
    await journey.accept(rid)
    suggestions = await journey.suggestions(rid, within=suggestions_within)
    await journey.first_contact(rid)
    await journey.assess(rid, person, baseline=2)
    planned = await journey.agree_plan(rid, suggestions, person)
    await journey.follow_up(rid, planned, level=3)
    closed = await journey.close(rid)
    return {"id": rid, "state": closed["state"], "suggestions": suggestions}
