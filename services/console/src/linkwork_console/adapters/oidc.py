"""OpenID Connect sign-in: the authorization code flow with PKCE (authlib), ID token checks (PyJWT with the
provider's JWKS), token refresh and RP-initiated sign-out.

Keycloak locally; NHS CIS2 or Entra ID in a deployment: only discovery is relied on, nothing provider-specific.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from authlib.integrations.httpx_client import AsyncOAuth2Client

# Refresh a little before the access token runs out, so a page's calls to the services never carry one that
# expires on the way.
REFRESH_MARGIN_SECONDS = 30


class SignInFailed(Exception):
    """The provider refused or the answer did not check out; the message is safe to log (no tokens)."""


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    code_verifier: str
    nonce: str


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    id_token: str | None
    expires_at: float

    @classmethod
    def of(cls, answer: dict[str, Any], previous_id_token: str | None = None) -> Tokens:
        expires_at = answer.get("expires_at") or time.time() + float(answer.get("expires_in", 300))
        return cls(
            access_token=str(answer["access_token"]),
            refresh_token=answer.get("refresh_token"),
            id_token=answer.get("id_token") or previous_id_token,
            expires_at=float(expires_at),
        )

    def fresh(self, now: float) -> bool:
        return now < self.expires_at - REFRESH_MARGIN_SECONDS

    def to_dict(self) -> dict[str, Any]:
        """Every field, as the session keeps them (`from_dict` reads them back)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tokens:
        return cls(data["access_token"], data.get("refresh_token"), data.get("id_token"), float(data["expires_at"]))


class OidcClient:
    def __init__(self, issuer: str, client_id: str, client_secret: str | None, scope: str, timeout: float) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self.timeout = timeout
        self._metadata: dict[str, Any] | None = None
        self._jwks: jwt.PyJWKClient | None = None
        self._lock = asyncio.Lock()

    async def metadata(self) -> dict[str, Any]:
        """Discovery, fetched once; a provider not yet up is asked again on the next sign-in."""
        async with self._lock:
            if self._metadata is None:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    answer = await client.get(f"{self.issuer}/.well-known/openid-configuration")
                answer.raise_for_status()
                metadata: dict[str, Any] = answer.json()
                if metadata.get("issuer") != self.issuer:
                    raise SignInFailed("the provider's discovery document names another issuer")
                self._metadata = metadata
                self._jwks = jwt.PyJWKClient(metadata["jwks_uri"], cache_keys=True, lifespan=3600)
            return self._metadata

    def _client(self, **kwargs: Any) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_endpoint_auth_method="client_secret_basic" if self.client_secret else "none",
            scope=self.scope,
            code_challenge_method="S256",
            timeout=self.timeout,
            **kwargs,
        )

    async def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        metadata = await self.metadata()
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(24)
        async with self._client(redirect_uri=redirect_uri) as client:
            url, state = client.create_authorization_url(
                metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
            )
        return AuthorizationRequest(url, state, verifier, nonce)

    async def exchange(
        self, code: str, code_verifier: str, redirect_uri: str, nonce: str
    ) -> tuple[Tokens, dict[str, Any]]:
        """Swap the code for tokens and return them with the checked ID token's claims."""
        metadata = await self.metadata()
        async with self._client(redirect_uri=redirect_uri) as client:
            try:
                answer = await client.fetch_token(
                    metadata["token_endpoint"], grant_type="authorization_code", code=code, code_verifier=code_verifier
                )
            except Exception as error:  # authlib raises OAuthError subclasses and httpx errors
                raise SignInFailed(f"the provider refused the authorization code: {type(error).__name__}") from error
        tokens = Tokens.of(dict(answer))
        if tokens.id_token is None:
            raise SignInFailed("the provider returned no ID token (is the 'openid' scope allowed?)")
        claims = await asyncio.to_thread(self._check_id_token, tokens.id_token)
        if claims.get("nonce") != nonce:
            raise SignInFailed("the ID token's nonce does not match this sign-in")
        return tokens, claims

    def _check_id_token(self, id_token: str) -> dict[str, Any]:
        assert self._jwks is not None
        try:
            key = self._jwks.get_signing_key_from_jwt(id_token).key
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key,
                algorithms=["RS256", "PS256", "ES256"],
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.PyJWTError as error:
            raise SignInFailed(f"the ID token did not check out: {error}") from error
        return claims

    async def refresh(self, tokens: Tokens) -> Tokens:
        if tokens.refresh_token is None:
            raise SignInFailed("the session has no refresh token")
        metadata = await self.metadata()
        async with self._client() as client:
            try:
                answer = await client.refresh_token(metadata["token_endpoint"], refresh_token=tokens.refresh_token)
            except Exception as error:
                raise SignInFailed(f"the provider refused to refresh: {type(error).__name__}") from error
        return Tokens.of(dict(answer), tokens.id_token)

    async def end_session_url(self, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        metadata = await self.metadata()
        endpoint = metadata.get("end_session_endpoint")
        if not endpoint:
            return None
        query = {"client_id": self.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"
