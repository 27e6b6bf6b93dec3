"""An OpenAPI document that says what the service really answers.

FastAPI's defaults describe errors that never happen (a `HTTPValidationError` body for 422, when every error
here is an RFC 9457 problem) and name operations after their path and method (`read_referral_referrals__id__get`),
which changes whenever a path does. So every service's document is finished here:
- each operation's id is its route function's name, stable across path changes (unique per service, tested);
- every error response declares `application/problem+json` with the one `Problem` schema, whose `type` lists
  the kinds of `linkwork_runtime.problem_types`;
- an operation that needs a bearer token declares 401 and 403, and one with a body declares 413 (the runtime
  refuses a body over the limit before any route sees it);
- a list read in pages says which of the two conventions it follows (docs/conventions.md, "Lists and pages").
"""

from __future__ import annotations

import json
from typing import Any, Unpack

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import ConfigDict

from linkwork_runtime.problem_types import BY_SLUG

PROBLEM_JSON = "application/problem+json"
_METHODS = {"get", "put", "post", "patch", "delete"}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_STANDARD = {
    "401": "No valid bearer token (problem type /problems/unauthorised)",
    "403": "The token's role, PCN, ICB or organisation may not do this",
    "413": "The request body is over this route's limit (problem type /problems/request-body-too-large)",
}


# The two ways a list is paged (docs/conventions.md); tests/repository/test_openapi.py holds every list to one.
PAGE_PARAMETERS = ("page", "per_page")
CURSOR_PARAMETERS = ("cursor", "limit")
PAGES = (
    "Paged the ORUK way: `page` (from 1) and `per_page`; the answer's `total_items`, `total_pages`, "
    "`first_page` and `last_page` say where the page is."
)
CURSORS = (
    "Paged by cursor: at most `limit` items; to read on, send the `cursor` this list's answer gives "
    "(see the parameter); no cursor means the first page."
)


def example(body: dict[str, Any], **config: Unpack[ConfigDict]) -> ConfigDict:
    """A model's config whose JSON schema shows `body` as its one example (every request body has one).

    Other settings (`extra="forbid"`, ...) pass through, so a model keeps one `model_config` line.
    """
    return ConfigDict(**config, json_schema_extra={"examples": [body]})


def operation_id(route: APIRoute) -> str:
    return route.name


def problem_schema() -> dict[str, Any]:
    kinds = ", ".join(f"`/problems/{slug}`" for slug in sorted(BY_SLUG))
    return {
        "title": "Problem",
        "description": "RFC 9457 problem details. Extensions: `errors` (a list of {field, rule, message}) on a "
        "request that breaks field rules; others as the route documents.",
        "type": "object",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {
                "type": "string",
                "description": f"`about:blank` when the title is the HTTP status phrase; otherwise one of {kinds}, "
                "each served by this service with its meaning",
            },
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "Names fields and rules, never an identifiable value"},
            "instance": {"type": "string", "description": "The request path"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["field", "rule", "message"],
                    "properties": {
                        "field": {"type": "string", "description": "Where: `person.nhs_number`, `query.page`"},
                        "rule": {"type": "string", "description": "Which rule, as a code: `required`, `too_long`"},
                        "message": {"type": "string", "description": "The rule in words, never the value sent"},
                    },
                    # The one shape in every service (docs/conventions.md); tests hold every answer to it.
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": True,
    }


def _paging(operation: dict[str, Any]) -> str | None:
    names = {parameter["name"] for parameter in operation.get("parameters", []) if parameter.get("in") == "query"}
    if "page" in names or "per_page" in names:
        return PAGES
    if "cursor" in names:
        return CURSORS
    return None


def _finish(operation: dict[str, Any]) -> None:
    if (convention := _paging(operation)) is not None:
        operation["description"] = f"{operation.get('description', '')}\n\n{convention}".strip()
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if operation.get("security"):
        for code in ("401", "403"):
            responses.setdefault(code, {"description": _STANDARD[code]})
    if "requestBody" in operation:
        responses.setdefault("413", {"description": _STANDARD["413"]})
    for code, response in responses.items():
        if code[0] in "45":
            response["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}


def install(app: FastAPI) -> None:
    """Replace `app.openapi` with one that finishes FastAPI's document as described above (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = problem_schema()
            for item in document.get("paths", {}).values():
                for method, operation in item.items():
                    if method in _METHODS:
                        _finish(operation)
            # FastAPI's own 422 body, which no response uses any more.
            for unused in ("HTTPValidationError", "ValidationError"):
                if f'"#/components/schemas/{unused}"' not in json.dumps(document):
                    schemas.pop(unused, None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
