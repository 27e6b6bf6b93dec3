"""Finding [high]: public default secrets were accepted silently; a service now refuses them at start-up."""

from __future__ import annotations

import pytest
from linkwork_referral.app import build_app as build_referral
from linkwork_referral.settings import Settings as ReferralSettings
from linkwork_runtime.app import ServiceDefinition, create_app
from linkwork_runtime.secrets import InsecureSecretError, check_secrets, listens_only_on_loopback
from linkwork_runtime.settings import ServiceSettings

pytestmark = pytest.mark.unit
STRONG = "a-deployment-secret-of-at-least-32-bytes"


def _definition(settings: ServiceSettings) -> ServiceDefinition:
    return ServiceDefinition(name="example", description="test", settings=settings, migrations={})


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_hosts(host: str) -> None:
    assert listens_only_on_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.4", "referral.internal"])
def test_non_loopback_hosts(host: str) -> None:
    assert not listens_only_on_loopback(host)


def test_default_jwt_secret_refused_on_a_public_address() -> None:
    settings = ServiceSettings(http_host="0.0.0.0")
    with pytest.raises(InsecureSecretError, match="LINKWORK_JWT_SECRET") as refused:
        create_app(_definition(settings))
    assert settings.jwt_secret.get_secret_value() not in str(refused.value)


def test_short_secret_refused_on_a_public_address() -> None:
    with pytest.raises(InsecureSecretError, match="at least 32 bytes"):
        check_secrets(ServiceSettings(http_host="0.0.0.0", jwt_secret="short-but-not-default"))


def test_default_allowed_on_loopback_or_in_development() -> None:
    check_secrets(ServiceSettings(http_host="127.0.0.1"))
    check_secrets(ServiceSettings(http_host="0.0.0.0", env="development"))


def test_strong_secret_accepted_anywhere() -> None:
    create_app(_definition(ServiceSettings(http_host="0.0.0.0", jwt_secret=STRONG)))


def test_unused_jwt_secret_is_not_checked_when_a_key_set_is_configured() -> None:
    # An issuer goes with a key set URL (settings refuse one without the other).
    check_secrets(
        ServiceSettings(http_host="0.0.0.0", jwks_url="https://idp.example/jwks", jwt_issuer="https://idp.example/")
    )


def test_default_person_ref_key_refused_by_the_referral_service() -> None:
    settings = ReferralSettings(http_host="0.0.0.0", jwt_secret=STRONG)
    with pytest.raises(InsecureSecretError, match="LINKWORK_PERSON_REF_SECRET"):
        build_referral(settings)
    settings = ReferralSettings(http_host="0.0.0.0", jwt_secret=STRONG, person_ref_secret=STRONG + "-ref")
    build_referral(settings)
