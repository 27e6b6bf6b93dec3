"""Referral sources, statuses and their transitions, link-worker stages, closure reasons.

Statuses and transitions: HL7 Gravity Project SDOH Clinical Care IG (STU 3), referral Task status,
as summarised in `standards/social-prescribing.md`. Link-worker stages are linkwork's finer steps of
the NHS England link worker workflow (same file); they all sit inside a status (`stage_status`).
Closure reasons: `docs/conventions.md`, from the workflow's step 8.
"""

from __future__ import annotations

from enum import StrEnum


class ReferralSource(StrEnum):
    """Who referred the person (workflow step 1, "Referral in")."""

    GP_PRACTICE = "gp-practice"  # GP or other practice staff
    HOSPITAL = "hospital"  # A&E or hospital discharge
    SOCIAL_CARE = "social-care"
    VCSE = "vcse"  # voluntary, community and social enterprise organisations
    HOUSING = "housing"
    POLICE = "police"
    EDUCATION = "education"  # schools, colleges
    SELF_REFERRAL = "self-referral"
    OTHER = "other"


class ReferralStatus(StrEnum):
    """Gravity referral Task status."""

    DRAFT = "draft"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    FAILED = "failed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"


_S = ReferralStatus

# Gravity's table. `entered-in-error` is reachable from any status, including terminal ones,
# because recording the referral at all may have been the mistake.
_TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    _S.DRAFT: frozenset({_S.REQUESTED}),
    _S.REQUESTED: frozenset({_S.ACCEPTED, _S.REJECTED, _S.CANCELLED}),
    _S.ACCEPTED: frozenset({_S.IN_PROGRESS, _S.ON_HOLD, _S.CANCELLED, _S.COMPLETED, _S.FAILED}),
    _S.IN_PROGRESS: frozenset({_S.COMPLETED, _S.FAILED, _S.CANCELLED, _S.ON_HOLD}),
    _S.ON_HOLD: frozenset({_S.IN_PROGRESS, _S.CANCELLED, _S.COMPLETED, _S.FAILED}),
    _S.REJECTED: frozenset(),
    _S.FAILED: frozenset(),
    _S.COMPLETED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.ENTERED_IN_ERROR: frozenset(),
}

TERMINAL_STATUSES: frozenset[ReferralStatus] = frozenset(
    {_S.REJECTED, _S.FAILED, _S.COMPLETED, _S.CANCELLED, _S.ENTERED_IN_ERROR}
)

# Gravity requires a reason (Task.statusReason) for these.
REASON_REQUIRED: frozenset[ReferralStatus] = frozenset({_S.REJECTED, _S.CANCELLED, _S.ON_HOLD, _S.FAILED})


def can_transition(current: ReferralStatus, target: ReferralStatus) -> bool:
    """True when the Gravity workflow allows moving a referral from `current` to `target`."""
    if target is ReferralStatus.ENTERED_IN_ERROR:
        return current is not ReferralStatus.ENTERED_IN_ERROR
    return target in _TRANSITIONS[current]


def allowed_transitions(current: ReferralStatus) -> frozenset[ReferralStatus]:
    """Every status a referral in `current` may move to."""
    return frozenset(t for t in ReferralStatus if can_transition(current, t))


def states_allowing(target: ReferralStatus) -> frozenset[ReferralStatus]:
    """The statuses from which a referral may move to `target` (for "409: allowed from ..." errors)."""
    return frozenset(s for s in ReferralStatus if can_transition(s, target))


def requires_reason(target: ReferralStatus) -> bool:
    """True when moving to `target` must record a reason."""
    return target in REASON_REQUIRED


class LinkWorkerStage(StrEnum):
    """linkwork's finer workflow steps between acceptance and closure."""

    ALLOCATED = "allocated"  # triaged and allocated to a link worker (step 2)
    CONTACTED = "contacted"  # first contact made (step 3)
    ASSESSED = "assessed"  # "what matters to me" conversation and baseline measure (step 4)
    PLAN_AGREED = "plan-agreed"  # personalised plan agreed (step 5)
    FOLLOWING_UP = "following-up"  # connected and being followed up (steps 6-7)


_STAGE_STATUS: dict[LinkWorkerStage, ReferralStatus] = {
    LinkWorkerStage.ALLOCATED: ReferralStatus.ACCEPTED,
    LinkWorkerStage.CONTACTED: ReferralStatus.IN_PROGRESS,
    LinkWorkerStage.ASSESSED: ReferralStatus.IN_PROGRESS,
    LinkWorkerStage.PLAN_AGREED: ReferralStatus.IN_PROGRESS,
    LinkWorkerStage.FOLLOWING_UP: ReferralStatus.IN_PROGRESS,
}

_L = LinkWorkerStage
# Forward one step at a time, with two ways back that happen in practice: a plan is revised
# after a follow-up, and a person is re-assessed when their circumstances change.
_STAGE_MOVES: dict[LinkWorkerStage, frozenset[LinkWorkerStage]] = {
    _L.ALLOCATED: frozenset({_L.CONTACTED}),
    _L.CONTACTED: frozenset({_L.ASSESSED}),
    _L.ASSESSED: frozenset({_L.PLAN_AGREED}),
    _L.PLAN_AGREED: frozenset({_L.FOLLOWING_UP, _L.ASSESSED}),
    _L.FOLLOWING_UP: frozenset({_L.PLAN_AGREED, _L.ASSESSED}),
}


def stage_status(stage: LinkWorkerStage) -> ReferralStatus:
    """The Gravity status a referral at this link-worker stage has when exposed in FHIR terms."""
    return _STAGE_STATUS[stage]


def can_advance(current: LinkWorkerStage, target: LinkWorkerStage) -> bool:
    """True when a referral may move from link-worker stage `current` to `target`."""
    return target in _STAGE_MOVES[current]


def stages_allowing(target: LinkWorkerStage) -> frozenset[LinkWorkerStage]:
    """The stages from which a referral may move to stage `target`."""
    return frozenset(s for s in LinkWorkerStage if can_advance(s, target))


class ClosureReason(StrEnum):
    """Why a referral was closed (workflow step 8)."""

    GOALS_MET = "goals-met"
    DECLINED = "declined"
    DID_NOT_ENGAGE = "did-not-engage"
    MOVED_AWAY = "moved-away"
    REFERRED_ON = "referred-on"
    DECEASED = "deceased"
    OTHER = "other"


# The Gravity status a closure ends in, so that every service reports the same final status.
_CLOSURE_STATUS: dict[ClosureReason, ReferralStatus] = {
    ClosureReason.GOALS_MET: ReferralStatus.COMPLETED,
    ClosureReason.REFERRED_ON: ReferralStatus.COMPLETED,
    ClosureReason.DECLINED: ReferralStatus.CANCELLED,
    ClosureReason.MOVED_AWAY: ReferralStatus.CANCELLED,
    ClosureReason.DECEASED: ReferralStatus.CANCELLED,
    ClosureReason.DID_NOT_ENGAGE: ReferralStatus.FAILED,
    ClosureReason.OTHER: ReferralStatus.COMPLETED,
}


def closure_status(reason: ClosureReason) -> ReferralStatus:
    """The terminal status a referral closed for `reason` ends in."""
    return _CLOSURE_STATUS[reason]


class Urgency(StrEnum):
    """Referral priority: the subset of FHIR `request-priority` that social prescribing uses."""

    ROUTINE = "routine"
    URGENT = "urgent"
