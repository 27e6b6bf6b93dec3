"""The privacy guard: no event but referral-requested may carry identifiable data.

It reads generated JSON Schemas (so it judges what actually goes on the wire) and reports every
property whose name or format says it could hold a name, NHS number, date of birth, address,
full postcode, phone number or email address, and every person location finer than about 1 km.
Service and venue details are organisational, not personal; the few such fields are allowed by
name in ORGANISATIONAL_FIELDS, each with the reason.

Events shared with a provider (issue 17) are stricter: no `person_ref` (a provider must not link a person
across providers or topics), no notes, and person details only in PROVIDER_SHARED_FIELDS: what the person
agreed to share with that provider. Those models may appear in no other event.
"""

from __future__ import annotations

import re

from linkwork_contracts.identifiers import PERSON_REF_PATTERN
from linkwork_contracts.schema_walk import Schema, properties

# Matched against a property name's words (snake_case or camelCase split), so that
# "needs_addressed" is not an address while "home_address" and "addressLine1" are.
_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("a name", frozenset({"name", "names", "surname", "forename", "forenames", "initials"})),
    ("an NHS number", frozenset({"nhs", "nhsno", "nhsnumber"})),
    ("a date of birth", frozenset({"birth", "dob", "birthdate", "birthday"})),
    ("an address", frozenset({"address", "addresses", "addr", "street", "house"})),
    ("a phone number", frozenset({"phone", "telephone", "mobile", "fax", "tel"})),
    ("an email address", frozenset({"email", "mail"})),
)
_FULL_POSTCODE = re.compile(r"^(full_?)?post_?code$|^zip(_?code)?$")
_COORDINATE = re.compile(r"^(lat|latitude|lon|lng|long|longitude)$")
MAX_PERSON_DECIMAL_PLACES = 2

# (model, field) pairs that describe services and organisations, never people.
ORGANISATIONAL_FIELDS: dict[tuple[str, str], str] = {
    ("ServiceChangedV1", "name"): "the public name of a community service",
    ("ServiceChangedV2", "name"): "the public name of a community service",
    ("ServiceChangedV3", "name"): "the public name of a community service",
    ("PostcodeArea", "name"): "the public name of a place a service covers (Leeds)",
    ("LocalAuthorityArea", "name"): "the public name of a local authority a service covers",
    ("LsoaArea", "name"): "the public name of the neighbourhoods a service covers",
    ("PolygonArea", "name"): "the public name of an area a service covers",
    ("Organisation", "name"): "the public name of the organisation running a service",
    ("ServiceTaxonomyTerm", "name"): "the label of a taxonomy term",
    ("ServiceLocation", "name"): "the name of a public venue",
    ("ServiceLocation", "postcode"): "the postcode of a public venue",
    ("ServiceLocation", "latitude"): "the exact location of a public venue",
    ("ServiceLocation", "longitude"): "the exact location of a public venue",
    ("SuggestedOption", "service_name"): "the public name of a suggested service",
    ("EligibilityCheck", "service_name"): "the public name of a service to check eligibility for",
}


# (model, field) pairs of person details a provider may receive, when the person agreed (issue 17): the
# exact minimum. Every property of these models must be listed here, and only provider events may use them.
PROVIDER_SHARED_FIELDS: dict[tuple[str, str], str] = {
    ("SharedDetails", "first_name"): "the first name the person agreed to share with the provider",
    ("SharedDetails", "contact"): "the one contact route the person agreed the provider may use",
    ("SharedDetails", "needs"): "the needs relevant to this activity",
    ("SharedDetails", "accessibility_needs"): "the accessibility needs the provider must meet",
    ("SharedContact", "route"): "phone, email or via the link worker",
    ("SharedContact", "value"): "the phone number or email address the person agreed to share",
}
_SHARED_MODELS = frozenset(model for model, _ in PROVIDER_SHARED_FIELDS)
# Free text about a person may hold anything (health details, other people's names): never for a provider.
_NOTES = frozenset({"note", "notes", "comment", "comments", "narrative", "summary"})


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().replace("-", "_")


def identifiable_fields(schema: Schema) -> list[str]:
    """Every property in `schema` that could carry identifiable data, with the reason."""
    findings = []
    for prop in properties(schema):
        if (prop.owner, prop.name) in ORGANISATIONAL_FIELDS:
            continue
        name = _snake(prop.name)
        words = set(re.split(r"[_\d]+", name))
        for what, vocabulary in _RULES:
            if words & vocabulary:
                findings.append(f"{prop.path}: the name says it could hold {what}")
        if _FULL_POSTCODE.match(name):
            findings.append(f"{prop.path}: the name says it could hold a full postcode")
        if prop.schema.get("format") == "email":
            findings.append(f"{prop.path}: format email")
        if _COORDINATE.match(name):
            places = prop.schema.get("x-max-decimal-places")
            if not isinstance(places, int) or places > MAX_PERSON_DECIMAL_PLACES:
                findings.append(
                    f"{prop.path}: a coordinate not limited to {MAX_PERSON_DECIMAL_PLACES} "
                    "decimal places (x-max-decimal-places) could locate a home"
                )
    return findings


def person_ref_problems(schema: Schema) -> list[str]:
    """Events about a referral must name the person by a required, well-formed person_ref."""
    by_path = {prop.path: prop for prop in properties(schema)}
    for path in ("person_ref", "person.person_ref"):
        if path in by_path:
            # Required all the way down: person.person_ref only counts if person is required.
            chain = [by_path[".".join(path.split(".")[: i + 1])] for i in range(path.count(".") + 1)]
            problems = [f"{p.path} must be required" for p in chain if not p.required]
            if by_path[path].schema.get("pattern") != PERSON_REF_PATTERN:
                problems.append(f"{path} must have pattern {PERSON_REF_PATTERN}")
            return problems
    return ["no person_ref: an event about a referral must carry the pseudonymous person_ref"]


def provider_sharing_problems(schema: Schema, *, shared_with_provider: bool) -> list[str]:
    """A provider event carries no person_ref or notes and only the listed shared fields; no other event
    may carry the shared-details models at all."""
    problems = []
    for prop in properties(schema):
        shared = prop.owner in _SHARED_MODELS
        if not shared_with_provider:
            if shared:
                problems.append(f"{prop.path}: {prop.owner} is only for events shared with a provider")
            continue
        if shared and (prop.owner, prop.name) not in PROVIDER_SHARED_FIELDS:
            problems.append(f"{prop.path}: not in the minimum a person may share with a provider")
        if prop.name == "person_ref":
            problems.append(f"{prop.path}: a provider must not receive the pseudonymous person_ref")
        if set(re.split(r"[_\d]+", _snake(prop.name))) & _NOTES:
            problems.append(f"{prop.path}: free text about a person must not reach a provider")
    return problems


def privacy_problems(
    schema: Schema, *, identifiable: bool, about_a_person: bool, shared_with_provider: bool = False
) -> list[str]:
    """All privacy findings for one event schema (none are expected)."""
    if identifiable:
        return []
    problems = identifiable_fields(schema)
    if shared_with_provider:
        # The person agreed to share exactly these with this provider; everything else is still caught.
        allowed = {f"{prop.path}: " for prop in properties(schema) if (prop.owner, prop.name) in PROVIDER_SHARED_FIELDS}
        problems = [p for p in problems if not any(p.startswith(a) for a in allowed)]
    elif about_a_person:
        problems += person_ref_problems(schema)
    return problems + provider_sharing_problems(schema, shared_with_provider=shared_with_provider)
