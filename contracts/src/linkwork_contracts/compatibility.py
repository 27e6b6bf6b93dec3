"""The compatibility gate: can the current models still read everything already released?

Backward compatibility in the Confluent sense: a consumer built from the current schema must
accept every message valid under the released one. So these break it: removing a field (models
forbid unknown fields, so old messages carrying it would be rejected), changing a field's type,
narrowing a value set or a bound, and adding a required field. Adding an optional field (with a
default) is fine. To make a breaking change, add the next version (e.g. ...v2) beside the old
one, which stays unchanged in the registry for as long as old events may be read.

Because models also reject fields they do not know, deploy consumers before producers when a
version gains an optional field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from linkwork_contracts.schema_walk import Schema, resolve

# Keywords that only document; changing them never breaks a reader.
_ANNOTATIONS = {"title", "description", "default", "examples", "discriminator", "$schema", "$id"}


class _Gate:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root, self.new_root = old_root, new_root

    def covers(self, old: Schema, new: Schema, path: str) -> list[str]:
        """Problems that stop `new` accepting everything `old` accepted."""
        old, new = resolve(old, self.old_root), resolve(new, self.new_root)
        if not set(new) - _ANNOTATIONS - {"$defs"}:
            return []  # the new schema accepts anything
        old_union = old.get("anyOf") or old.get("oneOf")
        if old_union:
            return [p for branch in old_union for p in self.covers(branch, new, path)]
        new_union = new.get("anyOf") or new.get("oneOf")
        if new_union:
            attempts = [self.covers(old, branch, path) for branch in new_union]
            return [] if any(not a for a in attempts) else min(attempts, key=len)
        if not set(old) - _ANNOTATIONS - {"$defs"}:
            return [f"{path}: now restricted (it accepted any value)"]
        type_changed = self._types(old, new, path)
        if type_changed:
            return type_changed  # the finer checks below would only repeat it
        return [
            *self._values(old, new, path),
            *self._bounds(old, new, path),
            *self._array(old, new, path),
            *self._object(old, new, path),
        ]

    @staticmethod
    def _types(old: Schema, new: Schema, path: str) -> list[str]:
        old_types, new_types = _types(old), _types(new)
        if new_types is None:
            return []
        if old_types is None:
            return [f"{path}: now restricted to type {_show(new_types)}"]
        lost = {t for t in old_types if t not in new_types}
        if "number" in new_types:
            lost.discard("integer")
        if lost:
            return [f"{path}: type changed from {_show(old_types)} to {_show(new_types)}"]
        return []

    @staticmethod
    def _values(old: Schema, new: Schema, path: str) -> list[str]:
        old_values, new_values = _values(old), _values(new)
        if new_values is None:
            return []
        if old_values is None:
            return [f"{path}: now restricted to the values {new_values}"]
        removed = [v for v in old_values if v not in new_values]
        return [f"{path}: values no longer accepted: {removed}"] if removed else []

    @staticmethod
    def _bounds(old: Schema, new: Schema, path: str) -> list[str]:
        problems = []
        for key in ("pattern", "format"):
            if key in new and new.get(key) != old.get(key):
                problems.append(f"{path}: {key} changed from {old.get(key)!r} to {new[key]!r}")
        for key in ("minimum", "exclusiveMinimum", "minLength", "minItems"):
            if key in new and (key not in old or new[key] > old[key]):
                problems.append(f"{path}: {key} raised from {old.get(key)} to {new[key]}")
        for key in ("maximum", "exclusiveMaximum", "maxLength", "maxItems"):
            if key in new and (key not in old or new[key] < old[key]):
                problems.append(f"{path}: {key} lowered from {old.get(key)} to {new[key]}")
        if new.get("uniqueItems") and not old.get("uniqueItems"):
            problems.append(f"{path}: items must now be unique")
        return problems

    def _array(self, old: Schema, new: Schema, path: str) -> list[str]:
        if "items" not in new:
            return []
        if "items" not in old:
            return [f"{path}[]: items now restricted"]
        return self.covers(old["items"], new["items"], f"{path}[]")

    def _object(self, old: Schema, new: Schema, path: str) -> list[str]:
        problems = []
        old_props: Mapping[str, Any] = old.get("properties", {})
        new_props: Mapping[str, Any] = new.get("properties", {})
        closed = new.get("additionalProperties") is False
        for name, old_prop in old_props.items():
            child = f"{path}.{name}" if path else name
            if name in new_props:
                problems += self.covers(old_prop, new_props[name], child)
            elif closed:
                problems.append(f"{child}: field removed (old events carrying it are rejected)")
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name in sorted(new_required - old_required):
            child = f"{path}.{name}" if path else name
            if name in old_props:
                problems.append(f"{child}: was optional, now required")
            else:
                problems.append(f"{child}: new required field without a default")
        if closed and old.get("additionalProperties") is not False and "properties" in old:
            problems.append(f"{path or '(root)'}: no longer accepts extra fields")
        return problems


def _types(schema: Schema) -> set[str] | None:
    if "type" in schema:
        value = schema["type"]
        return {value} if isinstance(value, str) else set(value)
    if "const" in schema:
        return {_json_type(schema["const"])}
    if "enum" in schema:
        return {_json_type(v) for v in schema["enum"]}
    return None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if isinstance(value, str) else "object"


def _values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    return list(schema["enum"]) if "enum" in schema else None


def _show(types: set[str]) -> str:
    return "|".join(sorted(types))


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Why `new` cannot read every message `old` accepted (empty when it can)."""
    return _Gate(old, new).covers(old, new, "")


def compare_sets(released: Mapping[str, Schema], current: Mapping[str, Schema]) -> list[str]:
    """Breaking changes between the released schemas and the current ones, per event type."""
    problems = []
    for event_type, old in sorted(released.items()):
        if event_type not in current:
            problems.append(f"{event_type}: released type is no longer readable; keep its model registered")
            continue
        problems += [f"{event_type}: {p}" for p in breaking_changes(old, current[event_type])]
    return problems


def load_schemas(directory: Path) -> dict[str, Schema]:
    """Event schemas in a directory, keyed by event type (the file name without .json)."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("uk.linkwork.*.json"))
    }
