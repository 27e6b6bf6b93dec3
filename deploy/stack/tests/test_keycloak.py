"""The plugin's Keycloak is real: it serves the linkwork realm and signs RS256 tokens with linkwork's claims."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import jwt
import pytest
from linkwork_stack.keycloak import SERVICES_AUDIENCE, KeycloakRealm, password_token

pytestmark = pytest.mark.integration


def test_discovery_names_the_issuer_and_key_set(keycloak: KeycloakRealm) -> None:
    discovery = httpx.get(keycloak.discovery_url, timeout=30).json()
    assert discovery["issuer"] == keycloak.issuer
    assert discovery["jwks_uri"] == keycloak.jwks_url
    assert "S256" in discovery["code_challenge_methods_supported"]
    keys = httpx.get(keycloak.jwks_url, timeout=30).json()["keys"]
    assert any(key["alg"] == "RS256" and key["use"] == "sig" for key in keys)


def test_demo_link_worker_token_carries_linkwork_claims(
    keycloak: KeycloakRealm, keycloak_token: Callable[..., str]
) -> None:
    token = keycloak_token("link-worker")
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    key = jwt.PyJWKClient(keycloak.jwks_url).get_signing_key_from_jwt(token).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=SERVICES_AUDIENCE, issuer=keycloak.issuer)
    assert "link_worker" in claims["roles"]
    assert claims["pcn"] == "U00001" and claims["icb"] == "QWO"
    other = jwt.decode(keycloak_token("link-worker-other-pcn"), options={"verify_signature": False})
    assert other["pcn"] == "U00002" and other["sub"] != claims["sub"]
    referrer = jwt.decode(keycloak_token("referrer"), options={"verify_signature": False})
    assert referrer["org"] == "B86001" and "referrer" in referrer["roles"]


def test_audience_only_when_asked_and_wrong_password_refused(
    keycloak: KeycloakRealm, keycloak_token: Callable[..., str]
) -> None:
    without = jwt.decode(keycloak_token("link-worker", audience=False), options={"verify_signature": False})
    assert SERVICES_AUDIENCE not in (without.get("aud") or [])
    with pytest.raises(RuntimeError, match="refused"):
        password_token(keycloak.issuer, "link-worker", "not-the-password")


def test_console_client_requires_pkce_and_redirects_only_to_loopback(keycloak: KeycloakRealm) -> None:
    authorize = f"{keycloak.issuer}/protocol/openid-connect/auth"
    pkce = {"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256"}

    def ask(redirect_uri: str, **extra: str) -> httpx.Response:
        query = {"client_id": "linkwork-console", "redirect_uri": redirect_uri, "response_type": "code"}
        return httpx.get(authorize, params={**query, "scope": "openid", "state": "s", **extra}, timeout=30)

    # The login page for the console's port and, for tests, any loopback port on 127.0.0.1.
    for allowed in ("http://127.0.0.1:8005/auth/callback", "http://localhost:8005/cb", "http://127.0.0.1:45678/cb"):
        assert ask(allowed, **pkce).status_code == 200, allowed
    for refused in ("http://localhost:45678/cb", "https://elsewhere.example/cb"):
        assert ask(refused, **pkce).status_code == 400, refused
    # Without PKCE the request goes back to the console with an error, never to a login page.
    without = ask("http://127.0.0.1:8005/cb")
    assert without.status_code == 302 and "error=invalid_request" in without.headers["location"]


def test_the_system_client_gets_a_referrer_token_by_client_credentials(keycloak: KeycloakRealm) -> None:
    token = keycloak.system_token()
    key = jwt.PyJWKClient(keycloak.jwks_url).get_signing_key_from_jwt(token).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=SERVICES_AUDIENCE, issuer=keycloak.issuer)
    assert "referrer" in claims["roles"] and "pcn" not in claims
    with pytest.raises(RuntimeError, match="refused"):
        keycloak.system_token(secret="not-the-secret")
