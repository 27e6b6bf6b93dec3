"""Who may see which reports: commissioners any scope, a PCN's admin only their own PCN."""

from __future__ import annotations

from linkwork_runtime.principal import Principal, Role

REPORT_ROLES = (Role.COMMISSIONER, Role.PCN_ADMIN)


class ScopeRefused(Exception):
    """The principal may not see a report for the scope asked for."""


def report_pcn(principal: Principal, asked: str | None) -> str | None:
    """The PCN a report covers for this principal: a PCN admin's own, unless they ask for another."""
    if principal.role is Role.PCN_ADMIN:
        if asked is not None and asked != principal.pcn:
            raise ScopeRefused(f"a PCN admin sees reports for their own PCN ({principal.pcn}) only, not {asked}")
        return principal.pcn
    return asked
