"""The sign-in provider's public signing keys (a JSON Web Key Set), fetched on demand and kept.

Keys are looked up by the token header's `kid`. An unknown `kid` usually means the provider rotated its keys,
so the set is fetched again, but at most once per `refetch_interval`: otherwise anyone could make every
request cost us a call to the provider just by inventing `kid`s.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import jwt

__all__ = ["JwksUnavailable", "SigningKeys", "UnknownSigningKey", "fetch_json"]

REFETCH_INTERVAL_SECONDS = 30.0
# While no key set has ever been fetched (the provider was down at our first request), try again sooner.
FIRST_FETCH_RETRY_SECONDS = 2.0


class UnknownSigningKey(Exception):
    """No key with the token's `kid` in the provider's key set."""


class JwksUnavailable(Exception):
    """The provider's key set could not be fetched, and no keys are known yet."""


def fetch_json(url: str, timeout: float = 5.0) -> dict[str, Any]:
    # urllib rather than an HTTP client library: it is what PyJWT itself uses, so no new dependency.
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data: dict[str, Any] = json.loads(response.read())
    return data


class SigningKeys:
    """RS256 signing keys by `kid` from the key set at `url`; thread-safe, as sync dependencies run in threads."""

    def __init__(
        self,
        url: str,
        *,
        fetch: Callable[[str], dict[str, Any]] = fetch_json,
        refetch_interval: float = REFETCH_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url, self._fetch, self._interval, self._clock = url, fetch, refetch_interval, clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._last_attempt: float | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def known(self, kid: str) -> bool:
        """Whether `key(kid)` answers from the keys already fetched (a dict lookup: safe without the lock)."""
        return kid in self._keys

    def key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            if kid in self._keys:
                return self._keys[kid]
            if self._may_fetch():
                self._refresh()
            if kid in self._keys:
                return self._keys[kid]
            if not self._keys:
                raise JwksUnavailable("the sign-in provider's signing keys could not be fetched")
            raise UnknownSigningKey("the token's signing key (kid) is not one of the sign-in provider's keys")

    def _may_fetch(self) -> bool:
        if self._last_attempt is None:
            return True
        wait = self._interval if self._keys else min(self._interval, FIRST_FETCH_RETRY_SECONDS)
        return self._clock() - self._last_attempt >= wait

    def _refresh(self) -> None:
        self._last_attempt = self._clock()
        self.fetches += 1
        try:
            document = self._fetch(self._url)
        except (OSError, ValueError):
            return  # keep the keys we have; `key()` says what is missing
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []):
            # Only RSA signature keys: Keycloak also publishes an encryption key, which must never verify anything.
            if entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig" or "kid" not in entry:
                continue
            if entry.get("alg", "RS256") != "RS256":
                continue
            try:
                keys[str(entry["kid"])] = jwt.PyJWK(entry, algorithm="RS256")
            except jwt.PyJWTError:
                continue
        if keys:
            self._keys = keys
