"""`python -m linkwork_outcomes` runs the service."""

from linkwork_runtime.server import serve

from linkwork_outcomes.app import build_app
from linkwork_outcomes.settings import Settings


def main() -> int:
    settings = Settings()
    serve(build_app(settings), settings)
    return 0
