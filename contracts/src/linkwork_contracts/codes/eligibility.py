"""Who a service is for and how people get in: the linkwork eligibility taxonomy (issue 21).

ORUK v3 has free-text `eligibility_description` and taxonomy-coded attributes but no shared code
list for social prescribing eligibility, so linkwork publishes its own taxonomy (in the
directory's `/taxonomies`, like the needs taxonomy). Each term carries the plain words matching
shows a link worker ("for carers"), so the reason for an exclusion and the code agree.
Referral routes are the same taxonomy's `route:` terms; their codes are `ReferralRoute`.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from uuid import NAMESPACE_URL, uuid5

from linkwork_contracts.codes.needs import TaxonomyTerm
from linkwork_contracts.codes.services import ReferralRoute


class EligibilityCode(StrEnum):
    """A restriction a provider places on who may use a service."""

    CARERS = "carers"  # unpaid carers only
    WOMEN = "women"  # sex: women only
    MEN = "men"  # sex: men only
    VETERANS = "veterans"  # armed forces veterans only
    RESIDENTS = "residents"  # residents of the service's areas only (needs service_areas)
    CONDITION_GROUP = "condition-group"  # people living with a named condition (condition_groups)
    KNOWN_TO_SERVICE = "known-to-service"  # people already known to the service (existing clients)


class ConditionGroup(StrEnum):
    """Conditions a service may be for; broad groups a link worker can ask about."""

    DEMENTIA = "dementia"
    CANCER = "cancer"
    MENTAL_HEALTH = "mental-health"
    LEARNING_DISABILITY = "learning-disability"
    AUTISM = "autism"
    STROKE = "stroke"
    HEART_LUNG = "heart-lung"  # cardiac and respiratory conditions (COPD, heart failure)
    DIABETES = "diabetes"
    SENSORY_IMPAIRMENT = "sensory-impairment"
    SUBSTANCE_USE = "substance-use"


ELIGIBILITY_TAXONOMY_NAME = "linkwork-eligibility"
ELIGIBILITY_TAXONOMY_URI = "urn:linkwork:taxonomy:eligibility"
ELIGIBILITY_TAXONOMY_ID = uuid5(NAMESPACE_URL, ELIGIBILITY_TAXONOMY_URI)

# code -> (name, description, the reason text a link worker reads)
_ELIGIBILITY: dict[EligibilityCode, tuple[str, str, str]] = {
    EligibilityCode.CARERS: ("Carers only", "For unpaid carers of a family member or friend.", "for carers"),
    EligibilityCode.WOMEN: ("Women only", "For women only.", "for women"),
    EligibilityCode.MEN: ("Men only", "For men only.", "for men"),
    EligibilityCode.VETERANS: ("Veterans only", "For people who served in the armed forces.", "for veterans"),
    EligibilityCode.RESIDENTS: (
        "Residents only",
        "For people living in the service's areas only, however it is delivered.",
        "for residents only",
    ),
    EligibilityCode.CONDITION_GROUP: (
        "People with a condition",
        "For people living with a named condition (see the service's condition groups).",
        "for people with a named condition",
    ),
    EligibilityCode.KNOWN_TO_SERVICE: (
        "People already known",
        "Only for people already known to the service (existing clients or members).",
        "for people already known to the service",
    ),
}
_ROUTES: dict[ReferralRoute, tuple[str, str, str]] = {
    ReferralRoute.SELF_REFERRAL: ("Self-referral", "The person can sign up themselves.", "the person can self-refer"),
    ReferralRoute.LINK_WORKER: ("Link worker referral", "A link worker refers the person in.", "link worker refers"),
    ReferralRoute.PROVIDER_CONTACT: (
        "Contact the provider first",
        "The provider must be contacted before the person goes.",
        "contact the provider first",
    ),
    ReferralRoute.PROFESSIONAL_REFERRAL: (
        "Professional referral only",
        "Takes referrals from professionals (GP, link worker, social worker) only.",
        "needs a professional referral",
    ),
    ReferralRoute.DROP_IN: ("Drop-in", "The person can just turn up.", "drop-in: the person can just turn up"),
}


def _term(term: str, name: str, description: str) -> TaxonomyTerm:
    uri = f"{ELIGIBILITY_TAXONOMY_URI}:{term}"
    return TaxonomyTerm(
        id=uuid5(NAMESPACE_URL, uri),
        name=name,
        description=description,
        term=term,
        taxonomy=ELIGIBILITY_TAXONOMY_NAME,
        term_uri=uri,
    )


ELIGIBILITY_TAXONOMY_TERMS: MappingProxyType[EligibilityCode, TaxonomyTerm] = MappingProxyType(
    {code: _term(code.value, name, description) for code, (name, description, _) in _ELIGIBILITY.items()}
)
ROUTE_TAXONOMY_TERMS: MappingProxyType[ReferralRoute, TaxonomyTerm] = MappingProxyType(
    {route: _term(f"route:{route.value}", name, description) for route, (name, description, _) in _ROUTES.items()}
)
ELIGIBILITY_REASON: MappingProxyType[EligibilityCode, str] = MappingProxyType(
    {code: reason for code, (_, _, reason) in _ELIGIBILITY.items()}
)
ROUTE_REASON: MappingProxyType[ReferralRoute, str] = MappingProxyType(
    {route: reason for route, (_, _, reason) in _ROUTES.items()}
)
