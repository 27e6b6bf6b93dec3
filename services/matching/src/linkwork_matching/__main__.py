"""`python -m linkwork_matching` runs the service (entrypoints/serve.py)."""

import sys

from linkwork_matching.entrypoints.serve import main

if __name__ == "__main__":
    sys.exit(main())
