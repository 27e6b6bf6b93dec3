"""Finding [medium]: unbounded bodies, read before authentication. One ASGI limit in the runtime for every
service, enforced before parsing (and before the bearer token is looked at), 413 for chunked bodies too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, Request
from linkwork_directory.app import build_app as build_directory
from linkwork_directory.settings import Settings as DirectorySettings
from linkwork_matching.app import build_app as build_matching
from linkwork_matching.settings import Settings as MatchingSettings
from linkwork_outcomes.app import build_app as build_outcomes
from linkwork_outcomes.settings import Settings as OutcomesSettings
from linkwork_referral.app import build_app as build_referral
from linkwork_referral.settings import Settings as ReferralSettings
from linkwork_runtime.app import ServiceDefinition, create_app
from linkwork_runtime.auth import CurrentPrincipal, issue_token
from linkwork_runtime.settings import ServiceSettings

pytestmark = pytest.mark.unit
SECRET = "body-limit-tests-secret-of-32-bytes!!"
BUILDERS = {
    "referral": lambda: build_referral(ReferralSettings(jwt_secret=SECRET, person_ref_secret=SECRET)),
    "directory": lambda: build_directory(DirectorySettings(jwt_secret=SECRET)),
    "matching": lambda: build_matching(MatchingSettings(jwt_secret=SECRET)),
    "outcomes": lambda: build_outcomes(OutcomesSettings(jwt_secret=SECRET)),
}


def _client(app: object) -> httpx.AsyncClient:
    # No lifespan: the limit must hold before the service has even connected to anything.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service.test")  # type: ignore[arg-type]


async def _chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for _ in range(total // size):
        yield b"x" * size


# A route of each service that reads a JSON body (outcomes takes none: its POSTs are refused by size anyway).
BODY_ROUTES = {"referral": "/referrals", "directory": "/services", "matching": "/match", "outcomes": "/reports"}


@pytest.mark.parametrize("service", sorted(BUILDERS))
async def test_every_service_refuses_a_large_body_before_authentication(service: str) -> None:
    app = BUILDERS[service]()
    path = BODY_ROUTES[service]
    async with _client(app) as client:
        declared = await client.post(path, content=b"{" + b" " * (2 * 1024 * 1024) + b"}")
        chunked = await client.post(path, content=_chunks(4 * 1024 * 1024))
    responses = [declared] if service == "outcomes" else [declared, chunked]
    for response in responses:
        assert response.status_code == 413, (service, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_route_gets_its_own_larger_limit_and_the_rest_keep_the_default() -> None:
    router = APIRouter()

    @router.post("/imports")
    async def upload(principal: CurrentPrincipal, request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    settings = ServiceSettings(jwt_secret=SECRET, max_body_bytes=2048)
    definition = ServiceDefinition("example", "test", settings, {}, [router], body_limits={"/imports": 8192})
    async with _client(create_app(definition)) as client:
        assert (await client.post("/imports", content=b"x" * 4096)).status_code == 401  # limit passed, then auth
        assert (await client.post("/imports", content=b"x" * 9000)).status_code == 413
        assert (await client.post("/other", content=b"x" * 4096)).status_code == 413
        # A chunked body (no Content-Length) is counted as the route reads it.
        token = {"Authorization": f"Bearer {issue_token(SECRET, subject='c-1', role='curator', pcn='U00001')}"}
        chunked = await client.post("/imports", content=_chunks(16 * 1024, 1024), headers=token)
        assert chunked.status_code == 413
