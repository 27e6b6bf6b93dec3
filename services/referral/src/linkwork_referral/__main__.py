"""`python -m linkwork_referral` runs the service."""

from linkwork_runtime.server import serve

from linkwork_referral.app import build_app
from linkwork_referral.settings import Settings

if __name__ == "__main__":
    settings = Settings()
    serve(build_app(settings), settings)
