"""`python -m linkwork_referral` runs the service;
`python -m linkwork_referral token --role link_worker --pcn U00001 --subject lw-1` prints a
development bearer token signed with the local HS256 secret (LINKWORK_JWT_SECRET)."""

from __future__ import annotations

import argparse
import sys

from linkwork_runtime.auth import Role, issue_token
from linkwork_runtime.server import serve

from linkwork_referral.app import build_app
from linkwork_referral.settings import Settings


def _token(arguments: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="python -m linkwork_referral token")
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--pcn", required=True, help="ODS code of the PCN, e.g. U00001")
    parser.add_argument("--subject", required=True, help="opaque user id, e.g. lw-1")
    parser.add_argument("--hours", type=int, default=8)
    options = parser.parse_args(arguments)
    if settings.jwks_url:
        print(
            "LINKWORK_JWKS_URL is set: this deployment only trusts RS256 tokens from its identity provider",
            file=sys.stderr,
        )
        return 2
    print(
        issue_token(
            settings.jwt_secret.get_secret_value(),
            subject=options.subject,
            role=options.role,
            pcn=options.pcn,
            lifetime_seconds=options.hours * 3600,
        )
    )
    return 0


def main() -> int:
    settings = Settings()
    if sys.argv[1:2] == ["token"]:
        return _token(sys.argv[2:], settings)
    if not settings.jwks_url:
        print(
            "development tokens: python -m linkwork_referral token --role link_worker --pcn U00001 --subject lw-1",
            file=sys.stderr,
        )
    serve(build_app(settings), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
