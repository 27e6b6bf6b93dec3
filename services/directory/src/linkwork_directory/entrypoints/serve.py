"""`python -m linkwork_directory` runs the service."""

from linkwork_runtime.server import serve

from linkwork_directory.app import build_app
from linkwork_directory.settings import Settings


def main() -> int:
    settings = Settings()
    serve(build_app(settings), settings)
    return 0
