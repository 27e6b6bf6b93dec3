"""person_ref: a keyed HMAC of the NHS number, stable per deployment and unlinkable across them."""

from __future__ import annotations

import hashlib
import hmac
from uuid import uuid4

import pytest
from linkwork_referral.domain.pseudonym import PersonRefKey

pytestmark = pytest.mark.unit
SECRET = b"s" * 32


def test_person_ref_is_the_hmac_sha256_of_the_nhs_number(nhs_number: str) -> None:
    expected = hmac.new(SECRET, nhs_number.encode(), hashlib.sha256).hexdigest()
    key = PersonRefKey(SECRET)
    assert key.person_ref(nhs_number, uuid4()) == expected
    # Spaces as people type them do not change the reference.
    spaced = f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"
    assert key.person_ref(spaced, uuid4()) == expected
    assert PersonRefKey(b"t" * 32).person_ref(nhs_number, uuid4()) != expected


def test_without_an_nhs_number_the_reference_is_per_referral() -> None:
    key, referral_id = PersonRefKey(SECRET), uuid4()
    assert key.person_ref(None, referral_id) == key.person_ref(None, referral_id)
    assert key.person_ref(None, referral_id) != key.person_ref(None, uuid4())


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        PersonRefKey(b"short")
