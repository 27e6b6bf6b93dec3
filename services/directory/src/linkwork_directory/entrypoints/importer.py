"""`python -m linkwork_directory.entrypoints.importer PATH...`: bulk import of ORUK JSON files and CSV packages.

Each PATH is an ORUK JSON file (`*_full.json`, `*_list.json`, a single record or an array), a
folder holding an ORUK CSV package, or a zip of one. Records are upserted by id; the report lists
every record with its outcome, and the reasons for any rejected. Progress goes to stderr; the exit
status is 1 when any record was rejected. Changed services are queued in the outbox and published
to `service-changed` by the running directory service.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import zipfile
from pathlib import Path, PurePosixPath

from linkwork_directory.adapters import oruk_csv, oruk_files
from linkwork_directory.adapters.clock import SystemClock
from linkwork_directory.adapters.oruk_format import OrukFormat
from linkwork_directory.adapters.outbox_sink import OutboxSink
from linkwork_directory.adapters.unit_of_work import unit_of_work_factory
from linkwork_directory.domain.importing import ImportItem, ImportReport, Kind
from linkwork_directory.entrypoints.cli_support import ProgressLine, database
from linkwork_directory.service_layer.changes import seed_needs_taxonomy
from linkwork_directory.service_layer.imports import Importer
from linkwork_directory.service_layer.ports import Acting
from linkwork_directory.settings import Settings


def read_items(path: Path, kind: Kind | None) -> tuple[list[ImportItem], list[str]]:
    if path.is_dir():
        package = oruk_csv.read_folder(path)
        return oruk_csv.items_from_package(package), package.notes
    if path.suffix == ".zip":
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
            files = {
                PurePosixPath(i.filename).name: archive.read(i).decode("utf-8-sig")
                for i in archive.infolist()
                if i.filename.endswith(".csv")
            }
        package = oruk_csv.read_package(files)
        return oruk_csv.items_from_package(package), package.notes
    return oruk_files.items_from_file(path, kind=kind), []


async def run(paths: list[Path], *, kind: Kind | None, settings: Settings, batch_size: int) -> ImportReport:
    items: list[ImportItem] = []
    notes: list[str] = []
    for path in paths:
        found, file_notes = read_items(path, kind)
        items += found
        notes += file_notes
    clock, sink = SystemClock(), OutboxSink(settings.event_source)
    async with database(settings.database_url) as pool:
        units = unit_of_work_factory(pool)
        async with units() as uow:
            await seed_needs_taxonomy(uow, Acting(clock.now(), sink))
        importer = Importer(units, clock=clock, sink=sink, oruk=OrukFormat(), batch_size=batch_size)
        report = await importer.run(items, on_progress=ProgressLine("records imported"))
    report.notes[:0] = notes
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m linkwork_directory.entrypoints.importer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--kind", choices=oruk_files.KINDS, help="what JSON files hold, if names and shapes do not say")
    parser.add_argument("--report", type=Path, help="write the full report here as JSON (default: stdout)")
    parser.add_argument("--database-url", help="default: LINKWORK_DATABASE_URL")
    parser.add_argument("--batch-size", type=int, default=200, help="records per transaction")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    report = asyncio.run(run(args.paths, kind=args.kind, settings=settings, batch_size=args.batch_size))
    text = json.dumps(report.as_dict(), indent=2)
    if args.report:
        args.report.write_text(text)
    else:
        print(text)
    print("summary: " + ", ".join(f"{n} {outcome}" for outcome, n in report.counts().items()), file=sys.stderr)
    return 1 if report.rejected else 0


if __name__ == "__main__":
    raise SystemExit(main())
