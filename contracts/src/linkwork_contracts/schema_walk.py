"""Walking a generated JSON Schema: resolving local `$ref`s and visiting every property."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Schema = Mapping[str, Any]


def resolve(schema: Schema, root: Schema) -> Schema:
    """Follow a local `#/...` reference (keeping sibling keywords, which 2020-12 allows)."""
    seen: set[str] = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            raise ValueError(f"cannot resolve $ref {ref!r}: only local, acyclic refs are supported")
        seen.add(ref)
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **siblings}
    return schema


@dataclass(frozen=True, slots=True)
class Property:
    path: str  # dotted path from the root, e.g. "person.postcode_district"
    owner: str  # title of the object schema declaring it (the pydantic model name)
    name: str
    schema: Schema
    required: bool


def properties(root: Schema) -> Iterator[Property]:
    """Every property reachable from the root, through refs, arrays and unions."""
    yield from _walk(root, root, "", frozenset())


def _walk(schema: Schema, root: Schema, path: str, refs: frozenset[str]) -> Iterator[Property]:
    if "$ref" in schema:
        if schema["$ref"] in refs:
            return  # a recursive model; its properties were visited on the way in
        refs = refs | {schema["$ref"]}
        schema = resolve(schema, root)
    owner = str(schema.get("title", ""))
    required = set(schema.get("required", ()))
    for name, sub in schema.get("properties", {}).items():
        child = f"{path}.{name}" if path else name
        yield Property(child, owner, name, resolve(sub, root), name in required)
        yield from _walk(sub, root, child, refs)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), Mapping):
            yield from _walk(schema[key], root, f"{path}[]", refs)
    for key in ("prefixItems", "anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, ()):
            yield from _walk(sub, root, path, refs)
