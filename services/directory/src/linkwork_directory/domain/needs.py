"""Need categories as ORUK attributes: terms of the linkwork-needs taxonomy (`linkwork_contracts.codes`)."""

from __future__ import annotations

from uuid import UUID, uuid5

from linkwork_contracts.codes import (
    NEED_TAXONOMY_TERMS,
    NEEDS_TAXONOMY_ID,
    NEEDS_TAXONOMY_NAME,
    NEEDS_TAXONOMY_URI,
    NeedCategory,
    need_for_term,
)

from linkwork_directory.domain.oruk import Attribute, Taxonomy, TaxonomyTerm

NEED_LINK_TYPE = "need_category"


def needs_taxonomy() -> Taxonomy:
    return Taxonomy.published(
        NEEDS_TAXONOMY_ID,
        NEEDS_TAXONOMY_NAME,
        NEEDS_TAXONOMY_URI,
        "linkwork's social prescribing need categories, one term per category.",
        (NEED_TAXONOMY_TERMS[need] for need in NeedCategory),
    )


def need_term(need: NeedCategory) -> TaxonomyTerm:
    return TaxonomyTerm.published(NEED_TAXONOMY_TERMS[need], NEEDS_TAXONOMY_ID)


def need_attribute(service_id: UUID, need: NeedCategory) -> Attribute:
    """The attribute classifying a service under a need; its id is derived so re-imports match."""
    return Attribute(
        id=uuid5(service_id, f"need:{need.value}"),
        link_id=service_id,
        link_type=NEED_LINK_TYPE,
        taxonomy_term=need_term(need),
    )


def needs_of(attributes: list[Attribute]) -> list[NeedCategory]:
    found = (need_for_term(attribute.term_id) for attribute in attributes)
    return list(dict.fromkeys(need for need in found if need is not None))


def is_need_attribute(attribute: Attribute) -> bool:
    return need_for_term(attribute.term_id) is not None
