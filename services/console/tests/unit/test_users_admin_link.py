"""The team page's link to user administration: the sign-in provider's own (no user store in linkwork)."""

from __future__ import annotations

import pytest
from linkwork_console.settings import Settings

pytestmark = pytest.mark.unit


def test_keycloak_s_admin_console_is_derived_from_the_issuer() -> None:
    settings = Settings(oidc_issuer="https://id.example.nhs.uk/realms/linkwork")
    assert settings.users_admin_link == "https://id.example.nhs.uk/admin/linkwork/console/#/linkwork/users"


def test_another_provider_s_admin_page_is_configured() -> None:
    entra = "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade"
    assert Settings(oidc_issuer="https://login.example/tenant/v2.0", users_admin_url=entra).users_admin_link == entra
    assert Settings(oidc_issuer="https://login.example/tenant/v2.0").users_admin_link is None
