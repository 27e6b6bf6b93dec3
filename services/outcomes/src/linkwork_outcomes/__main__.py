"""`python -m linkwork_outcomes` runs the service (entrypoints/serve.py)."""

import sys

from linkwork_outcomes.entrypoints.serve import main

if __name__ == "__main__":
    sys.exit(main())
