"""Domain and use-case failures as RFC 9457 problem details."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from linkwork_runtime.problems import problem_response

from linkwork_referral.domain.access import Denied
from linkwork_referral.domain.activity_referral import StepNotAllowed
from linkwork_referral.domain.errors import DomainError, IllegalTransition
from linkwork_referral.service_layer.errors import IdempotencyKeyReused, NotFound, Unroutable


def _handler(status: int, title: str) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        return problem_response(status, title, str(exc), request.url.path)

    return handle


async def _not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """A referral's or an activity referral's step tried in a state that does not allow it: both say which."""
    assert isinstance(exc, IllegalTransition | StepNotAllowed)
    return problem_response(
        409,
        "Not allowed in this state",
        str(exc),
        request.url.path,
        current_state=exc.current.value,
        allowed_states=[s.value for s in exc.allowed],
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _handler(422, "Invalid request"))
    app.add_exception_handler(IdempotencyKeyReused, _handler(422, "Idempotency-Key reused"))
    app.add_exception_handler(Denied, _handler(403, "Forbidden"))
    app.add_exception_handler(NotFound, _handler(404, "Not found"))
    app.add_exception_handler(Unroutable, _handler(422, "No PCN for this referral"))
    app.add_exception_handler(IllegalTransition, _not_allowed)
    app.add_exception_handler(StepNotAllowed, _not_allowed)
