"""Seeded synthetic ORUK services: organisations running activities at shared venues, with sessions,
costs, ages, languages, accessibility, capacity and routes in, for every need category.

The same seed and count give the same ids and content (apart from verification dates, which are kept
relative to `today` so that about a third of the directory is due for review whenever it is made).
Phone numbers are from Ofcom's range for drama (01632 960xxx) and web addresses use example.org.
"""

from __future__ import annotations

import csv
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from linkwork_contracts.codes import NeedCategory

from linkwork_directory.adapters.demo.catalogue import (
    ACTIVITIES,
    ALSO_MEETS,
    LANGUAGES,
    NEIGHBOURHOODS,
    ORGANISATION_KINDS,
    REMOTE,
    TOWNS,
    VENUE_KINDS,
)
from linkwork_directory.domain.coverage import area_of

NAMESPACE = uuid.UUID("5b1d4f0e-6a53-4c2e-9d51-0c6a3e7f2b18")
STREETS = (
    "Church Lane",
    "High Street",
    "Victoria Road",
    "Station Road",
    "Park Avenue",
    "Mill Street",
    "Otley Road",
    "Kirkstall Lane",
    "Cardigan Road",
    "Chapel Street",
    "Grove Terrace",
    "Moor Road",
)
ACCESS_NOTES = (
    "Step-free access throughout.",
    "Wheelchair accessible, with an accessible toilet.",
    "A hearing loop is fitted in the main hall.",
    "There is a quiet room if you need a break.",
    "Seating available at all sessions.",
    "Blue badge parking next to the entrance.",
    "Assistance dogs welcome.",
    "Carers go free.",
)
STARTS = ("09:30", "10:00", "10:30", "11:00", "13:00", "13:30", "14:00", "18:00", "18:30", "19:00")
INLAND_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Place:
    postcode: str
    latitude: float
    longitude: float
    town: str


def sample_places(path: Path) -> list[Place]:
    """Live postcodes from an ONSPD-layout file (the shipped Leeds sample by default)."""
    with path.open(newline="", encoding="utf-8") as file:
        rows = csv.DictReader(line for line in file if not line.startswith("#"))
        return [
            Place(r["pcds"], float(r["lat"]), float(r["long"]), "Leeds")
            for r in rows
            if not r.get("doterm") and -90 <= float(r["lat"]) <= 90
        ]


def town_places(rng: random.Random, count: int) -> list[Place]:
    """Made-up postcodes scattered over English cities, weighted by size (for national-scale directories)."""
    weights = [town[4] for town in TOWNS]
    places = []
    for _ in range(count):
        name, area, latitude, longitude, _weight = rng.choices(TOWNS, weights)[0]
        inward = f"{rng.randint(1, 9)}{rng.choice(INLAND_LETTERS)}{rng.choice(INLAND_LETTERS)}"
        places.append(
            Place(
                f"{area}{rng.randint(1, 20)} {inward}",
                round(latitude + rng.gauss(0, 0.04), 6),
                round(longitude + rng.gauss(0, 0.06), 6),
                name,
            )
        )
    return places


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(map(str, parts))))


class DemoDirectory:
    def __init__(self, *, count: int, seed: int, today: date, places: list[Place]) -> None:
        self.count, self.seed, self.today, self.places = count, seed, today, places
        self.rng = random.Random(seed)
        self.organisations = [self._organisation(n) for n in range(max(5, count // 5))]
        self.venues = [self._venue(n) for n in range(max(5, count // 3))]

    def _organisation(self, n: int) -> dict[str, Any]:
        rng = self.rng
        name = f"{rng.choice(NEIGHBOURHOODS)} {rng.choice(ORGANISATION_KINDS)}"
        slug = name.lower().replace(" ", "-").replace("'", "")
        body: dict[str, Any] = {
            "id": _id(self.seed, "org", n),
            "name": name,
            "description": f"{name} is a local charity run by and for the community.",
            "email": f"hello@{slug}.example.org",
            "website": f"https://{slug}.example.org",
        }
        if rng.random() < 0.6:
            body["organization_identifiers"] = [
                {
                    "id": _id(self.seed, "org-id", n),
                    "identifier_scheme": "GB-CHC",
                    "identifier_type": "Charity number",
                    "identifier": str(rng.randint(1_000_000, 1_199_999)),
                }
            ]
        return body

    def _venue(self, n: int) -> dict[str, Any]:
        rng = self.rng
        place = rng.choice(self.places)
        area = rng.choice(NEIGHBOURHOODS) if place.town == "Leeds" else place.town
        notes = rng.sample(ACCESS_NOTES, rng.randint(0, 3))
        venue: dict[str, Any] = {
            "id": _id(self.seed, "venue", n),
            "location_type": "physical",
            "name": f"{area} {rng.choice(VENUE_KINDS)}",
            # Within about 150 m of the postcode's centre, as a building is.
            "latitude": round(place.latitude + rng.uniform(-0.0013, 0.0013), 6),
            "longitude": round(place.longitude + rng.uniform(-0.0021, 0.0021), 6),
            "addresses": [
                {
                    "id": _id(self.seed, "address", n),
                    "address_1": f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
                    "city": place.town,
                    "state_province": "England",
                    "postal_code": place.postcode,
                    "country": "GB",
                    "address_type": "physical",
                }
            ],
            "accessibility": [{"id": _id(self.seed, "access", n), "description": " ".join(notes)}] if notes else [],
        }
        return venue

    def services(self) -> Iterator[dict[str, Any]]:
        needs = list(NeedCategory)
        for n in range(self.count):
            # Every need is covered; the commonest asks (isolation, mood, activity) get more services.
            need = (
                needs[n % len(needs)]
                if n < len(needs) * 2
                else self.rng.choices(
                    needs, weights=[4 if i < 3 else 2 if i in (3, 4, 13, 14) else 1 for i in range(len(needs))]
                )[0]
            )
            yield self._service(n, need)

    def _service(self, n: int, need: NeedCategory) -> dict[str, Any]:
        rng = self.rng
        activity, what = rng.choice(ACTIVITIES[need])
        organisation = rng.choice(self.organisations)
        remote = activity in REMOTE
        modes = (
            (["telephone"] if rng.random() < 0.6 else ["online", "telephone"])
            if remote
            else rng.choices([["in-person"], ["online"], ["in-person", "online"]], weights=(88, 5, 7))[0]
        )
        venues = rng.sample(self.venues, 1 if rng.random() < 0.85 else 2) if "in-person" in modes else []
        where = venues[0]["name"].rsplit(" ", 2)[0] if venues else "online and by phone"
        service_id = _id(self.seed, "service", n)
        needs = [need] + ([ALSO_MEETS[need]] if need in ALSO_MEETS and rng.random() < 0.5 else [])
        body: dict[str, Any] = {
            "id": service_id,
            "name": f"{activity} ({where})",
            "status": "active",
            "description": f"{activity}: {what}. Run by {organisation['name']}. "
            + rng.choice(
                (
                    "Everyone welcome.",
                    "Refreshments provided.",
                    "Just turn up.",
                    "Please get in touch before your first visit.",
                )
            ),
            "url": f"{organisation['website']}/{activity.lower().replace(' ', '-')}",
            "organization": organisation,
            "assured_date": (self.today - timedelta(days=rng.randint(0, 300))).isoformat(),
            "service_at_locations": [
                {"id": _id(self.seed, "sal", n, i), "location": venue} for i, venue in enumerate(venues)
            ],
            "schedules": self._schedules(n),
            "languages": [{"id": _id(self.seed, "lang", n, 0), "name": "English", "code": "en"}]
            + (
                [
                    {"id": _id(self.seed, "lang", n, 1), "name": name, "code": code}
                    for code, name in [rng.choice(LANGUAGES)]
                ]
                if rng.random() < 0.12
                else []
            ),
            "contacts": [
                {
                    "id": _id(self.seed, "contact", n),
                    "name": "Activity coordinator",
                    "title": "Coordinator",
                    "phones": [{"id": _id(self.seed, "phone", n), "number": f"01632 960{rng.randint(0, 999):03d}"}],
                }
            ],
            "cost_options": self._costs(n),
            "social_prescribing": self._extension(needs, modes, venues),
        }
        body.update(self._ages())
        if remote or "online" in modes:
            # For people in its own postcode area: a Leeds phone line is not for Bristol.
            postcode = venues[0]["addresses"][0]["postal_code"] if venues else rng.choice(self.places).postcode
            town = venues[0]["addresses"][0]["city"] if venues else "its area"
            body["service_areas"] = [
                {
                    "id": _id(self.seed, "area", n),
                    "name": town,
                    "extent": area_of(postcode.split(" ")[0]),
                    "extent_type": "text",
                }
            ]
        return body

    def _schedules(self, n: int) -> list[dict[str, Any]]:
        rng = self.rng
        schedules = []
        for i in range(1 if rng.random() < 0.75 else 2):
            start = rng.choice(STARTS)
            hours, minutes = map(int, start.split(":"))
            end_minutes = hours * 60 + minutes + rng.choice((60, 90, 120))
            schedule: dict[str, Any] = {
                "id": _id(self.seed, "schedule", n, i),
                "opens_at": start,
                "closes_at": f"{end_minutes // 60:02d}:{end_minutes % 60:02d}",
                "freq": "WEEKLY",
                "interval": 1,
                "byday": rng.choice(("MO", "TU", "WE", "TH", "FR", "SA", "TU,TH", "MO,WE")),
            }
            kind = rng.random()
            if kind < 0.1:
                schedule["interval"] = 2  # fortnightly
            elif kind < 0.18:
                schedule.update(freq="MONTHLY", byday=f"{rng.randint(1, 4)}{rng.choice(('MO', 'WE', 'FR'))}")
            schedules.append(schedule)
        return schedules

    def _costs(self, n: int) -> list[dict[str, Any]]:
        rng = self.rng
        kind = rng.random()
        if kind < 0.65:
            return []
        if kind < 0.9:
            return [
                {
                    "id": _id(self.seed, "cost", n),
                    "option": "Per session",
                    "amount": rng.choice((1, 1.5, 2, 3, 4, 5)),
                    "amount_description": "per session",
                }
            ]
        if kind < 0.95:
            return [
                {
                    "id": _id(self.seed, "cost", n),
                    "option": "Whole course",
                    "amount": rng.choice((20, 35, 60)),
                    "amount_description": "for the whole course",
                }
            ]
        return [
            {"id": _id(self.seed, "cost", n), "option": "Membership", "amount": 10, "amount_description": "per month"}
        ]

    def _ages(self) -> dict[str, int]:
        return self.rng.choices(
            [
                {},
                {"minimum_age": 18},
                {"minimum_age": 50},
                {"minimum_age": 65},
                {"minimum_age": 16, "maximum_age": 25},
                {"minimum_age": 11, "maximum_age": 18},
            ],
            weights=(55, 20, 8, 7, 5, 5),
        )[0]

    def _extension(self, needs: list[NeedCategory], modes: list[str], venues: list[dict[str, Any]]) -> dict[str, Any]:
        rng = self.rng
        routes = [
            route
            for route, share in (("self-referral", 0.7), ("link-worker", 0.95), ("provider-contact", 0.25))
            if rng.random() < share
        ] or ["link-worker"]
        features = {"large-print", "easy-read", "bsl-interpreter"} if rng.random() < 0.05 else set()
        return {
            "need_categories": [need.value for need in needs],
            "delivery_modes": modes,
            "referral_routes": routes,
            "places_per_week": rng.randint(4, 30) if rng.random() < 0.55 else None,
            "waiting_list": rng.random() < 0.08,
            "accessibility": sorted(features),
        }
