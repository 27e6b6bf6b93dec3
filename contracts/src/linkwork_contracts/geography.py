"""Place: full postcodes (inbound only), postcode districts, LSOAs and approximate locations."""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

# UK postcode shape (outward code, space, inward code). Not every match is a real postcode;
# that needs the ONS Postcode Directory, which the directory service loads.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
POSTCODE_DISTRICT_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]?$"


def normalise_postcode(value: str) -> str:
    """Upper-case a UK postcode with one space before the inward code ("ls61aa" -> "LS6 1AA")."""
    match = _POSTCODE.match(re.sub(r"\s+", "", value.upper()))
    if match is None:
        raise ValueError("not a UK postcode (outward code, space, inward code, e.g. SW1A 1AA)")  # never echo it
    return f"{match.group(1)} {match.group(2)}"


def postcode_district(postcode: str) -> str:
    """The outward code of a postcode ("LS6 1AA" -> "LS6"): an area of about 10,000 households."""
    return normalise_postcode(postcode).split(" ")[0]


def _coerce_postcode(value: object) -> object:
    return normalise_postcode(value) if isinstance(value, str) else value


Postcode = Annotated[
    str,
    BeforeValidator(_coerce_postcode),
    Field(
        pattern=r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$",
        description="Full UK postcode, upper case with one space",
    ),
]
PostcodeDistrict = Annotated[
    str,
    Field(pattern=POSTCODE_DISTRICT_PATTERN, description="Postcode district (outward code), LS6"),
]
Lsoa = Annotated[
    str,
    Field(
        pattern=r"^[EW]01[0-9]{6}$",
        description="Lower layer Super Output Area code (2021), e.g. E01011229",
    ),
]

# Two decimal places of a degree is about 1.1 km of latitude: coarse enough not to point at a
# home, fine enough to rank activities by distance.
APPROX_DECIMAL_PLACES = 2


def _two_places(value: float) -> float:
    if round(value, APPROX_DECIMAL_PLACES) != value:
        raise ValueError(
            f"{value} has more than {APPROX_DECIMAL_PLACES} decimal places: round a person's "
            "location (ApproxLocation.of) before it leaves the referral service"
        )
    return value


_ROUNDED = {"x-max-decimal-places": APPROX_DECIMAL_PLACES}
ApproxLatitude = Annotated[float, Field(ge=49.0, le=61.0, json_schema_extra=_ROUNDED), AfterValidator(_two_places)]
ApproxLongitude = Annotated[float, Field(ge=-9.0, le=2.0, json_schema_extra=_ROUNDED), AfterValidator(_two_places)]
Latitude = Annotated[float, Field(ge=-90.0, le=90.0)]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0)]


class ApproxLocation(BaseModel):
    """A person's location rounded to about 1 km, enough for matching by distance."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    latitude: ApproxLatitude
    longitude: ApproxLongitude

    @classmethod
    def of(cls, latitude: float, longitude: float) -> Self:
        """Round a precise location (e.g. a home postcode's centroid) for use in events."""
        return cls(
            latitude=round(latitude, APPROX_DECIMAL_PLACES),
            longitude=round(longitude, APPROX_DECIMAL_PLACES),
        )
