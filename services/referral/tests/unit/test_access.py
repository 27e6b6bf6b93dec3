"""Who may see and change which referrals."""

from __future__ import annotations

import pytest
from linkwork_referral.domain import access
from linkwork_referral.domain.actions import Action
from linkwork_referral.domain.referral import Referral
from linkwork_runtime.principal import Principal, Role

pytestmark = pytest.mark.unit

OWN_PCN, OTHER_PCN = "U12345", "U99999"


def who(role: Role, pcn: str = OWN_PCN, subject: str = "someone") -> Principal:
    return Principal(subject, role, pcn)


def test_a_referrer_sees_only_the_referrals_they_made(referral: Referral) -> None:
    access.check_read(who(Role.REFERRER, subject="dr-who"), referral)
    with pytest.raises(access.Denied, match="only see the referrals they made"):
        access.check_read(who(Role.REFERRER, subject="dr-other"), referral)
    assert access.caseload_scope(who(Role.REFERRER, subject="dr-who"), None) == access.CaseloadScope(None, "dr-who")


def test_link_workers_and_admins_see_only_their_own_pcn(referral: Referral) -> None:
    for role in (Role.LINK_WORKER, Role.PCN_ADMIN):
        access.check_read(who(role), referral)
        with pytest.raises(access.Denied, match="another PCN"):
            access.check_read(who(role, OTHER_PCN), referral)
        with pytest.raises(access.Denied, match="own PCN"):
            access.caseload_scope(who(role), OTHER_PCN)
        assert access.caseload_scope(who(role), None) == access.CaseloadScope(OWN_PCN, None)


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.CURATOR])
def test_commissioners_see_no_referral_at_all(referral: Referral, role: Role) -> None:
    with pytest.raises(access.Denied):
        access.check_read(who(role), referral)
    with pytest.raises(access.Denied):
        access.caseload_scope(who(role), None)
    with pytest.raises(access.Denied):
        access.check_create(who(role))


def test_only_link_workers_do_casework_and_admins_may_also_allocate(referral: Referral) -> None:
    access.check_act(who(Role.LINK_WORKER), referral, Action.AGREE_PLAN)
    access.check_act(who(Role.PCN_ADMIN), referral, Action.ACCEPT)
    with pytest.raises(access.Denied, match="allowed: link_worker"):
        access.check_act(who(Role.PCN_ADMIN), referral, Action.AGREE_PLAN)
    with pytest.raises(access.Denied, match="may not accept"):
        access.check_act(who(Role.REFERRER, subject="dr-who"), referral, Action.ACCEPT)
    with pytest.raises(access.Denied, match="another PCN"):
        access.check_act(who(Role.LINK_WORKER, OTHER_PCN), referral, Action.LOG_CONTACT)


def test_a_link_worker_accepts_only_for_themselves() -> None:
    access.check_assign(who(Role.LINK_WORKER, subject="lw-1"), "lw-1")
    access.check_assign(who(Role.PCN_ADMIN, subject="admin"), "lw-1")
    with pytest.raises(access.Denied, match="pcn_admin allocates"):
        access.check_assign(who(Role.LINK_WORKER, subject="lw-1"), "lw-2")


def test_only_pcn_admins_read_the_audit_log() -> None:
    access.check_audit_read(who(Role.PCN_ADMIN))
    for role in (Role.LINK_WORKER, Role.REFERRER, Role.COMMISSIONER):
        with pytest.raises(access.Denied):
            access.check_audit_read(who(role))
