"""RS256 tokens through a JWKS, as the services check them in production, with keys made here.

The key set is served by a tiny local HTTP server (one test) or handed to `SigningKeys` as a fetch function
with a counter, so the rules can be shown exactly: issuer, audience, algorithm, unknown-kid refetch limit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from linkwork_runtime.auth import TokenVerifier, issue_token
from linkwork_runtime.jwks import SigningKeys
from linkwork_runtime.principal import Role
from linkwork_runtime.problems import Problem
from linkwork_runtime.settings import ServiceSettings
from pydantic import ValidationError

pytestmark = pytest.mark.unit

ISSUER = "http://127.0.0.1:8080/realms/linkwork"
AUDIENCE = "linkwork-services"
JWKS_URL = f"{ISSUER}/protocol/openid-connect/certs"
DEV_SECRET = "linkwork-development-secret-change-me"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Signer:
    """An RSA key pair with a `kid`, as a provider holds one."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self, **extra: str) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256", "n": _b64(numbers.n), "e": _b64(numbers.e)}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": kid or self.kid})


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": [AUDIENCE, "account"],
        "sub": "0c0a1e11-0000-4000-8000-000000000002",
        "iat": now,
        "exp": now + 300,
        "roles": ["link_worker", "default-roles-linkwork", "offline_access"],
        "pcn": "U00001",
        "icb": "QWO",
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


class KeySet:
    """The provider's published key set, with a fetch counter and a clock the test moves."""

    def __init__(self, *signers: Signer) -> None:
        self.signers = list(signers)
        self.fetches = 0
        self.now = 1000.0
        self.down = False

    def fetch(self, url: str) -> dict[str, Any]:
        assert url == JWKS_URL
        self.fetches += 1
        if self.down:
            raise OSError("connection refused")
        return {"keys": [signer.jwk() for signer in self.signers]}

    def verifier(self) -> TokenVerifier:
        settings = ServiceSettings(jwks_url=JWKS_URL, jwt_issuer=ISSUER, jwt_audience=AUDIENCE)
        return TokenVerifier(settings, SigningKeys(JWKS_URL, fetch=self.fetch, clock=lambda: self.now))


def _hs256_by_hand(payload: dict[str, Any], secret: bytes, kid: str) -> str:
    # PyJWT rightly refuses to make this token, so it is made by hand as an attacker would.
    def part(data: dict[str, Any]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")

    signing_input = part({"alg": "HS256", "typ": "JWT", "kid": kid}) + b"." + part(payload)
    signature = base64.urlsafe_b64encode(hmac.new(secret, signing_input, hashlib.sha256).digest()).rstrip(b"=")
    return (signing_input + b"." + signature).decode()


def refused(verifier: TokenVerifier, token: str, status: int = 401) -> str:
    with pytest.raises(Problem) as caught:
        verifier.verify(token)
    assert caught.value.status == status, caught.value.detail
    return caught.value.detail


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer("key-1")


def test_a_provider_token_gives_the_principal(signer: Signer) -> None:
    keys = KeySet(signer)
    principal = keys.verifier().verify(signer.sign(claims(org="B86001")))
    assert principal.subject == "0c0a1e11-0000-4000-8000-000000000002"
    assert (principal.role, principal.pcn, principal.organisation, principal.icb) == (
        Role.LINK_WORKER,
        "U00001",
        "B86001",
        "QWO",
    )
    assert keys.fetches == 1


def test_wrong_or_missing_issuer_and_audience_are_refused(signer: Signer) -> None:
    verifier = KeySet(signer).verifier()
    assert "issuer" in refused(verifier, signer.sign(claims(iss="http://127.0.0.1:8080/realms/other")))
    assert "Audience" in refused(verifier, signer.sign(claims(aud="account")))
    refused(verifier, signer.sign(claims(aud=None)))
    refused(verifier, signer.sign(claims(iss=None)))


def test_unsigned_and_hs256_tokens_are_refused_without_touching_the_key_set(signer: Signer) -> None:
    keys = KeySet(signer)
    verifier = keys.verifier()
    unsigned = jwt.encode(claims(), None, algorithm="none", headers={"kid": signer.kid})
    assert "RS256" in refused(verifier, unsigned)
    # The development secret is worthless once a key set is configured.
    development = issue_token(DEV_SECRET, subject="lw-1", role="link_worker", pcn="U00001", audience=AUDIENCE)
    assert "RS256" in refused(verifier, development)
    # Key confusion: HS256 with the provider's public key as the secret.
    confused = _hs256_by_hand(claims(), signer.public_pem(), signer.kid)
    assert "RS256" in refused(verifier, confused)
    assert keys.fetches == 0


def test_a_forged_signature_expired_token_and_missing_kid_are_refused(signer: Signer) -> None:
    verifier = KeySet(signer).verifier()
    impostor = Signer(signer.kid)
    assert "Signature" in refused(verifier, impostor.sign(claims()))
    assert "expired" in refused(verifier, signer.sign(claims(exp=int(time.time()) - 60, iat=int(time.time()) - 400)))
    no_kid = jwt.encode(claims(), signer.private, algorithm="RS256")
    assert "kid" in refused(verifier, no_kid)


def test_unknown_kid_refetches_at_most_once_per_30_seconds(signer: Signer) -> None:
    keys = KeySet(signer)
    verifier = keys.verifier()
    verifier.verify(signer.sign(claims()))
    assert keys.fetches == 1
    stranger = Signer("invented")
    refused(verifier, stranger.sign(claims()))
    assert keys.fetches == 1  # the set was fetched less than 30 s ago
    keys.now += 30
    for _ in range(20):
        refused(verifier, stranger.sign(claims()))
    assert keys.fetches == 2  # the first unknown kid refetched; the next 19 within 30 s did not
    # The provider rotates to a new key: it is found at the first refetch allowed after the interval.
    rotated = Signer("key-2")
    keys.signers.append(rotated)
    keys.now += 29
    refused(verifier, rotated.sign(claims()))
    assert keys.fetches == 2
    keys.now += 1
    assert verifier.verify(rotated.sign(claims())).role is Role.LINK_WORKER
    assert keys.fetches == 3
    # Known keys never cost a fetch.
    for _ in range(5):
        verifier.verify(signer.sign(claims()))
    assert keys.fetches == 3


def test_provider_down_at_first_request_is_503_and_retried_soon(signer: Signer) -> None:
    keys = KeySet(signer)
    keys.down = True
    verifier = keys.verifier()
    assert refused(verifier, signer.sign(claims()), status=503)
    refused(verifier, signer.sign(claims()), status=503)
    assert keys.fetches == 1
    keys.down = False
    keys.now += 2
    assert verifier.verify(signer.sign(claims())).pcn == "U00001"


def test_encryption_and_non_rsa_keys_in_the_set_are_ignored(signer: Signer) -> None:
    encryption = Signer("enc-1")

    def fetch(url: str) -> dict[str, Any]:
        return {"keys": [encryption.jwk() | {"use": "enc", "alg": "RSA-OAEP"}, signer.jwk()]}

    settings = ServiceSettings(jwks_url=JWKS_URL, jwt_issuer=ISSUER, jwt_audience=AUDIENCE)
    verifier = TokenVerifier(settings, SigningKeys(JWKS_URL, fetch=fetch))
    assert verifier.verify(signer.sign(claims())).role is Role.LINK_WORKER
    refused(verifier, encryption.sign(claims()))


def test_roles_and_pcn_rules(signer: Signer) -> None:
    verifier = KeySet(signer).verifier()
    assert "several" in refused(verifier, signer.sign(claims(roles=["link_worker", "pcn_admin"])), status=403)
    assert "no linkwork role" in refused(verifier, signer.sign(claims(roles=["offline_access"])))
    assert "pcn" in refused(verifier, signer.sign(claims(pcn=None)))
    commissioner = verifier.verify(signer.sign(claims(roles=["commissioner"], pcn=None)))
    assert (commissioner.role, commissioner.pcn, commissioner.icb) == (Role.COMMISSIONER, "", "QWO")
    assert verifier.verify(signer.sign(claims(roles=None, role="curator", pcn=None))).role is Role.CURATOR
    # A referrer serving many PCNs (hospital, council) names none: its referrals go by the person's practice.
    assert verifier.verify(signer.sign(claims(roles=["referrer"], pcn=None))).pcn == ""


def test_a_key_set_url_needs_an_issuer() -> None:
    with pytest.raises(ValidationError, match="LINKWORK_JWT_ISSUER"):
        ServiceSettings(jwks_url=JWKS_URL)


def test_development_hs256_still_works_without_a_key_set() -> None:
    verifier = TokenVerifier(ServiceSettings(jwt_secret=DEV_SECRET))  # type: ignore[arg-type]
    token = issue_token(DEV_SECRET, subject="lw-1", role="link_worker", pcn="U00001")
    assert verifier.verify(token).subject == "lw-1"


@pytest.fixture
def jwks_server(signer: Signer) -> Iterator[tuple[str, list[str]]]:
    """The key set over real HTTP, recording each request's path."""
    requests: list[str] = []
    body = json.dumps({"keys": [signer.jwk()]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/certs", requests
    finally:
        server.shutdown()
        server.server_close()


def test_keys_fetched_over_http_once(signer: Signer, jwks_server: tuple[str, list[str]]) -> None:
    url, requests = jwks_server
    verifier = TokenVerifier(ServiceSettings(jwks_url=url, jwt_issuer=ISSUER, jwt_audience=AUDIENCE))
    for _ in range(3):
        assert verifier.verify(signer.sign(claims())).pcn == "U00001"
    assert requests == ["/certs"]
