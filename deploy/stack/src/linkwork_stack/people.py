"""Synthetic people for the demo simulator, end-to-end tests and benchmarks: never real patients.

NHS numbers come from the 999 range the NHS keeps for testing, with a correct check digit; postcodes
are in the Leeds demo area the shipped reference tables cover.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from linkwork_contracts.events import ReferralRequestedV1
from linkwork_contracts.nhs_number import check_digit

GIVEN = ("Ada", "Bilal", "Chloe", "Dev", "Erin", "Farah", "George", "Hana", "Idris", "Joan", "Kwame", "Leah")
FAMILY = ("Example", "Sample", "Testperson", "Synthetic", "Placeholder", "Fictional")
DISTRICTS = ("LS1", "LS2", "LS4", "LS6", "LS7", "LS8", "LS9", "LS11", "LS12", "LS13", "LS16", "LS17")
NEEDS = (
    "loneliness-isolation",
    "mood-anxiety-stress",
    "physical-activity",
    "weight-healthy-eating",
    "debt-money-benefits",
    "housing",
    "carers-support",
    "bereavement",
    "arts-creativity-culture",
    "nature-green-space",
    "digital-inclusion",
    "learning-education",
)
SOURCES = ("gp-practice", "gp-practice", "gp-practice", "self-referral", "social-care", "vcse", "hospital")
PRACTICES = ("Z99001", "Z99002", "Z99003")
INTERESTS = ("walking", "singing", "gardening", "art", "cooking", "reading", "football", "crafts")


def synthetic_nhs_number(rng: random.Random) -> str:
    while True:
        first_nine = f"999{rng.randrange(10**6):06d}"
        digit = check_digit(first_nine)
        if digit is not None:
            return f"{first_nine}{digit}"


# How simulated people prefer to be contacted; derived from the NHS number so the random stream is unchanged.
_CONTACT_METHODS = ("telephone", "text-message", "email")


@dataclass(frozen=True)
class Person:
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    ethnic_category: str
    postcode: str
    needs: tuple[str, ...]
    source: str
    practice: str
    interests: tuple[str, ...]

    @classmethod
    def random(cls, rng: random.Random) -> Person:
        age = rng.choice((rng.randint(18, 40), rng.randint(40, 70), rng.randint(65, 92)))
        district = rng.choice(DISTRICTS)
        return cls(
            nhs_number=synthetic_nhs_number(rng),
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            date_of_birth=date.today() - timedelta(days=age * 365 + rng.randint(0, 364)),
            sex=rng.choice(("female", "male")),
            ethnic_category=rng.choice("AAAABCDHJKMNR"),
            # One of the referral service's synthetic demo postcodes (onspd_demo_sample.csv), which have an LSOA and
            # so an IMD decile: the demo's deprivation figures are not all "unknown".
            postcode=f"{district} {rng.randint(1, 5)}{rng.choice('AB')}{rng.choice('DE')}",
            needs=tuple(rng.sample(NEEDS, rng.choice((1, 1, 2, 2, 3)))),
            source=rng.choice(SOURCES),
            practice=rng.choice(PRACTICES),
            interests=tuple(rng.sample(INTERESTS, 2)),
        )

    def referral_body(self) -> dict[str, Any]:
        return {
            "person": {
                "given_name": self.given_name,
                "family_name": self.family_name,
                "nhs_number": self.nhs_number,
                "date_of_birth": self.date_of_birth.isoformat(),
                "sex": self.sex,
                "ethnic_category": self.ethnic_category,
                "address_lines": ["1 Synthetic Street"],
                "postcode": self.postcode,
                # Ofcom's drama numbers and example.org: safe to "send" to the local Notify and SMTP servers.
                "phone": f"07700 900{self.nhs_number[-3:]}",
                "email": f"person-{self.nhs_number[-4:]}@example.org",
                "preferred_contact": _CONTACT_METHODS[int(self.nhs_number[-2]) % len(_CONTACT_METHODS)],
                "languages": ["en"],
                "accessibility_needs": [],
            },
            "needs": list(self.needs),
            "reason": "Synthetic referral from the linkwork simulator.",
            "source": self.source,
            "referrer_organisation": self.practice,
            "practice_ods_code": self.practice,
            "urgency": "routine",
            "safeguarding_concern": False,
            "consent_to_refer": True,
        }

    def referral_requested(self, request_id: str) -> ReferralRequestedV1:
        """The same referral as a GP system's ReferralRequested event, the route in over Kafka."""
        body = self.referral_body()
        now = datetime.now(UTC).isoformat()
        return ReferralRequestedV1.model_validate(
            {
                "request_id": request_id,
                "requested_at": now,
                "source": body["source"],
                "urgency": "routine",
                "practice_ods_code": "Z99001",
                "needs": body["needs"],
                "reason": body["reason"],
                "referrer": {"name": "Dr A Example", "role": "GP", "organisation_ods_code": "Z99001"},
                "person": body["person"],
                "consent_to_refer": True,
                "consent_recorded_at": now,
            }
        )
