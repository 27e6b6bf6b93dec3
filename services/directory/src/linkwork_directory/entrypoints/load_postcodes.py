"""`python -m linkwork_directory.entrypoints.load_postcodes load ONSPD.csv`: load the ONS Postcode Directory.

`load-sample` loads the small synthetic Leeds sample shipped for tests and the demo.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from linkwork_directory.adapters.postcodes import load_onspd
from linkwork_directory.entrypoints.cli_support import ProgressLine, database
from linkwork_directory.settings import Settings

SAMPLE = Path(__file__).parents[1] / "data" / "onspd_sample_leeds.csv"


async def load(path: Path, database_url: str) -> int:
    progress = ProgressLine(f"postcodes from {path.name}")
    async with database(database_url) as pool:
        loaded = await load_onspd(pool, path, on_progress=progress)
    print(f"loaded {loaded} postcodes from {path}", file=sys.stderr)
    return loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m linkwork_directory.entrypoints.load_postcodes", description=__doc__
    )
    commands = parser.add_subparsers(dest="command", required=True)
    load_command = commands.add_parser("load", help="load an ONSPD CSV file (the full directory or an extract)")
    load_command.add_argument("path", type=Path)
    commands.add_parser("load-sample", help="load the synthetic Leeds sample")
    parser.add_argument("--database-url", default=None, help="default: LINKWORK_DATABASE_URL")
    args = parser.parse_args(argv)
    url = args.database_url or Settings().database_url
    path = SAMPLE if args.command == "load-sample" else args.path
    asyncio.run(load(path, url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
