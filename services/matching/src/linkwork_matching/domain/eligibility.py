"""Who a service is for, as its provider defines it: service areas, eligibility codes, routes in.

Issue 21. A service restricted to areas serves only people living inside one of them, however it
is delivered (an online advice line for Leeds residents is no use in Inverness). Eligibility codes
are checked against what is known of the person; what is not known cannot exclude the person for
certain, so such a service is set aside as "check eligibility" rather than offered or dropped
silently. Every verdict carries words a link worker can read ("for Leeds residents only").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from linkwork_contracts.codes import (
    ELIGIBILITY_REASON,
    ROUTE_REASON,
    ConditionGroup,
    EligibilityCode,
    NeedCategory,
    ReferralRoute,
    Sex,
)

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) positions, closed


@dataclass(frozen=True, slots=True)
class PostcodePrefix:
    """A postcode area ("LS") or district ("LS6")."""

    prefix: str
    name: str | None = None

    def contains(self, district: str) -> bool:
        if any(character.isdigit() for character in self.prefix):
            return district == self.prefix  # a district: LS6 holds LS6 only, not LS60
        # An area: the letters before the district number ("LS" holds LS6, "L" does not).
        return _area_of(district) == self.prefix


def _area_of(district: str) -> str:
    """The postcode area of a district: its leading letters ("LS6" -> "LS", "E1W" -> "E")."""
    end = 0
    while end < len(district) and district[end].isalpha():
        end += 1
    return district[:end]


@dataclass(frozen=True, slots=True)
class LocalAuthority:
    code: str  # ONS GSS code
    name: str | None = None


@dataclass(frozen=True, slots=True)
class LsoaSet:
    lsoas: frozenset[str]
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Polygon:
    """A GeoJSON polygon: the outline and any holes, each a closed ring of (lon, lat)."""

    rings: tuple[Ring, ...]
    name: str | None = None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        lons = [p[0] for p in self.rings[0]]
        lats = [p[1] for p in self.rings[0]]
        return min(lons), min(lats), max(lons), max(lats)

    def contains(self, latitude: float, longitude: float) -> bool:
        west, south, east, north = self.bounds
        if not (west <= longitude <= east and south <= latitude <= north):
            return False
        inside = _in_ring(self.rings[0], longitude, latitude)
        return inside and not any(_in_ring(hole, longitude, latitude) for hole in self.rings[1:])


def _in_ring(ring: Ring, x: float, y: float) -> bool:
    """Even-odd ray casting. Planar on degrees: fine at the scale of a council or a city, which is
    what a service area outlines (the error is far below the 1 km a person's location is rounded to)."""
    inside = False
    previous = ring[-1]
    for current in ring:
        (x1, y1), (x2, y2) = previous, current
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
        previous = current
    return inside


Area = PostcodePrefix | LocalAuthority | LsoaSet | Polygon


@dataclass(frozen=True, slots=True)
class PersonPlace:
    """What is known of where the person lives; any field may be unknown."""

    postcode_district: str | None = None
    local_authority: str | None = None
    lsoa: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class Verdict(StrEnum):
    INSIDE = "inside"
    OUTSIDE = "outside"
    UNKNOWN = "unknown"


def area_verdict(area: Area, place: PersonPlace) -> Verdict:
    """Is the person inside this one area? UNKNOWN when nothing known of them can tell."""
    match area:
        case PostcodePrefix():
            known = place.postcode_district
            return Verdict.UNKNOWN if known is None else _verdict(area.contains(known))
        case LocalAuthority():
            known = place.local_authority
            return Verdict.UNKNOWN if known is None else _verdict(known == area.code)
        case LsoaSet():
            known = place.lsoa
            return Verdict.UNKNOWN if known is None else _verdict(known in area.lsoas)
        case Polygon():
            if place.latitude is None or place.longitude is None:
                return Verdict.UNKNOWN
            return _verdict(area.contains(place.latitude, place.longitude))


def _verdict(inside: bool) -> Verdict:
    return Verdict.INSIDE if inside else Verdict.OUTSIDE


def areas_verdict(areas: tuple[Area, ...], place: PersonPlace) -> Verdict:
    """Inside any area is inside; outside only when every area can tell and says outside."""
    if not areas:
        return Verdict.INSIDE
    verdicts = {area_verdict(area, place) for area in areas}
    if Verdict.INSIDE in verdicts:
        return Verdict.INSIDE
    return Verdict.UNKNOWN if Verdict.UNKNOWN in verdicts else Verdict.OUTSIDE


def area_names(areas: tuple[Area, ...]) -> str:
    """ "Leeds" or "LS, E08000035": what a link worker is told the service covers."""
    names = dict.fromkeys(area.name or _label(area) for area in areas)
    return " or ".join(names)


def _label(area: Area) -> str:
    match area:
        case PostcodePrefix():
            return area.prefix
        case LocalAuthority():
            return area.code
        case LsoaSet():
            return f"{len(area.lsoas)} neighbourhoods (LSOAs)"
        case Polygon():
            return "a mapped area"


def area_reason(areas: tuple[Area, ...]) -> str:
    return f"for {area_names(areas)} residents only"


@dataclass(frozen=True, slots=True)
class Circumstances:
    """What is recorded of the person that eligibility codes ask about; None: not recorded."""

    sex: Sex | None = None
    carer: bool | None = None
    veteran: bool | None = None
    condition_groups: frozenset[ConditionGroup] | None = None
    known_to: frozenset[str] = frozenset()  # service ids the person is already known to


def carer_from_needs(needs: tuple[NeedCategory, ...]) -> bool | None:
    """A referral for carers' support says the person is a carer; its absence says nothing."""
    return True if NeedCategory.CARERS_SUPPORT in needs else None


def code_verdict(
    code: EligibilityCode, service_id: str, groups: frozenset[ConditionGroup], who: Circumstances
) -> Verdict:
    """Does the person meet one eligibility code? RESIDENTS is the area rule's, so always INSIDE here."""
    match code:
        case EligibilityCode.CARERS:
            return _known(who.carer)
        case EligibilityCode.VETERANS:
            return _known(who.veteran)
        case EligibilityCode.WOMEN | EligibilityCode.MEN:
            wanted = Sex.FEMALE if code is EligibilityCode.WOMEN else Sex.MALE
            if who.sex is None or who.sex in (Sex.UNKNOWN, Sex.OTHER):
                return Verdict.UNKNOWN
            return _verdict(who.sex is wanted)
        case EligibilityCode.CONDITION_GROUP:
            if who.condition_groups is None:
                return Verdict.UNKNOWN
            return _verdict(bool(who.condition_groups & groups))
        case EligibilityCode.KNOWN_TO_SERVICE:
            # Only the person or provider knows; an explicit record is the only way in.
            return Verdict.INSIDE if service_id in who.known_to else Verdict.UNKNOWN
        case EligibilityCode.RESIDENTS:
            return Verdict.INSIDE


def _known(value: bool | None) -> Verdict:
    return Verdict.UNKNOWN if value is None else _verdict(value)


def code_reason(code: EligibilityCode, groups: frozenset[ConditionGroup]) -> str:
    if code is EligibilityCode.CONDITION_GROUP and groups:
        return "for people with " + " or ".join(sorted(g.value.replace("-", " ") for g in groups))
    return ELIGIBILITY_REASON[code]


def route_reason(routes: frozenset[ReferralRoute]) -> str | None:
    """How the person gets in, when a link worker needs to know: a drop-in, or a service that
    takes professional referrals only or wants contacting first. Self-referral (the common case)
    and link worker referral (what the link worker does anyway) go without saying."""
    if ReferralRoute.DROP_IN in routes:
        return ROUTE_REASON[ReferralRoute.DROP_IN]
    if ReferralRoute.SELF_REFERRAL in routes:
        return None
    if ReferralRoute.PROFESSIONAL_REFERRAL in routes:
        return ROUTE_REASON[ReferralRoute.PROFESSIONAL_REFERRAL]
    if ReferralRoute.PROVIDER_CONTACT in routes:
        return ROUTE_REASON[ReferralRoute.PROVIDER_CONTACT]
    return None


@dataclass(frozen=True, slots=True)
class Restriction:
    """Why a restricted service is not offered: definitely not for the person, or not known."""

    rule: str  # "area" or "eligibility", as `constraints.Constraint` names them
    verdict: Verdict  # OUTSIDE or UNKNOWN
    reason: str  # "for Leeds residents only"

    @property
    def detail(self) -> str:
        if self.verdict is Verdict.UNKNOWN:
            what = "where the person lives" if self.rule == "area" else "whether the person qualifies"
            return f"{self.reason}: check eligibility ({what} is not recorded)"
        return self.reason


def restriction(
    areas: tuple[Area, ...],
    codes: frozenset[EligibilityCode],
    groups: frozenset[ConditionGroup],
    service_id: str,
    place: PersonPlace,
    who: Circumstances,
) -> Restriction | None:
    """The rule that keeps the service from the person, or None if they qualify.

    A definite "not for this person" wins over an unknown, so that a service the person surely
    cannot use is never listed to check.
    """
    unknown: Restriction | None = None
    verdict = areas_verdict(areas, place)
    if verdict is Verdict.OUTSIDE:
        return Restriction("area", verdict, area_reason(areas))
    if verdict is Verdict.UNKNOWN:
        unknown = Restriction("area", verdict, area_reason(areas))
    for code in sorted(codes):
        verdict = code_verdict(code, service_id, groups, who)
        if verdict is Verdict.OUTSIDE:
            return Restriction("eligibility", verdict, code_reason(code, groups))
        if verdict is Verdict.UNKNOWN and unknown is None:
            unknown = Restriction("eligibility", verdict, code_reason(code, groups))
    return unknown
