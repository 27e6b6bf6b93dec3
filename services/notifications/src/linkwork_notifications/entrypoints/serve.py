"""`python -m linkwork_notifications` runs the service."""

from linkwork_runtime.server import serve

from linkwork_notifications.app import build_app
from linkwork_notifications.settings import Settings


def main() -> int:
    settings = Settings()
    serve(build_app(settings), settings)
    return 0
