"""Which states allow which action: derived from the shared Gravity and stage tables."""

from __future__ import annotations

import pytest
from linkwork_contracts.codes import ClosureReason, LinkWorkerStage, ReferralStatus
from linkwork_referral.domain.actions import Action, allowed_states, check_allowed
from linkwork_referral.domain.errors import IllegalTransition
from linkwork_referral.domain.states import WorkflowState as S
from linkwork_referral.domain.states import state_of, status_of

pytestmark = pytest.mark.unit

ACTIVE = {S.ALLOCATED, S.CONTACTED, S.ASSESSED, S.PLAN_AGREED, S.FOLLOWING_UP}


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (Action.ACCEPT, {S.REQUESTED}),
        (Action.REJECT, {S.REQUESTED}),
        (Action.LOG_CONTACT, ACTIVE),
        (Action.RECORD_ASSESSMENT, {S.CONTACTED, S.PLAN_AGREED, S.FOLLOWING_UP}),
        (Action.AGREE_PLAN, {S.ASSESSED, S.FOLLOWING_UP}),
        (Action.RECORD_FOLLOW_UP, {S.PLAN_AGREED, S.FOLLOWING_UP}),
        (Action.HOLD, ACTIVE),
        (Action.RESUME, {S.ON_HOLD}),
        (Action.ENTER_IN_ERROR, set(S) - {S.ENTERED_IN_ERROR}),
    ],
)
def test_states_allowing_each_action(action: Action, expected: set[S]) -> None:
    assert allowed_states(action) == expected


def test_closing_depends_on_the_status_the_reason_ends_in() -> None:
    # goals-met ends in completed, which Gravity does not allow straight from requested.
    # A referral on hold may be closed (Gravity: on-hold to completed, cancelled or failed).
    assert allowed_states(Action.CLOSE, ClosureReason.GOALS_MET) == ACTIVE | {S.ON_HOLD}
    # declined ends in cancelled, which a requested referral may move to.
    assert allowed_states(Action.CLOSE, ClosureReason.DECLINED) == ACTIVE | {S.REQUESTED, S.ON_HOLD}
    assert allowed_states(Action.CLOSE, ClosureReason.DID_NOT_ENGAGE) == ACTIVE | {S.ON_HOLD}


def test_terminal_states_allow_nothing_but_entered_in_error() -> None:
    terminal = {S.REJECTED, S.COMPLETED, S.CANCELLED, S.FAILED, S.ENTERED_IN_ERROR}
    # Gravity: entered-in-error from any status, closed ones included (recording it was the mistake).
    assert allowed_states(Action.ENTER_IN_ERROR) & terminal == terminal - {S.ENTERED_IN_ERROR}
    for action in set(Action) - {Action.ENTER_IN_ERROR}:
        reasons = list(ClosureReason) if action is Action.CLOSE else [None]
        for reason in reasons:
            assert not allowed_states(action, reason) & terminal


def test_illegal_action_names_the_states_that_allow_it() -> None:
    with pytest.raises(IllegalTransition) as caught:
        check_allowed(Action.AGREE_PLAN, S.REQUESTED)
    assert caught.value.allowed == [S.ASSESSED, S.FOLLOWING_UP]
    assert "allowed from: assessed, following-up" in str(caught.value)


def test_state_names_combine_status_and_stage() -> None:
    assert state_of(ReferralStatus.IN_PROGRESS, LinkWorkerStage.ASSESSED) is S.ASSESSED
    assert state_of(ReferralStatus.REQUESTED, None) is S.REQUESTED
    assert status_of(S.PLAN_AGREED) is ReferralStatus.IN_PROGRESS
    assert status_of(S.ALLOCATED) is ReferralStatus.ACCEPTED
    with pytest.raises(ValueError, match="must have a stage"):
        state_of(ReferralStatus.ACCEPTED, None)
