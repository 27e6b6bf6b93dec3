"""NHS numbers, person_ref, postcodes and approximate locations."""

from __future__ import annotations

import pytest
from linkwork_contracts.geography import ApproxLocation, normalise_postcode, postcode_district
from linkwork_contracts.identifiers import derive_person_ref
from linkwork_contracts.nhs_number import check_digit, is_valid_nhs_number
from pydantic import ValidationError

pytestmark = pytest.mark.unit

SECRET = b"s" * 32


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "9990000018", "9990000026"])
def test_valid_nhs_numbers(number: str) -> None:
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # wrong check digit
        "9991234560",  # 11 - (sum mod 11) is 10: no valid number starts 999123456
        "943476591",  # nine digits
        "94347659190",  # eleven digits
        "94347659l9",  # a letter
        "",
        "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # full-width digits
    ],
)
def test_invalid_nhs_numbers(number: str) -> None:
    assert not is_valid_nhs_number(number)


def test_check_digit_rules() -> None:
    assert check_digit("943476591") == 9
    assert check_digit("999123456") is None  # remainder gives 10: invalid
    # A remainder of 0 gives 11, which means check digit 0.
    first_nine = next(f"{n:09d}" for n in range(100_000_000, 100_001_000) if check_digit(f"{n:09d}") == 0)
    assert is_valid_nhs_number(first_nine + "0")
    with pytest.raises(ValueError, match="nine digits"):
        check_digit("12345")


def test_person_ref_is_a_keyed_stable_pseudonym() -> None:
    ref = derive_person_ref("943 476 5919", SECRET)
    assert ref == derive_person_ref("9434765919", SECRET)
    assert len(ref) == 64 and all(c in "0123456789abcdef" for c in ref)
    assert ref != derive_person_ref("9434765919", b"t" * 32)  # unlinkable across deployments
    assert ref != derive_person_ref("9990000018", SECRET)


def test_person_ref_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="not a valid NHS number"):
        derive_person_ref("9434765918", SECRET)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        derive_person_ref("9434765919", b"short")


@pytest.mark.parametrize(
    ("given", "normalised", "district"),
    [
        ("ls6 1aa", "LS6 1AA", "LS6"),
        ("LS61AA", "LS6 1AA", "LS6"),
        ("  sw1a  1aa ", "SW1A 1AA", "SW1A"),
        ("M1 1AE", "M1 1AE", "M1"),
        ("B33 8TH", "B33 8TH", "B33"),
    ],
)
def test_postcodes(given: str, normalised: str, district: str) -> None:
    assert normalise_postcode(given) == normalised
    assert postcode_district(given) == district


@pytest.mark.parametrize("bad", ["LS6", "12345", "LS6 1A", "L$6 1AA"])
def test_not_a_postcode(bad: str) -> None:
    with pytest.raises(ValueError, match="not a UK postcode") as refused:
        normalise_postcode(bad)
    assert bad not in str(refused.value)  # errors name the rule, never the value (issue 15)


def test_approximate_location_is_rounded_to_about_a_kilometre() -> None:
    location = ApproxLocation.of(53.81912, -1.58234)
    assert (location.latitude, location.longitude) == (53.82, -1.58)
    with pytest.raises(ValidationError, match="more than 2 decimal places"):
        ApproxLocation(latitude=53.819, longitude=-1.58)
    with pytest.raises(ValidationError, match="less than or equal to 61"):
        ApproxLocation(latitude=64.0, longitude=-1.58)  # not in the UK
