"""`python -m linkwork_console` runs the console (entrypoints/serve.py)."""

import sys

from linkwork_console.entrypoints.serve import main

if __name__ == "__main__":
    sys.exit(main())
