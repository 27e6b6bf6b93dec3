"""`python -m linkwork_referral` runs the service; `python -m linkwork_referral token ...` prints a development
token (entrypoints/serve.py)."""

import sys

from linkwork_referral.entrypoints.serve import main

if __name__ == "__main__":
    sys.exit(main())
