"""Development tokens signed with the local HS256 secret the services use by default."""

from __future__ import annotations

import os

from linkwork_runtime.auth import issue_token
from linkwork_runtime.settings import ServiceSettings


def development_token(*, role: str, pcn: str, subject: str, organisation: str | None = None) -> str:
    secret = os.environ.get("LINKWORK_JWT_SECRET") or ServiceSettings().jwt_secret.get_secret_value()
    return issue_token(secret, subject=subject, role=role, pcn=pcn, organisation=organisation)
