"""Pseudonymous demographics carried in events: age band, sex, ethnic category, IMD decile.

Age bands: `docs/conventions.md` (ten-year bands above 24, matching the breakdowns commissioners
expect in `standards/social-prescribing.md`; 0-17 kept whole because few children are referred).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field


class AgeBand(StrEnum):
    AGE_0_17 = "0-17"
    AGE_18_24 = "18-24"
    AGE_25_34 = "25-34"
    AGE_35_44 = "35-44"
    AGE_45_54 = "45-54"
    AGE_55_64 = "55-64"
    AGE_65_74 = "65-74"
    AGE_75_84 = "75-84"
    AGE_85_PLUS = "85+"


_BAND_LOWER_BOUNDS: tuple[tuple[int, AgeBand], ...] = (
    (85, AgeBand.AGE_85_PLUS),
    (75, AgeBand.AGE_75_84),
    (65, AgeBand.AGE_65_74),
    (55, AgeBand.AGE_55_64),
    (45, AgeBand.AGE_45_54),
    (35, AgeBand.AGE_35_44),
    (25, AgeBand.AGE_25_34),
    (18, AgeBand.AGE_18_24),
    (0, AgeBand.AGE_0_17),
)

# Oldest verified human age is 122; anything above 130 is a data error, not a person.
MAX_PLAUSIBLE_AGE = 130


def age_band(age: int) -> AgeBand:
    """The band for an age in whole years; raises ValueError for negative or implausible ages."""
    if isinstance(age, bool) or not isinstance(age, int):
        raise TypeError(f"age must be a whole number of years, got {age!r}")
    if age < 0 or age > MAX_PLAUSIBLE_AGE:
        raise ValueError(f"age {age} is outside 0-{MAX_PLAUSIBLE_AGE}")
    return next(band for lower, band in _BAND_LOWER_BOUNDS if age >= lower)


def age_band_bounds(band: AgeBand) -> tuple[int, int | None]:
    """Inclusive (lowest, highest) age in a band; highest is None for the open 85+ band."""
    if band is AgeBand.AGE_85_PLUS:
        return 85, None
    low, high = band.value.split("-")
    return int(low), int(high)


class Sex(StrEnum):
    """Administrative sex/gender as exchanged in UK Core FHIR (HL7 AdministrativeGender)."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


# NHS Data Dictionary PERSON STATED GENDER CODE, for exports that need the national code.
NHS_STATED_GENDER_CODE: dict[Sex, str] = {
    Sex.MALE: "1",
    Sex.FEMALE: "2",
    Sex.OTHER: "9",  # "Indeterminate (unable to be classified as either male or female)"
    Sex.UNKNOWN: "X",  # "Not Known (not recorded)"
}


class EthnicCategory(StrEnum):
    """NHS Data Dictionary ETHNIC CATEGORY (2001 Census categories, as used in NHS datasets)."""

    WHITE_BRITISH = "A"
    WHITE_IRISH = "B"
    WHITE_OTHER = "C"
    MIXED_WHITE_BLACK_CARIBBEAN = "D"
    MIXED_WHITE_BLACK_AFRICAN = "E"
    MIXED_WHITE_ASIAN = "F"
    MIXED_OTHER = "G"
    ASIAN_INDIAN = "H"
    ASIAN_PAKISTANI = "J"
    ASIAN_BANGLADESHI = "K"
    ASIAN_OTHER = "L"
    BLACK_CARIBBEAN = "M"
    BLACK_AFRICAN = "N"
    BLACK_OTHER = "P"
    OTHER_CHINESE = "R"
    OTHER_ANY = "S"
    NOT_STATED = "Z"  # the person was asked and chose not to say
    NOT_KNOWN = "99"  # not asked, or not recorded


ETHNIC_CATEGORY_LABELS: dict[EthnicCategory, str] = {
    EthnicCategory.WHITE_BRITISH: "White - British",
    EthnicCategory.WHITE_IRISH: "White - Irish",
    EthnicCategory.WHITE_OTHER: "White - Any other White background",
    EthnicCategory.MIXED_WHITE_BLACK_CARIBBEAN: "Mixed - White and Black Caribbean",
    EthnicCategory.MIXED_WHITE_BLACK_AFRICAN: "Mixed - White and Black African",
    EthnicCategory.MIXED_WHITE_ASIAN: "Mixed - White and Asian",
    EthnicCategory.MIXED_OTHER: "Mixed - Any other mixed background",
    EthnicCategory.ASIAN_INDIAN: "Asian or Asian British - Indian",
    EthnicCategory.ASIAN_PAKISTANI: "Asian or Asian British - Pakistani",
    EthnicCategory.ASIAN_BANGLADESHI: "Asian or Asian British - Bangladeshi",
    EthnicCategory.ASIAN_OTHER: "Asian or Asian British - Any other Asian background",
    EthnicCategory.BLACK_CARIBBEAN: "Black or Black British - Caribbean",
    EthnicCategory.BLACK_AFRICAN: "Black or Black British - African",
    EthnicCategory.BLACK_OTHER: "Black or Black British - Any other Black background",
    EthnicCategory.OTHER_CHINESE: "Other Ethnic Groups - Chinese",
    EthnicCategory.OTHER_ANY: "Other Ethnic Groups - Any other ethnic group",
    EthnicCategory.NOT_STATED: "Not stated",
    EthnicCategory.NOT_KNOWN: "Not known",
}


class EthnicGroup(StrEnum):
    """The five top-level groups of the Data Dictionary list, for equity breakdowns."""

    WHITE = "white"
    MIXED = "mixed"
    ASIAN = "asian"
    BLACK = "black"
    OTHER = "other"
    NOT_STATED_OR_KNOWN = "not-stated-or-known"


_GROUP_BY_LETTER: dict[str, EthnicGroup] = {
    **dict.fromkeys("ABC", EthnicGroup.WHITE),
    **dict.fromkeys("DEFG", EthnicGroup.MIXED),
    **dict.fromkeys("HJKL", EthnicGroup.ASIAN),
    **dict.fromkeys("MNP", EthnicGroup.BLACK),
    **dict.fromkeys("RS", EthnicGroup.OTHER),
}


def ethnic_group(category: EthnicCategory) -> EthnicGroup:
    """The top-level group of an ethnic category."""
    return _GROUP_BY_LETTER.get(category.value, EthnicGroup.NOT_STATED_OR_KNOWN)


# English Indices of Deprivation (Ministry of Housing, Communities and Local Government): the
# LSOA's Index of Multiple Deprivation decile, 1 = most deprived 10% of areas, 10 = least deprived.
ImdDecile = Annotated[
    int,
    Field(ge=1, le=10, description="IMD decile of the LSOA: 1 = most deprived 10%, 10 = least"),
]
