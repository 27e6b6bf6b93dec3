"""The ORUK v3 JSON Schemas, resolved offline.

ORUK documents refer to one another by their published URLs (the OpenAPI document points at
`.../schema/compiled/service.json`, `taxonomy.json` refers to `taxonomy_term.json`). Every schema
file under a local copy of the standard is registered under its published URL, so those
references resolve to the files here and nothing is ever fetched.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from linkwork_directory.domain.errors import FieldError

PUBLISHED_ROOT = "https://raw.githubusercontent.com/openreferral/uk-profile/main/"
BUNDLED = Path(__file__).resolve().parent.parent / "data" / "oruk-v3"


def schema_url(relative: str) -> str:
    """The published URL of a schema file, e.g. `schema/compiled/service.json`."""
    return PUBLISHED_ROOT + relative


def load_registry(root: Path) -> Registry[Any]:
    """A registry of every JSON file under `root/schema`, keyed by its published URL."""
    resources = []
    for path in sorted((root / "schema").rglob("*.json")):
        relative = path.relative_to(root).as_posix()
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema_url(relative), Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


class OrukSchemas:
    """Validators for ORUK documents, checking formats (uuid, email, ...) as well as structure."""

    def __init__(self, root: Path = BUNDLED) -> None:
        self.root = root
        self.registry = load_registry(root)
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, relative: str) -> Draft202012Validator:
        """The validator for the schema at `relative` (e.g. `schema/compiled/service.json`)."""
        if relative not in self._validators:
            schema = {"$ref": schema_url(relative)}
            self._validators[relative] = Draft202012Validator(
                schema, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
        return self._validators[relative]

    def errors(self, relative: str, document: object) -> list[str]:
        """Readable reasons the document does not meet the schema, empty when it does."""
        found = sorted(self.validator(relative).iter_errors(document), key=lambda e: list(e.absolute_path))
        return [f"{_path(error.absolute_path)}: {error.message}" for error in found]

    def field_errors(self, relative: str, document: object) -> list[FieldError]:
        """The same as `errors`, as {field, rule, message} with messages that never repeat the value."""
        found = sorted(self.validator(relative).iter_errors(document), key=lambda e: list(e.absolute_path))
        return [
            {"field": _path(error.absolute_path), "rule": str(error.validator), "message": _rule_message(error)}
            for error in found
        ]


# jsonschema's own messages quote the offending value ("'x@y' is not a 'email'"); these name the rule only.
_RULE_MESSAGES = {
    "type": "is not of type {}",
    "format": "is not a valid {}",
    "enum": "is not one of {}",
    "const": "is not {}",
    "pattern": "does not match {}",
    "minLength": "is shorter than {}",
    "maxLength": "is longer than {}",
    "minimum": "is below {}",
    "maximum": "is above {}",
    "minItems": "has fewer than {} items",
    "maxItems": "has more than {} items",
}


def _rule_message(error: ValidationError) -> str:
    if error.validator in ("required", "additionalProperties", "dependentRequired"):
        return str(error.message)  # names properties, not values
    template = _RULE_MESSAGES.get(str(error.validator))
    return template.format(error.validator_value) if template else f"does not meet {error.validator}"


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(record)"


@cache
def bundled() -> OrukSchemas:
    return OrukSchemas(BUNDLED)


SERVICE = "schema/compiled/service.json"
ORGANIZATION = "schema/compiled/organization.json"
TAXONOMY = "schema/taxonomy.json"
TAXONOMY_TERM = "schema/taxonomy_term.json"
