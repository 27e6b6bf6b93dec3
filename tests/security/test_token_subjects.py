"""Finding [high]: the JWT `sub` was stored unvalidated and later broke StaffId events; it is now checked
at the API boundary (401 before any handler runs)."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from linkwork_runtime.auth import CurrentPrincipal, TokenVerifier, issue_token
from linkwork_runtime.problems import install_problem_handlers
from linkwork_runtime.settings import ServiceSettings

pytestmark = pytest.mark.unit
SECRET = "token-subject-tests-secret-of-32-bytes!"


def _client() -> TestClient:
    router = APIRouter()

    @router.get("/whoami")
    async def whoami(principal: CurrentPrincipal) -> dict[str, str]:
        return {"subject": principal.subject}

    app = FastAPI()
    app.state.token_verifier = TokenVerifier(ServiceSettings(jwt_secret=SECRET))
    install_problem_handlers(app)
    app.include_router(router)
    return TestClient(app)


@pytest.mark.parametrize(
    "subject", ["ada@example.org", "Ada Lovelace", "", "-leading-dash", "x" * 65, "lw\n1", "lw/../1", "é"]
)
def test_a_subject_that_is_not_a_staff_id_is_refused(subject: str) -> None:
    token = issue_token(SECRET, subject=subject, role="link_worker", pcn="U00001")
    response = _client().get("/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "staff id" in response.json()["detail"]
    if subject:
        assert subject not in response.text


@pytest.mark.parametrize("subject", ["lw-1", "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "org:staff.42"])
def test_staff_ids_and_identity_provider_uuids_are_accepted(subject: str) -> None:
    token = issue_token(SECRET, subject=subject, role="link_worker", pcn="U00001")
    response = _client().get("/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json() == {"subject": subject}
