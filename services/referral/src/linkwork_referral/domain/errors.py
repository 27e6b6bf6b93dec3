"""What can go wrong in the workflow, independent of how it is reported (HTTP, DLQ)."""

from __future__ import annotations

from collections.abc import Iterable

from linkwork_referral.domain.states import WorkflowState


class DomainError(ValueError):
    """The request breaks a rule of the workflow (answered 422: fix the input and retry)."""


class IllegalTransition(Exception):
    """The referral's current state does not allow the action (answered 409)."""

    def __init__(self, action: str, current: WorkflowState, allowed: Iterable[WorkflowState]) -> None:
        self.action, self.current = action, current
        self.allowed = sorted(allowed, key=list(WorkflowState).index)
        names = ", ".join(s.value for s in self.allowed) or "no state"
        super().__init__(f"cannot {action} a referral that is {current.value}; allowed from: {names}")
