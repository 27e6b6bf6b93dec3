"""Two synthetic directories of community services that overlap, with the answer: which listings are the same
service (issue 18's known-answer test of duplicate detection).

Like the directories a PCN imports from its council and from a charity network: each lists about two thirds
of the area's services; those both list are written differently (name order and spelling, "&" or "and",
phone formats, web addresses with or without `www`, postcodes without their space, fields missing, a direct
line instead of the switchboard). The hard cases are there too: one charity runs several services from the
same address, phone and website; many charities run a "Lunch club" or a "Walking group".
Deterministic: the same seed gives the same directories and answer.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

ORGANISATIONS = [
    "Age UK Leeds",
    "St Mark's Church",
    "Leeds Mind",
    "Carers Leeds",
    "Hyde Park Source",
    "Touchstone",
    "Feel Good Factor",
    "Space2",
    "Barca-Leeds",
    "Health for All",
    "Older People's Action in the Locality",
    "Leeds Irish Health & Homes",
    "Meanwood Valley Urban Farm",
    "Chapeltown Citizens Advice",
    "Armley Helping Hands",
    "Leeds Library Service",
    "Horsforth Live at Home",
    "Bramley Elderly Action",
    "Women's Health Matters",
    "Leeds Conservation Volunteers",
    "Holbeck Together",
    "Otley Action for Older People",
    "Leeds Black Elders Association",
    "Caring Together in Woodhouse",
    "Zest Health for Life",
    "Leeds Older People's Forum",
    "Seacroft Friends & Neighbours",
    "Pudsey Live at Home",
    "Dementia Forward",
    "Shantona Women's Centre",
]
ACTIVITIES = [
    "Lunch club",
    "Walking group",
    "Befriending",
    "Singing for the brain",
    "Community garden",
    "Chair based exercise",
    "Men's shed",
    "Debt & benefits advice",
    "Art & craft group",
    "Digital skills drop-in",
    "Carers' support group",
    "Coffee morning",
    "Tai chi",
    "Reading group",
    "Bereavement support",
]
DISTRICTS = ["LS6", "LS7", "LS8", "LS11", "LS12", "LS13", "LS18", "LS28"]


@dataclass
class Entry:
    """One service as one directory lists it."""

    id: str
    directory: str
    truth: int  # which real service this is
    name: str
    organisation: str
    postcode: str | None
    phone: str | None
    website: str | None

    def document(self) -> dict[str, Any]:
        """An ORUK v3 service document, as the directory would publish it."""
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "description": f"{self.name}, run by {self.organisation}.",
            "status": "active",
            "organization": {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.directory}/{self.organisation}")),
                "name": self.organisation,
                "description": "A local organisation.",
            },
        }
        if self.website:
            body["url"] = self.website
        if self.phone:
            body["contacts"] = [
                {
                    "id": str(uuid.uuid5(uuid.UUID(self.id), "contact")),
                    "name": "Enquiries",
                    "phones": [{"id": str(uuid.uuid5(uuid.UUID(self.id), "phone")), "number": self.phone}],
                }
            ]
        if self.postcode:
            location_id = str(uuid.uuid5(uuid.UUID(self.id), "location"))
            body["service_at_locations"] = [
                {
                    "id": str(uuid.uuid5(uuid.UUID(self.id), "sal")),
                    "location": {
                        "id": location_id,
                        "location_type": "physical",
                        "name": f"{self.organisation} venue",
                        "addresses": [
                            {
                                "id": str(uuid.uuid5(uuid.UUID(self.id), "address")),
                                "address_1": "1 Community Street",
                                "city": "Leeds",
                                "state_province": "West Yorkshire",
                                "postal_code": self.postcode,
                                "country": "GB",
                                "address_type": "physical",
                            }
                        ],
                    },
                }
            ]
        return body


@dataclass
class Overlapping:
    first: list[Entry]
    second: list[Entry]
    # (id in first, id in second) of every service both list
    answer: set[tuple[str, str]] = field(default_factory=set)


@dataclass(frozen=True)
class _Real:
    name: str
    organisation: str
    postcode: str
    phone: str
    website: str
    org_phone: str
    org_site: str


def _slug(text: str) -> str:
    return "".join(c for c in text.lower().replace("&", "and").replace(" ", "-") if c.isalnum() or c == "-")


def _real_services(rng: random.Random) -> list[_Real]:
    found = []
    for organisation in ORGANISATIONS:
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postcode = f"{rng.choice(DISTRICTS)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        switchboard = f"0113 {rng.randint(200, 499)} {rng.randint(1000, 9999)}"
        site = f"https://www.{_slug(organisation)}.org.uk"
        for activity in rng.sample(ACTIVITIES, rng.randint(2, 5)):
            direct = f"0113 {rng.randint(200, 499)} {rng.randint(1000, 9999)}"
            found.append(
                _Real(
                    activity,
                    organisation,
                    postcode,
                    direct if rng.random() < 0.5 else switchboard,
                    f"{site}/{_slug(activity)}",
                    switchboard,
                    site,
                )
            )
    return found


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :] if text[i] != " " and text[i + 1] != " " else text


def _name_variant(rng: random.Random, real: _Real) -> str:
    name = real.name
    pick = rng.randrange(6)
    if pick == 1:
        name = name.replace("&", "and") if "&" in name else name.lower()
    elif pick == 2:
        name = f"{real.organisation}: {name}"
    elif pick == 3:
        name = f"{name} ({real.organisation})"
    elif pick == 4:
        name = _typo(rng, name)
    elif pick == 5:
        name = f"{name} - {real.postcode.split()[0]}"
    return name


def _phone_variant(rng: random.Random, real: _Real) -> str | None:
    roll = rng.random()
    if roll < 0.2:
        return None
    if roll < 0.3:
        return real.org_phone  # the switchboard instead of the direct line
    digits = real.phone.replace(" ", "")
    return rng.choice([real.phone, digits, f"+44 {digits[1:4]} {digits[4:]}", f"({digits[:4]}) {digits[4:]}"])


def _website_variant(rng: random.Random, real: _Real) -> str | None:
    roll = rng.random()
    if roll < 0.25:
        return None
    if roll < 0.4:
        return real.org_site + "/"
    return rng.choice([real.website, real.website.replace("https://www.", "http://"), real.website + "/"])


def _postcode_variant(rng: random.Random, real: _Real) -> str | None:
    roll = rng.random()
    if roll < 0.1:
        return None
    return rng.choice([real.postcode, real.postcode.replace(" ", ""), real.postcode.lower()])


def overlapping_directories(
    seed: int = 18, first: str = "Leeds City Council", second: str = "Leeds Third Sector Network"
) -> Overlapping:
    rng = random.Random(seed)
    reals = _real_services(rng)
    result = Overlapping([], [])
    for truth, real in enumerate(reals):
        listed = rng.random()
        in_first, in_second = listed < 0.8, listed >= 0.35
        ids = {}
        if in_first:
            # The council's directory keeps the provider's own words.
            entry = Entry(
                str(uuid.UUID(int=rng.getrandbits(128))),
                first,
                truth,
                real.name,
                real.organisation,
                real.postcode if rng.random() > 0.05 else None,
                real.phone if rng.random() > 0.15 else None,
                real.website if rng.random() > 0.2 else None,
            )
            result.first.append(entry)
            ids["first"] = entry.id
        if in_second:
            entry = Entry(
                str(uuid.UUID(int=rng.getrandbits(128))),
                second,
                truth,
                _name_variant(rng, real),
                real.organisation if rng.random() > 0.1 else real.organisation.replace("&", "and").upper(),
                _postcode_variant(rng, real),
                _phone_variant(rng, real),
                _website_variant(rng, real),
            )
            result.second.append(entry)
            ids["second"] = entry.id
        if len(ids) == 2:
            result.answer.add((ids["first"], ids["second"]))
    return result
