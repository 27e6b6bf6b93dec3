"""Which PCN a new referral goes to.

Hospitals and councils refer into many PCNs, so a referral goes where the person is registered: the PCN of
their GP practice (the practice-to-PCN table). The PCN named in a token is used only for PCN staff: link
workers and PCN admins always work in their own PCN, and a referrer whose token names a PCN (practice
staff) falls back to it when the person's practice is not in the table. A referrer whose token names no PCN
(a multi-PCN referrer) must give a practice the table knows.
"""

from __future__ import annotations

from typing import Protocol

from linkwork_runtime.principal import Principal, Role

from linkwork_referral.service_layer.errors import Unroutable


class PracticeDirectory(Protocol):
    """Which PCN a GP practice belongs to (None: unknown and no default); adapters/reference_tables.py loads it."""

    def pcn_for(self, practice_ods_code: str | None) -> str | None: ...


PCN_STAFF = frozenset({Role.LINK_WORKER, Role.PCN_ADMIN})


def pcn_for_referral(practices: PracticeDirectory, principal: Principal, practice_ods_code: str | None) -> str:
    if principal.role in PCN_STAFF:
        return principal.pcn
    if (pcn := practices.pcn_for(practice_ods_code)) is not None:
        return pcn
    if principal.pcn:
        return principal.pcn
    raise Unroutable(
        "practice_ods_code: the person's practice is in no PCN this service serves, and the token names no PCN "
        "to fall back to (a referrer serving many PCNs must give the practice)"
    )
