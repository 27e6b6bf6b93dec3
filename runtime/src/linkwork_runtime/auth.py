"""Bearer-token authentication and role checks shared by every service's HTTP API.

Tokens are JWTs carrying `sub`, `role` and `pcn` (the ODS code of the Primary Care Network), and for
referrers optionally `org` (the referring organisation's ODS code). Local development signs them with
HS256 and a shared secret; a deployment sets `LINKWORK_JWKS_URL` and only RS256 keys from it are trusted.
"""

from __future__ import annotations

import re
import time
from typing import Annotated

import jwt
import jwt.types
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from linkwork_contracts.identifiers import STAFF_ID_PATTERN

from linkwork_runtime.principal import Principal, Role
from linkwork_runtime.problems import Problem
from linkwork_runtime.settings import ServiceSettings

__all__ = ["CurrentPrincipal", "Principal", "Role", "TokenVerifier", "authenticate", "issue_token", "require_role"]


def _unauthorised(detail: str) -> Problem:
    return Problem(401, "Unauthorised", detail, headers={"WWW-Authenticate": 'Bearer realm="linkwork"'})


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None

    def verify(self, token: str) -> Principal:
        options: jwt.types.Options = {"require": ["exp", "sub", "role", "pcn"]}
        try:
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=["RS256"],
                    audience=self._settings.jwt_audience,
                    issuer=self._settings.jwt_issuer,
                    options=options,
                )
            else:
                claims = jwt.decode(
                    token,
                    self._settings.jwt_secret.get_secret_value(),
                    algorithms=["HS256"],
                    audience=self._settings.jwt_audience,
                    options=options,
                )
        except jwt.ExpiredSignatureError as error:
            raise _unauthorised("the bearer token has expired") from error
        except jwt.PyJWTError as error:
            raise _unauthorised(f"the bearer token is not valid: {error}") from error
        try:
            role = Role(claims["role"])
        except ValueError as error:
            raise _unauthorised(f"unknown role {claims['role']!r} in token") from error
        return Principal(str(claims["sub"]), role, str(claims["pcn"]), claims.get("org"))


_bearer = HTTPBearer(auto_error=False)
_STAFF_ID = re.compile(STAFF_ID_PATTERN)


def authenticate(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise _unauthorised("a bearer token is required (Authorization: Bearer <JWT>)")
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = verifier.verify(credentials.credentials)
    # The subject is stored (link_worker, recorded_by) and copied into events whose StaffId field refuses
    # anything else: an email-style subject accepted here would later fail every follow-up-due batch.
    if _STAFF_ID.fullmatch(principal.subject) is None:
        raise _unauthorised("the token's subject (sub) must be an opaque staff id: 1-64 of A-Z a-z 0-9 . _ : -")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_role(principal: Principal, *allowed: Role) -> None:
    if principal.role not in allowed:
        names = ", ".join(sorted(role.value for role in allowed))
        raise Problem(403, "Forbidden", f"role {principal.role.value} may not do this; allowed roles: {names}")


def issue_token(
    secret: str,
    *,
    subject: str,
    role: Role | str,
    pcn: str,
    organisation: str | None = None,
    lifetime_seconds: int = 8 * 3600,
    audience: str = "linkwork",
) -> str:
    """Mint an HS256 token: for local development and tests only."""
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": subject,
        "role": str(Role(role)),
        "pcn": pcn,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime_seconds,
    }
    if organisation:
        claims["org"] = organisation
    return jwt.encode(claims, secret, algorithm="HS256")
