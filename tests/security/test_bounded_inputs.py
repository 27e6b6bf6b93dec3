"""Finding [medium]: every list in every request model is bounded, and so is every page number and page size.

Read from each service's OpenAPI document, so a new route or field without a bound fails here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from linkwork_directory.app import build_app as build_directory
from linkwork_directory.domain.search import MAX_PAGE, ServiceQuery
from linkwork_directory.settings import Settings as DirectorySettings
from linkwork_matching.app import build_app as build_matching
from linkwork_matching.settings import Settings as MatchingSettings
from linkwork_outcomes.app import build_app as build_outcomes
from linkwork_outcomes.settings import Settings as OutcomesSettings
from linkwork_referral.app import build_app as build_referral
from linkwork_referral.settings import Settings as ReferralSettings

pytestmark = pytest.mark.unit
SECRET = "bounded-input-tests-secret-of-32-bytes"
PAGING = {"page", "per_page", "limit"}


def _apps() -> dict[str, FastAPI]:
    return {
        "referral": build_referral(ReferralSettings(jwt_secret=SECRET, person_ref_secret=SECRET)),
        "directory": build_directory(DirectorySettings(jwt_secret=SECRET)),
        "matching": build_matching(MatchingSettings(jwt_secret=SECRET)),
        "outcomes": build_outcomes(OutcomesSettings(jwt_secret=SECRET)),
    }


def _unbounded_arrays(node: Any, schemas: dict[str, Any], where: str, seen: frozenset[str]) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _unbounded_arrays(item, schemas, where, seen)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _unbounded_arrays(schemas[name], schemas, f"{where}>{name}", seen | {name})
        return
    if node.get("type") == "array" and "maxItems" not in node:
        yield where
    for key, value in node.items():
        if key == "properties":
            for name, child in value.items():
                yield from _unbounded_arrays(child, schemas, f"{where}.{name}", seen)
        elif key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
            yield from _unbounded_arrays(value, schemas, where, seen)


def test_every_request_list_and_page_is_bounded() -> None:
    unbounded: list[str] = []
    for service, app in _apps().items():
        spec = app.openapi()
        schemas = spec.get("components", {}).get("schemas", {})
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                where = f"{service} {method.upper()} {path}"
                for content in operation.get("requestBody", {}).get("content", {}).values():
                    unbounded += _unbounded_arrays(content.get("schema", {}), schemas, where, frozenset())
                for parameter in operation.get("parameters", []):
                    schema = parameter.get("schema", {})
                    unbounded += _unbounded_arrays(schema, schemas, f"{where} ?{parameter['name']}", frozenset())
                    if parameter["name"] in PAGING and "maximum" not in schema:
                        unbounded.append(f"{where} ?{parameter['name']} has no maximum")
    assert unbounded == []


def test_the_directory_search_refuses_a_page_beyond_the_bound() -> None:
    assert ServiceQuery(page=MAX_PAGE).problems == []
    assert ServiceQuery(page=MAX_PAGE + 1).problems == [f"page must be between 1 and {MAX_PAGE}"]
