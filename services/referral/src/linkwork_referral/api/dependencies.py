"""What every route shares: the use-case service and the problem responses it documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from linkwork_runtime.context import ServiceContext, get_context

from linkwork_referral.service_layer.referrals import ReferralService

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"application/problem+json": {}}}
    for status, text in {
        401: "Missing, expired or invalid bearer token",
        403: "The role or PCN may not do this",
        404: "No such referral",
        413: "Body too large",
        422: "Invalid input",
    }.items()
}
ACTION_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    409: {
        "description": "The referral's state does not allow this action; the body names the states that do",
        "content": {"application/problem+json": {}},
    },
}


async def get_service(request: Request) -> ReferralService:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a thread hop on every request.
    factory: Callable[[ServiceContext], ReferralService] = request.app.state.referral_service
    return factory(get_context(request))


Service = Annotated[ReferralService, Depends(get_service)]
