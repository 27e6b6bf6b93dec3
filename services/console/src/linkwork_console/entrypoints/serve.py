"""`python -m linkwork_console` runs the console (port 8005 unless LINKWORK_HTTP_PORT says otherwise)."""

from __future__ import annotations

import sys

from linkwork_runtime.server import serve

from linkwork_console.app import build_app
from linkwork_console.settings import Settings


def main() -> int:
    settings = Settings()
    serve(build_app(settings), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
