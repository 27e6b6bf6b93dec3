"""One workflow state per referral, combining the Gravity status with the link-worker stage.

Gravity's statuses (`linkwork_contracts.codes.ReferralStatus`) say where a referral is in FHIR
terms; while it is `accepted` or `in-progress` the link worker's finer stage says more. Users and
the 409 answers see a single name: the stage while one applies, otherwise the status.
"""

from __future__ import annotations

from enum import StrEnum

from linkwork_contracts.codes import LinkWorkerStage, ReferralStatus, stage_status


class WorkflowState(StrEnum):
    REQUESTED = "requested"
    ALLOCATED = "allocated"
    CONTACTED = "contacted"
    ASSESSED = "assessed"
    PLAN_AGREED = "plan-agreed"
    FOLLOWING_UP = "following-up"
    ON_HOLD = "on-hold"  # the stage it was at is kept, to return to on resuming
    REJECTED = "rejected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"
    ENTERED_IN_ERROR = "entered-in-error"


_STAGED_STATUSES = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS})


def state_of(status: ReferralStatus, stage: LinkWorkerStage | None) -> WorkflowState:
    if status in _STAGED_STATUSES:
        if stage is None:
            raise ValueError(f"a referral with status {status.value} must have a stage")
        return WorkflowState(stage.value)
    return WorkflowState(status.value)


def stage_of(state: WorkflowState) -> LinkWorkerStage | None:
    try:
        return LinkWorkerStage(state.value)
    except ValueError:
        return None


def status_of(state: WorkflowState) -> ReferralStatus:
    stage = stage_of(state)
    return stage_status(stage) if stage is not None else ReferralStatus(state.value)


ACTIVE_STATES: frozenset[WorkflowState] = frozenset(s for s in WorkflowState if stage_of(s) is not None)
