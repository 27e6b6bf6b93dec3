"""`python -m linkwork_directory.entrypoints.demo`: fill the directory with a realistic synthetic one.

By default about 2,000 services around linkwork's demo PCN in north-west Leeds (using the shipped
postcode sample, which is loaded too); `--spread national --count 100000` makes a national-scale
directory over English cities for benchmarks. Records go through the normal importer, so they are
validated, upserted by id (running it twice changes nothing) and published on service-changed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from datetime import UTC, datetime

from linkwork_directory.adapters import oruk_files
from linkwork_directory.adapters.clock import SystemClock
from linkwork_directory.adapters.demo.generator import DemoDirectory, sample_places, town_places
from linkwork_directory.adapters.oruk_format import OrukFormat
from linkwork_directory.adapters.outbox_sink import OutboxSink
from linkwork_directory.adapters.postcodes import load_onspd
from linkwork_directory.adapters.unit_of_work import unit_of_work_factory
from linkwork_directory.domain.importing import ImportReport
from linkwork_directory.entrypoints.cli_support import ProgressLine, database
from linkwork_directory.entrypoints.load_postcodes import SAMPLE
from linkwork_directory.service_layer.changes import seed_needs_taxonomy
from linkwork_directory.service_layer.imports import Importer
from linkwork_directory.service_layer.ports import Acting
from linkwork_directory.settings import Settings


async def fill(settings: Settings, *, count: int, seed: int, spread: str, batch_size: int) -> ImportReport:
    clock, sink = SystemClock(), OutboxSink(settings.event_source)
    async with database(settings.database_url) as pool:
        await load_onspd(pool, SAMPLE)
        units = unit_of_work_factory(pool)
        async with units() as uow:
            await seed_needs_taxonomy(uow, Acting(clock.now(), sink))
        places = sample_places(SAMPLE) if spread == "pcn" else town_places(random.Random(seed), max(50, count // 3))
        demo = DemoDirectory(count=count, seed=seed, today=datetime.now(UTC).date(), places=places)
        items = oruk_files.items_from_document(list(demo.services()), name="demo", kind="service")
        importer = Importer(units, clock=clock, sink=sink, oruk=OrukFormat(), batch_size=batch_size)
        return await importer.run(items, on_progress=ProgressLine("demo services"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m linkwork_directory.entrypoints.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--count", type=int, default=2000, help="how many services (default 2000)")
    parser.add_argument("--seed", type=int, default=7, help="the same seed gives the same directory")
    parser.add_argument(
        "--spread",
        choices=("pcn", "national"),
        default="pcn",
        help="around the demo PCN in Leeds, or over English cities",
    )
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--database-url", help="default: LINKWORK_DATABASE_URL")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    report = asyncio.run(
        fill(settings, count=args.count, seed=args.seed, spread=args.spread, batch_size=args.batch_size)
    )
    print("demo directory: " + ", ".join(f"{n} {outcome}" for outcome, n in report.counts().items()), file=sys.stderr)
    for record in report.rejected[:10]:
        print(f"rejected {record.source}: {'; '.join(record.errors)}", file=sys.stderr)
    return 1 if report.rejected else 0


if __name__ == "__main__":
    raise SystemExit(main())
