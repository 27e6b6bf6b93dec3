"""Words for codes, as a commissioner reads them, and the order rows appear in."""

from __future__ import annotations

from linkwork_contracts.codes import (
    ETHNIC_CATEGORY_LABELS,
    NEED_TAXONOMY_TERMS,
    AgeBand,
    ClosureReason,
    EthnicCategory,
    NeedCategory,
    ReferralSource,
    Sex,
)

from linkwork_outcomes.domain.contribution import UNKNOWN, Dimension, Stage
from linkwork_outcomes.domain.referral_summary import CLOSED_STATUSES, OPEN_STATUSES

SOURCE_LABELS: dict[str, str] = {
    ReferralSource.GP_PRACTICE: "GP practice",
    ReferralSource.HOSPITAL: "Hospital or A&E",
    ReferralSource.SOCIAL_CARE: "Social care",
    ReferralSource.VCSE: "Voluntary and community sector",
    ReferralSource.HOUSING: "Housing",
    ReferralSource.POLICE: "Police",
    ReferralSource.EDUCATION: "School or college",
    ReferralSource.SELF_REFERRAL: "Self-referral",
    ReferralSource.OTHER: "Other",
}
NEED_LABELS: dict[str, str] = {need.value: NEED_TAXONOMY_TERMS[need].name for need in NeedCategory}
STATUS_LABELS: dict[str, str] = {
    "referred": "Referred, not yet contacted",
    "contacted": "Contacted",
    "plan-agreed": "Plan agreed",
    "following-up": "Following up",
    "completed": "Closed: completed",
    "cancelled": "Closed: cancelled",
    "failed": "Closed: did not engage",
    "rejected": "Closed: not accepted",
}
STAGE_LABELS: dict[str, str] = {
    Stage.REFERRED: "Referred",
    Stage.CONTACTED: "Contacted",
    Stage.PLAN_AGREED: "Plan agreed",
    Stage.FOLLOWED_UP: "Followed up",
    Stage.CLOSED: "Closed",
}
CLOSURE_LABELS: dict[str, str] = {
    ClosureReason.GOALS_MET: "Goals met",
    ClosureReason.DECLINED: "Declined",
    ClosureReason.DID_NOT_ENGAGE: "Did not engage",
    ClosureReason.MOVED_AWAY: "Moved away",
    ClosureReason.REFERRED_ON: "Referred on",
    ClosureReason.DECEASED: "Deceased",
    ClosureReason.OTHER: "Other",
}
SEX_LABELS: dict[str, str] = {
    Sex.FEMALE: "Female",
    Sex.MALE: "Male",
    Sex.OTHER: "Other",
    Sex.UNKNOWN: "Not known",
}
DIMENSION_LABELS: dict[str, str] = {
    Dimension.IMD_DECILE: "IMD decile (1 = most deprived)",
    Dimension.AGE_BAND: "Age band",
    Dimension.SEX: "Sex",
    Dimension.ETHNIC_CATEGORY: "Ethnic category",
}


def _imd_labels() -> dict[str, str]:
    labels = {str(decile): str(decile) for decile in range(1, 11)}
    labels["1"] = "1 (most deprived)"
    labels["10"] = "10 (least deprived)"
    return labels


DIMENSION_VALUES: dict[str, dict[str, str]] = {
    Dimension.IMD_DECILE: _imd_labels(),
    Dimension.AGE_BAND: {band.value: band.value for band in AgeBand},
    Dimension.SEX: SEX_LABELS,
    Dimension.ETHNIC_CATEGORY: {category.value: ETHNIC_CATEGORY_LABELS[category] for category in EthnicCategory},
}

STATUS_ORDER: tuple[str, ...] = (*OPEN_STATUSES, *CLOSED_STATUSES)


def with_unknowns(labels: dict[str, str], present: set[str]) -> dict[str, str]:
    """The coded rows, plus any value seen in the data that the code set does not name."""
    rows = dict(labels)
    for value in sorted(present - labels.keys()):
        rows[value] = "Not recorded" if value == UNKNOWN else value
    return rows
