"""Every service's OpenAPI document says what it really answers (runtime/src/linkwork_runtime/openapi.py).

Built from each service's app without starting it; the services are found on disk. The console serves pages,
not an API, and is left out.
"""

from __future__ import annotations

import ast
import importlib
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from linkwork_runtime.problem_types import BY_SLUG, BY_TITLE, is_status_phrase

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
API_SERVICES = sorted(
    path.parent.name.removeprefix("linkwork_")
    for path in ROOT.glob("services/*/src/linkwork_*/app.py")
    if path.parent.name != "linkwork_console"
)
METHODS = {"get", "put", "post", "patch", "delete"}


@cache  # building an app and its document takes seconds; no test changes a document
def _document(service: str) -> dict[str, Any]:
    document: dict[str, Any] = importlib.import_module(f"linkwork_{service}.app").build_app().openapi()
    return document


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, m, op) for path, item in document["paths"].items() for m, op in item.items() if m in METHODS]


def test_every_api_service_is_found() -> None:
    assert len(API_SERVICES) >= 5, API_SERVICES


@pytest.mark.parametrize("service", API_SERVICES)
def test_operation_ids_are_route_names_and_unique(service: str) -> None:
    operations = _operations(_document(service))
    ids = Counter(op["operationId"] for _, _, op in operations)
    assert [name for name, count in ids.items() if count > 1] == []
    # FastAPI's default id ends in the method after the path (`read_thing_things__id__get`): not stable.
    assert [op["operationId"] for _, m, op in operations if op["operationId"].endswith(f"__{m}")] == []


@pytest.mark.parametrize("service", API_SERVICES)
def test_every_error_answer_is_a_problem(service: str) -> None:
    document = _document(service)
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        for code, response in responses.items():
            if code[0] in "45":
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, f"{method} {path} {code}"
        if operation.get("security"):
            assert {"401", "403"} <= set(responses), f"{method} {path}"
        if "requestBody" in operation:
            assert "413" in responses, f"{method} {path}"


@pytest.mark.parametrize("service", API_SERVICES)
def test_every_request_body_has_an_example_its_schema_accepts(service: str) -> None:
    document = _document(service)
    bodies = [(path, method, op) for path, method, op in _operations(document) if "requestBody" in op]
    for path, method, operation in bodies:
        for content in operation["requestBody"]["content"].values():
            schema = content["schema"]
            examples = [example["value"] for example in content.get("examples", {}).values()]
            if "$ref" in schema:
                examples += document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]].get("examples", [])
            assert examples, f"{method} {path}: no example"
            validator = Draft202012Validator({**schema, "components": document["components"]})
            for example in examples:
                assert [error.message for error in validator.iter_errors(example)] == [], f"{method} {path}"


def _raised_titles() -> set[tuple[int, str]]:
    """(status, title) of every `Problem(...)`/`problem_response(...)`/`_handler(...)` with literal arguments."""
    found: set[tuple[int, str]] = set()
    for path in [*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("runtime/src/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            status, title = node.args[0], node.args[1]
            if name in {"Problem", "problem_response", "_handler"} and all(
                isinstance(arg, ast.Constant) for arg in (status, title)
            ):
                found.add((status.value, title.value))  # type: ignore[union-attr]
    return found


def test_every_problem_a_service_raises_has_a_documented_type() -> None:
    raised = _raised_titles()
    assert len(raised) > 20
    undocumented = sorted(
        (status, title) for status, title in raised if not is_status_phrase(status, title) and title not in BY_TITLE
    )
    assert undocumented == [], "add these to linkwork_runtime/problem_types.py"
    wrong_status = sorted((s, t) for s, t in raised if t in BY_TITLE and BY_TITLE[t].status != s)
    assert wrong_status == []


def test_kinds_are_distinct() -> None:
    assert len({kind.uri for kind in BY_SLUG.values()}) == len(BY_TITLE) == len(BY_SLUG)


# The directory's ORUK read API: its document declares ORUK's own schemas (api/oruk_models.py), so a client
# generated from either document reads the same fields. Compared with the reference copy of the standard.
ORUK_REFERENCE = ROOT / "services/directory/tests/reference/oruk-v3/schema"
ORUK_PUBLISHED = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
# Keywords that say what a value must be; titles, descriptions and examples may differ.
ASSERTIONS = {"type", "format", "enum", "const", "required", "minimum", "maximum", "pattern", "items", "properties"}
# ORUK's document points this path at compiled/service.json, whose required name and status a
# service_at_location does not have; the standard's own compiled/service_at_location.json is the shape returned.
ORUK_OVERRIDES = {"/service_at_locations/{id}": ORUK_PUBLISHED + "compiled/service_at_location.json"}


def _resolve(schema: dict[str, Any], document: dict[str, Any], base: str) -> tuple[dict[str, Any], str]:
    """Follow `$ref`s (components of `document`, or files of the reference copy) and merge `allOf`."""
    while "$ref" in schema:
        ref = schema["$ref"]
        if ref.startswith("#/components/"):
            schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        else:
            base = ref if ref.startswith("http") else base.rsplit("/", 1)[0] + "/" + ref
            schema = json.loads((ORUK_REFERENCE / base.removeprefix(ORUK_PUBLISHED)).read_text())
    for part in schema.get("allOf", []):
        resolved, _ = _resolve(part, document, base)
        schema = {**resolved, **{k: v for k, v in schema.items() if k != "allOf"}}
        schema["properties"] = {**resolved.get("properties", {}), **schema.get("properties", {})}
    return schema, base


def _incompatible(ours: Any, theirs: Any, where: str, docs: tuple[dict[str, Any], dict[str, Any]], base: str) -> list:
    """Where our schema does not assert what ORUK's does (ours may add properties: ORUK allows extensions)."""
    ours, _ = _resolve(ours, docs[0], base)
    theirs, base = _resolve(theirs, docs[1], base)
    found = []
    for key in ASSERTIONS & set(theirs):
        if key == "properties":
            for name, schema in theirs["properties"].items():
                if name not in ours.get("properties", {}):
                    found.append(f"{where}.{name}: missing")
                else:
                    found += _incompatible(ours["properties"][name], schema, f"{where}.{name}", docs, base)
        elif key == "items":
            found += _incompatible(ours.get("items", {}), theirs["items"], f"{where}[]", docs, base)
        elif key == "required" and set(ours.get("required", [])) != set(theirs["required"]):
            found.append(f"{where}: required {ours.get('required')} is not ORUK's {theirs['required']}")
        elif key != "required" and ours.get(key) != theirs[key]:
            found.append(f"{where}: {key} {ours.get(key)!r} is not ORUK's {theirs[key]!r}")
    return found


def test_the_directory_declares_the_oruk_response_schemas() -> None:
    ours = _document("directory")
    oruk = json.loads((ORUK_REFERENCE / "openapi.json").read_text())
    assert len(oruk["paths"]) >= 9
    for path, item in oruk["paths"].items():
        theirs = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        if path in ORUK_OVERRIDES:
            theirs = {"$ref": ORUK_OVERRIDES[path]}
        declared = ours["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in declared, f"{path}: a named response model"
        assert _incompatible(declared, theirs, path, (ours, oruk), ORUK_PUBLISHED) == []
        text = json.dumps(_resolve(declared, ours, ORUK_PUBLISHED)[0])
        assert '"additionalProperties": true' not in text, path


# Lists and pages (docs/conventions.md): ORUK's page/per_page, or linkwork's cursor/limit, and nothing else.
OTHER_PAGING_NAMES = {"offset", "skip", "before_id", "after_id", "page_size", "pagesize", "page_token", "next_token"}
PAGE_FIELDS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def _query_names(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}


@pytest.mark.parametrize("service", API_SERVICES)
def test_every_list_is_paged_one_of_the_two_ways(service: str) -> None:
    document = _document(service)
    for path, method, operation in _operations(document):
        names = _query_names(operation)
        where = f"{service}: {method} {path}"
        assert names.isdisjoint(OTHER_PAGING_NAMES), f"{where} pages with {names & OTHER_PAGING_NAMES}"
        description = operation.get("description", "")
        if names & {"page", "per_page"}:
            assert {"page", "per_page"} <= names and "cursor" not in names, where
            assert "Paged the ORUK way" in description, where
        if "cursor" in names:
            assert "limit" in names and "page" not in names, where
            assert "Paged by cursor" in description, where


def test_the_oruk_lists_take_page_and_per_page_and_answer_a_page() -> None:
    ours = _document("directory")
    oruk = json.loads((ORUK_REFERENCE / "openapi.json").read_text())
    listed = [path for path, item in oruk["paths"].items() if "{" not in path and path != "/"]
    assert len(listed) >= 4
    for path in listed:
        operation = ours["paths"][path]["get"]
        assert {"page", "per_page"} <= _query_names(operation), path
        declared = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert set(_resolve(declared, ours, ORUK_PUBLISHED)[0]["properties"]) >= PAGE_FIELDS, path
