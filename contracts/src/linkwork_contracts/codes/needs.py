"""Need categories and their Open Referral UK taxonomy terms.

Source of the value set: the starting need categories in `standards/social-prescribing.md` (the
workflow's "what matters to me" conversation), spelt as in `docs/conventions.md`.

ORUK v3 lets a directory classify services with any taxonomy (`taxonomy_term.taxonomy` names it,
`term_uri` identifies the term). No national taxonomy maps one-to-one onto social prescribing needs,
so linkwork publishes its own small flat taxonomy, "linkwork-needs": one term per need category.
Term ids are UUID v5 of `urn:linkwork:taxonomy:needs:<code>` in the URL namespace, written out
literally below so that renaming a label never changes an id. A directory that also uses another
taxonomy (e.g. a council's service types) keeps those terms alongside; matching uses these.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class NeedCategory(StrEnum):
    """A need or concern raised in a referral or the "what matters to me" conversation."""

    LONELINESS_ISOLATION = "loneliness-isolation"
    MOOD_ANXIETY_STRESS = "mood-anxiety-stress"
    PHYSICAL_ACTIVITY = "physical-activity"
    WEIGHT_HEALTHY_EATING = "weight-healthy-eating"
    DEBT_MONEY_BENEFITS = "debt-money-benefits"
    HOUSING = "housing"
    EMPLOYMENT_SKILLS_VOLUNTEERING = "employment-skills-volunteering"
    CARERS_SUPPORT = "carers-support"
    BEREAVEMENT = "bereavement"
    LONG_TERM_CONDITIONS = "long-term-conditions"
    SUBSTANCE_USE = "substance-use"
    RELATIONSHIPS_FAMILY = "relationships-family"
    DIGITAL_INCLUSION = "digital-inclusion"
    ARTS_CREATIVITY_CULTURE = "arts-creativity-culture"
    NATURE_GREEN_SPACE = "nature-green-space"
    LEARNING_EDUCATION = "learning-education"


@dataclass(frozen=True, slots=True)
class TaxonomyTerm:
    """One ORUK v3 `taxonomy_term` (fields as in `schema/taxonomy_term.json`)."""

    id: UUID
    name: str
    description: str
    term: str
    taxonomy: str
    term_uri: str


NEEDS_TAXONOMY_ID = UUID("c8fefb61-aad3-5908-a7b0-438199a604e8")
NEEDS_TAXONOMY_NAME = "linkwork-needs"
NEEDS_TAXONOMY_URI = "urn:linkwork:taxonomy:needs"

_TERMS: tuple[tuple[NeedCategory, str, str, str], ...] = (
    (
        NeedCategory.LONELINESS_ISOLATION,
        "da9f2583-7ae0-5ec2-9010-58f55dec4599",
        "Loneliness and isolation",
        "Social groups, befriending and ways to meet people.",
    ),
    (
        NeedCategory.MOOD_ANXIETY_STRESS,
        "b59d15c5-6edd-520a-84bb-176a7b7b7f82",
        "Low mood, anxiety and stress",
        "Peer support, wellbeing courses and talking groups (non-clinical).",
    ),
    (
        NeedCategory.PHYSICAL_ACTIVITY,
        "ca209b1a-1178-5875-9396-2efb5073f65a",
        "Physical activity",
        "Walking groups, gentle exercise, sport and movement.",
    ),
    (
        NeedCategory.WEIGHT_HEALTHY_EATING,
        "4d6a2e2b-628c-549e-9e18-50c9b3205e6f",
        "Weight and healthy eating",
        "Cooking, nutrition and weight management support.",
    ),
    (
        NeedCategory.DEBT_MONEY_BENEFITS,
        "419bc579-998a-5594-883d-3fc833a06b1c",
        "Debt, money and benefits",
        "Debt advice, benefits checks, budgeting and food support.",
    ),
    (
        NeedCategory.HOUSING,
        "bbf60634-91b8-5d84-a834-2daed693f787",
        "Housing",
        "Housing advice, tenancy support, repairs and energy.",
    ),
    (
        NeedCategory.EMPLOYMENT_SKILLS_VOLUNTEERING,
        "6095ce97-6c17-5e0d-8253-26c7ad25f4cc",
        "Employment, skills and volunteering",
        "Job support, skills training and volunteering opportunities.",
    ),
    (
        NeedCategory.CARERS_SUPPORT,
        "05ffe2b7-5180-5cdc-8743-f6829e7999b0",
        "Carers' support",
        "Support, respite and groups for unpaid carers.",
    ),
    (
        NeedCategory.BEREAVEMENT,
        "3d631832-a55a-5280-bd40-0c26e09542e0",
        "Bereavement",
        "Bereavement support groups and services.",
    ),
    (
        NeedCategory.LONG_TERM_CONDITIONS,
        "39f2a9ed-d9f9-5db9-8b97-02eae0e25465",
        "Long-term condition self-management",
        "Self-management courses and condition support groups.",
    ),
    (
        NeedCategory.SUBSTANCE_USE,
        "2df8421c-13ff-5476-9d62-79c611981974",
        "Substance use",
        "Alcohol and drug support, recovery communities.",
    ),
    (
        NeedCategory.RELATIONSHIPS_FAMILY,
        "e177a93e-fd1a-525a-875a-3909b6425fc2",
        "Relationships and family",
        "Family support, parenting and relationship services.",
    ),
    (
        NeedCategory.DIGITAL_INCLUSION,
        "8659af47-d271-5c21-b85b-d25bde3ad812",
        "Digital inclusion",
        "Help getting online, devices and digital skills.",
    ),
    (
        NeedCategory.ARTS_CREATIVITY_CULTURE,
        "8d013644-16d9-56bb-8c4f-c4af0c218462",
        "Arts, creativity and culture",
        "Art, music, singing, crafts, writing, museums and heritage.",
    ),
    (
        NeedCategory.NATURE_GREEN_SPACE,
        "edf351b1-0257-5ef0-b1ae-ccbc404d2cd0",
        "Nature and green space",
        "Gardening, conservation volunteering and outdoor activity.",
    ),
    (
        NeedCategory.LEARNING_EDUCATION,
        "83b5bb62-46fa-5fb1-a285-ea01e8476cbf",
        "Learning and education",
        "Adult learning, courses, languages and libraries.",
    ),
)

NEED_TAXONOMY_TERMS: dict[NeedCategory, TaxonomyTerm] = {
    need: TaxonomyTerm(
        id=UUID(term_id),
        name=label,
        description=description,
        term=need.value,
        taxonomy=NEEDS_TAXONOMY_NAME,
        term_uri=f"{NEEDS_TAXONOMY_URI}:{need.value}",
    )
    for need, term_id, label, description in _TERMS
}

_NEED_BY_TERM_ID: dict[UUID, NeedCategory] = {t.id: n for n, t in NEED_TAXONOMY_TERMS.items()}


def taxonomy_term(need: NeedCategory) -> TaxonomyTerm:
    """The linkwork-needs taxonomy term that classifies services meeting `need`."""
    return NEED_TAXONOMY_TERMS[need]


def need_for_term(term_id: UUID) -> NeedCategory | None:
    """The need category a taxonomy term id stands for, or None for terms of other taxonomies."""
    return _NEED_BY_TERM_ID.get(term_id)
