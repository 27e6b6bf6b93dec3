"""Refuses to start a service whose secrets are the public defaults or too short.

The defaults in the settings classes are in the repository, so anyone can read them: with the default JWT
secret they can mint a `pcn_admin` token, and with the default person_ref key they can reverse every
`person_ref` by hashing all NHS numbers. A default is tolerated only where nobody else can reach the service:
it listens on loopback only, or the operator says `LINKWORK_ENV=development`.
"""

from __future__ import annotations

import ipaddress

from pydantic import SecretStr

from linkwork_runtime.settings import ServiceSettings

MIN_SECRET_BYTES = 32
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class InsecureSecretError(RuntimeError):
    """Raised at start-up; the message names the setting and the rule, never the value."""


def listens_only_on_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name other than localhost: it may resolve to anything
        return False


def weak_secrets(settings: ServiceSettings) -> list[str]:
    """Names (`LINKWORK_...`) of the secret settings that are the shipped default or shorter than 32 bytes."""
    weak: list[str] = []
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if not isinstance(value, SecretStr):
            continue
        if name == "jwt_secret" and settings.jwks_url:
            continue  # with a key set URL only RS256 keys are trusted, so the HS256 secret is never used
        default = field.default
        is_default = isinstance(default, SecretStr) and default.get_secret_value() == value.get_secret_value()
        if is_default or len(value.get_secret_value().encode()) < MIN_SECRET_BYTES:
            weak.append(f"LINKWORK_{name.upper()}")
    return weak


def check_secrets(settings: ServiceSettings) -> None:
    """Raise `InsecureSecretError` if a weak secret would be reachable from beyond this machine."""
    weak = weak_secrets(settings)
    if not weak or settings.env == "development" or listens_only_on_loopback(settings.http_host):
        return
    raise InsecureSecretError(
        f"refusing to start: {', '.join(weak)} must be set to a secret of at least {MIN_SECRET_BYTES} bytes "
        f"that is not the shipped default (the service listens on {settings.http_host}, not only on loopback; "
        "set LINKWORK_ENV=development to allow it on a development machine)"
    )
