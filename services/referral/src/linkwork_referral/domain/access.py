"""Who may see and change which referrals.

- A referrer makes referrals and sees only the ones they made.
- A link worker sees and works on the referrals of their own PCN.
- A PCN admin sees their PCN's referrals, allocates them (accept or reject) and reads the audit log.
- Commissioners (and curators) see no identifiable data here at all: they use outcomes reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from linkwork_runtime.principal import Principal, Role

from linkwork_referral.domain.actions import Action
from linkwork_referral.domain.referral import Referral


class Denied(Exception):
    """The principal may not do this (answered 403)."""


class OutOfScope(Denied):
    """The referral is not one the principal may see at all: answered 404, exactly like an id that does not
    exist, so that a 403 never confirms that someone else's referral exists (audited as denied all the same)."""


class Operation(StrEnum):
    CREATE = "create"
    READ = "read"
    LIST = "list"
    READ_AUDIT = "read-audit"


_CASEWORK = frozenset({Role.LINK_WORKER, Role.PCN_ADMIN})
# A PCN admin also marks records entered in error (data quality is theirs as much as the worker's).
_ALLOCATION = frozenset({Action.ACCEPT, Action.REJECT, Action.REASSIGN, Action.ENTER_IN_ERROR})
_CREATORS = frozenset({Role.REFERRER, Role.LINK_WORKER})


def _names(roles: frozenset[Role]) -> str:
    return ", ".join(sorted(r.value for r in roles))


def check_create(principal: Principal) -> None:
    if principal.role not in _CREATORS:
        raise Denied(f"role {principal.role.value} may not make referrals; allowed: {_names(_CREATORS)}")


def check_read(principal: Principal, referral: Referral) -> None:
    if principal.role is Role.REFERRER:
        if referral.referrer.subject != principal.subject:
            raise OutOfScope("a referrer may only see the referrals they made")
        return
    if principal.role not in _CASEWORK:
        raise OutOfScope(f"role {principal.role.value} may not see referrals; allowed: referrer, {_names(_CASEWORK)}")
    _same_pcn(principal, referral)


def check_act(principal: Principal, referral: Referral, action: Action) -> None:
    check_read(principal, referral)  # a referral one may not see is out of scope (404), whatever the action
    allowed = _CASEWORK if action in _ALLOCATION else frozenset({Role.LINK_WORKER})
    if principal.role not in allowed:
        raise Denied(f"role {principal.role.value} may not {action.value} a referral; allowed: {_names(allowed)}")


def check_assign(principal: Principal, link_worker: str) -> None:
    """Link workers take referrals themselves; only a PCN admin allocates to someone else."""
    if principal.role is Role.LINK_WORKER and link_worker != principal.subject:
        raise Denied("a link worker may only accept a referral for themselves; a pcn_admin allocates")


@dataclass(frozen=True)
class CaseloadScope:
    """The rows a principal may list: all of one PCN, or only one referrer's."""

    pcn: str | None
    referrer_subject: str | None


def caseload_scope(principal: Principal, requested_pcn: str | None) -> CaseloadScope:
    if principal.role is Role.REFERRER:
        return CaseloadScope(None, principal.subject)
    if principal.role not in _CASEWORK:
        raise Denied(f"role {principal.role.value} may not list referrals; allowed: referrer, {_names(_CASEWORK)}")
    if requested_pcn is not None and requested_pcn != principal.pcn:
        raise Denied(f"you may only list referrals of your own PCN ({principal.pcn})")
    return CaseloadScope(principal.pcn, None)


def check_team_manager(principal: Principal) -> None:
    """The team's workload and moving a leaver's caseload: the PCN manager's alone."""
    if principal.role is not Role.PCN_ADMIN:
        raise Denied("only a pcn_admin may see the team's workload or move a caseload")


def check_audit_read(principal: Principal) -> None:
    if principal.role is not Role.PCN_ADMIN:
        raise Denied("only a pcn_admin may read the audit log")


def _same_pcn(principal: Principal, referral: Referral) -> None:
    if referral.pcn != principal.pcn:
        raise OutOfScope(f"this referral belongs to another PCN than yours ({principal.pcn})")
