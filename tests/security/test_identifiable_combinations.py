"""Finding [medium]: details that together identify people, on topics kept for ever.

An event never carries both an LSOA and a ~1 km location, and a request id may not contain an NHS number."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import NeedCategory, Sex
from linkwork_contracts.events import PersonProfile, ReferralRequestedV1
from linkwork_contracts.geography import ApproxLocation
from linkwork_referral.adapters.outgoing import EventMapper
from linkwork_referral.adapters.reference_tables import Place, PostcodeDirectory
from linkwork_referral.adapters.samples import gp_referral, synthetic_nhs_number
from linkwork_referral.domain.person import Person
from linkwork_referral.domain.pseudonym import PersonRefKey
from linkwork_referral.domain.referral import Referral, Referrer
from pydantic import ValidationError

pytestmark = pytest.mark.unit
NHS = examples.NHS_NUMBER  # 9990000018: valid check digit


def test_a_profile_with_both_lsoa_and_location_is_refused() -> None:
    both = {**examples.PROFILE.model_dump(), "lsoa": "E01011229", "location": {"latitude": 53.82, "longitude": -1.58}}
    with pytest.raises(ValidationError, match="at most one of them"):
        PersonProfile.model_validate(both)
    PersonProfile.model_validate({**both, "location": None})
    PersonProfile.model_validate({**both, "lsoa": None})


class _OnsPostcodes(PostcodeDirectory):
    """An ONS Postcode Directory that knows every postcode's location and LSOA."""

    def __init__(self) -> None:
        pass

    def place(self, postcode: str | None) -> Place | None:
        return Place("LS6", ApproxLocation(latitude=53.82, longitude=-1.58), "E01011229")


def test_the_referral_service_sends_the_location_and_not_the_lsoa() -> None:
    now = datetime.now(UTC)
    person = Person(
        "Ada", "Example", synthetic_nhs_number(random.Random(1)), date(1950, 3, 14), Sex.FEMALE, postcode="LS6 1AA"
    )
    referral = Referral.create(
        gp_referral(person, (NeedCategory.HOUSING,), now, referrer=Referrer("B86001", subject="dr-1"))
    )
    profile = EventMapper(PersonRefKey(b"k" * 32), _OnsPostcodes()).profile(referral, now)
    assert profile.location is not None and profile.lsoa is None


@pytest.mark.parametrize("request_id", [NHS, f"emis-{NHS}", f"emis:{NHS}:2", "emis-999-000-0018", "r.999.000.0018"])
def test_a_request_id_containing_a_valid_nhs_number_is_refused(request_id: str) -> None:
    with pytest.raises(ValidationError, match="must not contain an NHS number"):
        ReferralRequestedV1.model_validate({**examples.REFERRAL_REQUESTED.model_dump(), "request_id": request_id})


@pytest.mark.parametrize("request_id", ["emis-LS6-000123", "9990000019", "99900000180", "gp:2026-03-02T09:00"])
def test_other_request_ids_are_accepted(request_id: str) -> None:
    ReferralRequestedV1.model_validate({**examples.REFERRAL_REQUESTED.model_dump(), "request_id": request_id})
