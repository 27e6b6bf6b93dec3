"""Which workflow states allow which action, derived from the shared transition tables.

Nothing here is a second copy of the workflow: status moves come from Gravity's table
(`can_transition`) and stage moves from linkwork's (`can_advance`). The only addition is that
follow-ups repeat: a referral already being followed up can record another one.
"""

from __future__ import annotations

from enum import StrEnum

from linkwork_contracts.codes import (
    TERMINAL_STATUSES,
    ClosureReason,
    LinkWorkerStage,
    ReferralStatus,
    can_advance,
    can_transition,
    closure_status,
)

from linkwork_referral.domain.errors import IllegalTransition
from linkwork_referral.domain.states import (
    ACTIVE_STATES,
    WorkflowState,
    stage_of,
    status_of,
)


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    LOG_CONTACT = "log a contact on"
    RECORD_ASSESSMENT = "record an assessment on"
    AGREE_PLAN = "agree a plan on"
    RECORD_FOLLOW_UP = "record a follow-up on"
    CLOSE = "close"
    REASSIGN = "reassign"
    HOLD = "put on hold"
    RESUME = "resume"
    ENTER_IN_ERROR = "mark as entered in error"
    UPDATE_PERSON = "change the person's details on"


def _moves_to(state: WorkflowState, status: ReferralStatus, stage: LinkWorkerStage | None) -> bool:
    """Whether `state` may move to (status, stage) by the shared tables. A stage move may keep
    the status (in-progress to in-progress); a move out of the stages must change it."""
    current_status, current_stage = status_of(state), stage_of(state)
    if stage is None:
        return can_transition(current_status, status)
    if current_status != status and not can_transition(current_status, status):
        return False
    if current_stage is None:
        return current_status == ReferralStatus.REQUESTED and stage is LinkWorkerStage.ALLOCATED
    return can_advance(current_stage, stage)


def _target_stage_states(stage: LinkWorkerStage, *, repeatable: bool = False) -> frozenset[WorkflowState]:
    status = ReferralStatus.IN_PROGRESS if stage is not LinkWorkerStage.ALLOCATED else ReferralStatus.ACCEPTED
    allowed = {s for s in WorkflowState if _moves_to(s, status, stage)}
    if repeatable:
        allowed.add(WorkflowState(stage.value))
    return frozenset(allowed)


def allowed_states(action: Action, closure_reason: ClosureReason | None = None) -> frozenset[WorkflowState]:
    """Every state from which `action` is allowed (for closing: with that reason)."""
    if action is Action.ACCEPT:
        return _target_stage_states(LinkWorkerStage.ALLOCATED)
    if action is Action.REJECT:
        return frozenset(s for s in WorkflowState if _moves_to(s, ReferralStatus.REJECTED, None))
    if action is Action.LOG_CONTACT:
        # Any contact may be logged while the link worker holds the referral; only a made
        # first contact moves it on (to contacted).
        return ACTIVE_STATES
    if action is Action.REASSIGN:
        # Another link worker takes over while the referral is being worked.
        return ACTIVE_STATES
    if action is Action.HOLD:
        return frozenset(s for s in WorkflowState if _moves_to(s, ReferralStatus.ON_HOLD, None))
    if action is Action.RESUME:
        # Back to the stage it was held at. Gravity lists on-hold -> in-progress only; a referral
        # held before first contact returns to accepted (allocated), which the table does not name.
        return frozenset({WorkflowState.ON_HOLD})
    if action is Action.ENTER_IN_ERROR:
        return frozenset(s for s in WorkflowState if _moves_to(s, ReferralStatus.ENTERED_IN_ERROR, None))
    if action is Action.UPDATE_PERSON:
        # While the referral is open; a closed record is corrected by marking it entered in error.
        return frozenset(s for s in WorkflowState if status_of(s) not in TERMINAL_STATUSES)
    if action is Action.RECORD_ASSESSMENT:
        return _target_stage_states(LinkWorkerStage.ASSESSED)
    if action is Action.AGREE_PLAN:
        return _target_stage_states(LinkWorkerStage.PLAN_AGREED)
    if action is Action.RECORD_FOLLOW_UP:
        return _target_stage_states(LinkWorkerStage.FOLLOWING_UP, repeatable=True)
    if closure_reason is None:
        raise ValueError("closing needs a reason to know its target status")
    target = closure_status(closure_reason)
    return frozenset(s for s in WorkflowState if _moves_to(s, target, None))


def check_allowed(action: Action, current: WorkflowState, closure_reason: ClosureReason | None = None) -> None:
    allowed = allowed_states(action, closure_reason)
    if current not in allowed:
        name = f"{action.value} (reason {closure_reason.value})" if closure_reason else action.value
        raise IllegalTransition(name, current, allowed)
