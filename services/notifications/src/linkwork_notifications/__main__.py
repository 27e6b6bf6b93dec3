"""`python -m linkwork_notifications` runs the service (entrypoints/serve.py)."""

import sys

from linkwork_notifications.entrypoints.serve import main

if __name__ == "__main__":
    sys.exit(main())
