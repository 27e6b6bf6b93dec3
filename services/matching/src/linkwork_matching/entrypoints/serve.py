"""`python -m linkwork_matching` runs the service."""

from linkwork_runtime.server import serve

from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings


def main() -> int:
    settings = Settings()
    serve(build_app(settings), settings)
    return 0
