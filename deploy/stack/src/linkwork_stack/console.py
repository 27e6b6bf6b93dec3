"""The console (the web app) as a process beside the services: one place that says how it is configured, used
by `linkwork-stack run` and the browser tests."""

from __future__ import annotations

from linkwork_stack.keycloak import CONSOLE_CLIENT_SECRET
from linkwork_stack.services import ServiceProcess


def console_process(port: int, database_url: str, issuer: str, service_urls: dict[str, str]) -> ServiceProcess:
    """The console signing people in at `issuer` and calling the services at `service_urls` (name -> URL)."""
    return ServiceProcess(
        "console",
        port,
        {
            "LINKWORK_DATABASE_URL": database_url,
            "LINKWORK_HTTP_PORT": str(port),
            "LINKWORK_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "LINKWORK_OIDC_ISSUER": issuer,
            # Development only: the committed realm's secret for the console client.
            "LINKWORK_OIDC_CLIENT_SECRET": CONSOLE_CLIENT_SECRET,
            **{f"LINKWORK_{name.upper()}_URL": url for name, url in service_urls.items()},
        },
    )
