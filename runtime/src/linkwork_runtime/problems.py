"""RFC 9457 problem details for every error a service returns, and the page that explains each kind."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from linkwork_runtime.problem_types import BY_SLUG, type_uri

PROBLEM_JSON = "application/problem+json"
docs_router = APIRouter(tags=["operations"])


class Problem(Exception):
    """Raise from a route to answer with a problem-details body."""

    def __init__(
        self, status: int, title: str, detail: str, *, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extensions = status, title, detail, extensions
        self.headers = headers or {}


def problem_response(status: int, title: str, detail: str, instance: str, **extensions: Any) -> JSONResponse:
    body = {"type": type_uri(status, title), "title": title, "status": status, "detail": detail, "instance": instance}
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _field(location: tuple[Any, ...]) -> str:
    # ("body", "person", "nhs_number") -> "person.nhs_number"; keep the query/header/path prefix otherwise.
    parts = [str(part) for part in location]
    return ".".join(parts[1:] if parts and parts[0] == "body" else parts)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        response = problem_response(exc.status, exc.title, exc.detail, request.url.path, **exc.extensions)
        response.headers.update(exc.headers)
        return response

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [{"field": _field(tuple(e["loc"])), "rule": e["type"], "message": e["msg"]} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(422, "Invalid request", detail, request.url.path, errors=errors)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        response = problem_response(exc.status_code, str(exc.detail), str(exc.detail), request.url.path)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


@docs_router.get("/problems/{slug}", summary="What a problem type means (the `type` of an error answer)")
async def problem_type(slug: str) -> dict[str, object]:
    kind = BY_SLUG.get(slug)
    if kind is None:
        raise Problem(404, "Not Found", "no problem type by that name")
    return {"type": kind.uri, "title": kind.title, "status": kind.status, "meaning": kind.meaning}
