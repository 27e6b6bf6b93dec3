"""Settings of the console, each read from `LINKWORK_<FIELD NAME IN CAPITALS>`.

The console owns no business data: its database holds only sign-in sessions. It reaches the other services
over HTTP with the signed-in person's own access token.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from linkwork_runtime.settings import Port, ServiceSettings
from pydantic import Field, SecretStr

# `make install` runs `npm ci` in services/console, which puts the NHS.UK frontend here.
ASSETS = Path(__file__).resolve().parents[2] / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


class Settings(ServiceSettings):
    database_url: str = "postgresql://postgres@127.0.0.1:55432/console"
    http_port: Port = 8005
    public_url: str = Field(
        default="http://127.0.0.1:8005",
        description="LINKWORK_PUBLIC_URL: the console's address as browsers see it (redirect URIs, cookie security)",
    )
    oidc_issuer: str = Field(
        default="http://127.0.0.1:8080/realms/linkwork",
        description="LINKWORK_OIDC_ISSUER: the OpenID Connect provider's issuer; discovery is read from "
        "<issuer>/.well-known/openid-configuration",
    )
    oidc_client_id: str = Field(default="linkwork-console", description="LINKWORK_OIDC_CLIENT_ID")
    oidc_client_secret: SecretStr | None = Field(
        default=None,
        description="LINKWORK_OIDC_CLIENT_SECRET: only for a confidential client; PKCE protects a public one",
    )
    oidc_scope: str = Field(default="openid profile email", description="LINKWORK_OIDC_SCOPE")
    referral_url: str = Field(default="http://127.0.0.1:8001", description="LINKWORK_REFERRAL_URL")
    directory_url: str = Field(default="http://127.0.0.1:8002", description="LINKWORK_DIRECTORY_URL")
    matching_url: str = Field(default="http://127.0.0.1:8003", description="LINKWORK_MATCHING_URL")
    outcomes_url: str = Field(default="http://127.0.0.1:8004", description="LINKWORK_OUTCOMES_URL")
    notifications_url: str = Field(default="http://127.0.0.1:8006", description="LINKWORK_NOTIFICATIONS_URL")
    session_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="LINKWORK_SESSION_IDLE_MINUTES: sign out after this long unused"
    )
    session_max_hours: int = Field(
        default=10, ge=1, le=24, description="LINKWORK_SESSION_MAX_HOURS: sign out this long after signing in"
    )
    assets_dir: Path = Field(default=ASSETS, description="LINKWORK_ASSETS_DIR: the nhsuk-frontend dist/nhsuk folder")
    upstream_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    users_admin_url: str | None = Field(
        default=None,
        description="LINKWORK_USERS_ADMIN_URL: where a PCN manager adds and removes people (the sign-in provider's "
        "user admin; linkwork keeps no user store). Unset: Keycloak's, derived from LINKWORK_OIDC_ISSUER",
    )

    @property
    def users_admin_link(self) -> str | None:
        """The user admin page: as configured, else Keycloak's admin console for the issuer's realm."""
        if self.users_admin_url:
            return self.users_admin_url
        base, marker, realm = self.oidc_issuer.rstrip("/").rpartition("/realms/")
        return f"{base}/admin/{realm}/console/#/{realm}/users" if marker and realm else None

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure unless the console is served on a loopback address (local development
        over plain HTTP, where a Secure cookie would never be sent back)."""
        return (urlsplit(self.public_url).hostname or "") not in LOOPBACK_HOSTS
