"""Synthetic people and referrals for tests, benchmarks and the demo: never real patients.

NHS numbers come from the 999 range, which the NHS keeps for testing, with a correct check digit.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import uuid4

from linkwork_contracts.codes import NeedCategory, ReferralSource, Urgency
from linkwork_contracts.nhs_number import check_digit

from linkwork_referral.domain.person import Person
from linkwork_referral.domain.referral import NewReferral, Referrer


def synthetic_nhs_number(rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    while True:
        first_nine = f"999{rng.randrange(10**6):06d}"
        digit = check_digit(first_nine)
        if digit is not None:
            return f"{first_nine}{digit}"


def invalid_nhs_number(valid: str) -> str:
    """The same number with its check digit changed: fails the modulus 11 check."""
    return valid[:9] + str((int(valid[9]) + 1) % 10)


def referral_body(nhs_number: str, **overrides: Any) -> dict[str, Any]:
    """A complete, valid POST /referrals body."""
    body: dict[str, Any] = {
        "person": {
            "given_name": "Ada",
            "family_name": "Example",
            "nhs_number": nhs_number,
            "date_of_birth": "1950-03-14",
            "sex": "female",
            "ethnic_category": "A",
            "address_lines": ["1 Test Street"],
            "postcode": "LS6 1AA",
            "phone": "0113 496 0000",
            "email": "ada@example.org",
            "preferred_contact": "telephone",
            "languages": ["en"],
            "accessibility_needs": ["step-free-access"],
        },
        "needs": ["loneliness-isolation", "physical-activity"],
        "reason": "Lives alone since her husband died; would like to get out more.",
        "source": "gp-practice",
        "referrer_organisation": "B86001",
        "practice_ods_code": "B86001",
        "urgency": "routine",
        "safeguarding_concern": False,
        "consent_to_refer": True,
    }
    body.update(overrides)
    return body


def gp_referral(
    person: Person,
    needs: Sequence[NeedCategory],
    at: datetime,
    *,
    pcn: str = "U12345",
    referrer: Referrer | None = None,
    practice_ods_code: str | None = "B86001",
) -> NewReferral:
    """A routine, consented referral from a GP practice for `person`, made `at`: what tests and benchmarks start
    from when they build the aggregate directly."""
    return NewReferral(
        id=uuid4(),
        pcn=pcn,
        person=person,
        needs=needs,
        source=ReferralSource.GP_PRACTICE,
        referrer=referrer or Referrer("B86001", subject="dr-who"),
        urgency=Urgency.ROUTINE,
        created_at=at,
        consent_to_refer=True,
        consent_recorded_at=at,
        practice_ods_code=practice_ods_code,
    )
