"""Bearer-token authentication and role checks shared by every service's HTTP API.

Tokens are JWTs carrying `sub`, the person's role and `pcn` (the ODS code of the Primary Care Network), and
optionally `org` (the organisation: a referrer's ODS code, a provider's directory id) and `icb`. The role is
either one `role` claim or a `roles` list (Keycloak's realm roles and Entra ID's app roles arrive that way), of
which exactly one must be a linkwork role.

Production (and `make run`, and the end-to-end tests): `LINKWORK_JWKS_URL`, `LINKWORK_JWT_ISSUER` and
`LINKWORK_JWT_AUDIENCE` name the OpenID Connect provider; only RS256 tokens signed by one of its keys, with that
issuer and audience, are accepted. Without a JWKS URL the services accept HS256 tokens signed with
`LINKWORK_JWT_SECRET`: that exists only so fast unit tests need no provider.
"""

from __future__ import annotations

import re
import time
from typing import Annotated, Any

import jwt
import jwt.types
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from linkwork_contracts.identifiers import STAFF_ID_PATTERN
from starlette.concurrency import run_in_threadpool

from linkwork_runtime.jwks import JwksUnavailable, SigningKeys, UnknownSigningKey
from linkwork_runtime.principal import Principal, Role
from linkwork_runtime.problems import Problem
from linkwork_runtime.settings import ServiceSettings

__all__ = ["CurrentPrincipal", "Principal", "Role", "TokenVerifier", "authenticate", "issue_token", "require_role"]

# Roles whose work is bounded by a PCN: their tokens must say which one.
# Roles whose token must name a PCN. Not referrers: hospitals and councils refer into many PCNs, and their
# referrals are routed by the person's practice instead (issue 16).
_PCN_ROLES = frozenset({Role.LINK_WORKER, Role.PCN_ADMIN})
_ROLE_VALUES = frozenset(role.value for role in Role)


def _unauthorised(detail: str) -> Problem:
    return Problem(401, "Unauthorised", detail, headers={"WWW-Authenticate": 'Bearer realm="linkwork"'})


class TokenVerifier:
    def __init__(self, settings: ServiceSettings, keys: SigningKeys | None = None) -> None:
        self._settings = settings
        if keys is None and settings.jwks_url:
            keys = SigningKeys(settings.jwks_url)
        self._keys = keys

    def verify(self, token: str) -> Principal:
        try:
            claims = self._verified_claims(token) if self._keys is not None else self._development_claims(token)
        except jwt.ExpiredSignatureError as error:
            raise _unauthorised("the bearer token has expired") from error
        except jwt.PyJWTError as error:
            raise _unauthorised(f"the bearer token is not valid: {error}") from error
        return _principal(claims)

    def may_fetch_keys(self, token: str) -> bool:
        """Whether `verify(token)` may fetch the key set (blocking I/O): only for a key id not yet known."""
        if self._keys is None:
            return False
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return False  # verify() refuses it without a fetch
        return not (isinstance(kid, str) and self._keys.known(kid))

    def _verified_claims(self, token: str) -> dict[str, Any]:
        assert self._keys is not None
        header = jwt.get_unverified_header(token)
        # Checked before any key lookup, so an HS256 or unsigned token can never cause a key-set fetch.
        if header.get("alg") != "RS256":
            raise _unauthorised("the bearer token must be signed with RS256 by the sign-in provider")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _unauthorised("the bearer token names no signing key (kid)")
        try:
            key = self._keys.key(kid)
        except UnknownSigningKey as error:
            raise _unauthorised(str(error)) from error
        except JwksUnavailable as error:
            raise Problem(503, "Service Unavailable", f"{error}; try again shortly") from error
        options: jwt.types.Options = {"require": ["exp", "iat", "sub", "iss", "aud"]}
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=self._settings.jwt_audience,
            issuer=self._settings.jwt_issuer,
            options=options,
        )
        return claims

    def _development_claims(self, token: str) -> dict[str, Any]:
        options: jwt.types.Options = {"require": ["exp", "sub"]}
        claims: dict[str, Any] = jwt.decode(
            token,
            self._settings.jwt_secret.get_secret_value(),
            algorithms=["HS256"],
            audience=self._settings.jwt_audience,
            options=options,
        )
        return claims


def _role(claims: dict[str, Any]) -> Role:
    if "role" in claims:
        try:
            return Role(claims["role"])
        except ValueError as error:
            raise _unauthorised(f"unknown role {claims['role']!r} in token") from error
    listed = claims.get("roles")
    names = sorted({name for name in listed if name in _ROLE_VALUES}) if isinstance(listed, list) else []
    if not names:
        raise _unauthorised("the bearer token carries no linkwork role (claim 'role' or 'roles')")
    if len(names) > 1:
        # One person, one role per token: picking one silently would widen or narrow what they may see.
        raise Problem(403, "Forbidden", f"the bearer token carries several linkwork roles ({', '.join(names)})")
    return Role(names[0])


def _optional(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return str(value) if value else None


def _principal(claims: dict[str, Any]) -> Principal:
    role = _role(claims)
    pcn = _optional(claims, "pcn")
    if pcn is None and role in _PCN_ROLES:
        raise _unauthorised(f"the bearer token of a {role.value} must carry the 'pcn' claim")
    name = _optional(claims, "name") or _optional(claims, "preferred_username")
    return Principal(
        str(claims["sub"]),
        role,
        pcn or "",
        organisation=_optional(claims, "org"),
        icb=_optional(claims, "icb"),
        name=name[:200] if name else None,
    )


_bearer = HTTPBearer(auto_error=False)
_STAFF_ID = re.compile(STAFF_ID_PATTERN)


async def authenticate(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise _unauthorised("a bearer token is required (Authorization: Bearer <JWT>)")
    verifier: TokenVerifier = request.app.state.token_verifier
    token = credentials.credentials
    # Checking a signature is well under a millisecond of CPU: done on the event loop rather than in a worker
    # thread (a plain `def` dependency costs a thread hop per request). Only a token whose signing key is not
    # yet known may make the verifier fetch the key set over HTTP, which blocks: that one goes to a thread.
    if verifier.may_fetch_keys(token):
        principal = await run_in_threadpool(verifier.verify, token)
    else:
        principal = verifier.verify(token)
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
    icb: str | None = None,
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
    if icb:
        claims["icb"] = icb
    return jwt.encode(claims, secret, algorithm="HS256")
