"""Fixtures shared by the referral service's unit and integration tests."""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from linkwork_contracts.codes import NeedCategory, Sex
from linkwork_referral.adapters.samples import gp_referral, synthetic_nhs_number
from linkwork_referral.domain.person import Person
from linkwork_referral.domain.referral import NewReferral, Referral

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Makes referral_fakes importable from the tests (the suite runs with --import-mode=importlib).
HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture
def nhs_number() -> str:
    return synthetic_nhs_number(random.Random(42))


@pytest.fixture
def new_referral(nhs_number: str) -> NewReferral:
    person = Person(
        "Ada", "Example", nhs_number, date(1950, 3, 14), Sex.FEMALE, postcode="LS6 1AA", phone="0113 496 0000"
    )
    return gp_referral(person, (NeedCategory.LONELINESS_ISOLATION, NeedCategory.PHYSICAL_ACTIVITY), T0)


@pytest.fixture
def referral(new_referral: NewReferral) -> Referral:
    created = Referral.create(new_referral)
    created.take_events()
    return created
