"""Who may see which reports: a commissioner the areas of their own ICB, a PCN's admin only their own PCN."""

from __future__ import annotations

from linkwork_runtime.principal import Principal, Role

from linkwork_outcomes.domain.areas import Area, AreaHierarchy, Level

REPORT_ROLES = (Role.COMMISSIONER, Role.PCN_ADMIN)


class ScopeRefused(Exception):
    """The principal may not see a report for the scope asked for."""


class UnknownArea(ValueError):
    """The area asked for is not in the published hierarchy."""


def report_area(
    principal: Principal,
    hierarchy: AreaHierarchy,
    *,
    icb: str | None = None,
    sub_icb: str | None = None,
    pcn: str | None = None,
    practice: str | None = None,
) -> Area:
    """The one area of the fixed hierarchy a report covers for this principal.

    The narrowest area named wins; it must lie in the hierarchy (a report for an area outside it could be
    differenced against the ones inside). A commissioner's token must carry their ICB and every area must lie
    in it; the default is the whole ICB. A PCN admin sees their own PCN or one of its practices.
    """
    asked = (
        Area(Level.PRACTICE, practice)
        if practice
        else Area(Level.PCN, pcn)
        if pcn
        else Area(Level.SUB_ICB, sub_icb)
        if sub_icb
        else Area(Level.ICB, icb)
        if icb
        else None
    )
    if principal.role is Role.PCN_ADMIN:
        own = Area(Level.PCN, principal.pcn)
        if asked is None or asked == own:
            return own
        if asked.level is Level.PRACTICE and hierarchy.parent.get(asked) == own:
            return asked
        raise ScopeRefused(f"a PCN admin sees reports for their own PCN ({principal.pcn}) and its practices only")
    if not principal.icb:
        raise ScopeRefused("a commissioner's token must carry their ICB (claim icb)")
    if asked is None:
        asked = Area(Level.ICB, principal.icb)
    if asked not in hierarchy:
        if asked.level is Level.ICB and asked.code == principal.icb:
            return asked  # an ICB with no practices in the table yet: an empty report, not an error
        raise UnknownArea(f"the {asked.level} asked for is not in the area hierarchy")
    if hierarchy.icb_of(asked) != principal.icb:
        raise ScopeRefused(f"a commissioner sees reports for their own ICB ({principal.icb}) only")
    if pcn and practice and hierarchy.parent.get(Area(Level.PRACTICE, practice)) != Area(Level.PCN, pcn):
        raise UnknownArea("the practice asked for is not in that PCN")
    return asked


def visible_areas(principal: Principal, hierarchy: AreaHierarchy) -> list[Area]:
    """Every area this principal may ask reports for, in the hierarchy's order (the console's area selector)."""
    if principal.role is Role.PCN_ADMIN:
        own = Area(Level.PCN, principal.pcn)
        return [own, *hierarchy.children(own)]
    if not principal.icb:
        raise ScopeRefused("a commissioner's token must carry their ICB (claim icb)")
    icb = Area(Level.ICB, principal.icb)
    return hierarchy.tree(icb) if icb in hierarchy else [icb]
