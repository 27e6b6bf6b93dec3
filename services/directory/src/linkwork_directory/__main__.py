"""`python -m linkwork_directory` runs the service (entrypoints/serve.py)."""

import sys

from linkwork_directory.entrypoints.serve import main

if __name__ == "__main__":
    sys.exit(main())
