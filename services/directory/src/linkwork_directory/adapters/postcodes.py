"""The postcode table: centroids of UK postcodes, loaded from the ONS Postcode Directory (ONSPD).

ONSPD is a CSV of every UK postcode, live and terminated, with one column per geography; column
names are stable across releases (`pcds`, `lat`, `long`, `doterm`, `lsoa21`/`lsoa11`, `oslaua`)
while their order is not, so columns are found by name. Postcodes without a grid reference carry
latitude 99.999999 in ONSPD and are skipped. The full file (about 2.7 million rows) is streamed and
loaded with COPY in chunks, and progress is reported as it goes.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

import asyncpg
from linkwork_contracts.geography import POSTCODE_DISTRICT_PATTERN, normalise_postcode

from linkwork_directory.adapters.service_reader import Connection
from linkwork_directory.domain.search import Origin

Centroid = tuple[float, float]
_POSTCODE_COLUMNS = ("pcds", "pcd2", "pcd")
_LSOA_COLUMNS = ("lsoa21", "lsoa11")
_AUTHORITY_COLUMNS = ("oslaua", "lad23cd", "lad")
CHUNK = 50_000


async def centroids(conn: Connection, postcodes: Iterable[str]) -> dict[str, Centroid]:
    wanted = sorted(set(postcodes))
    if not wanted:
        return {}
    rows = await conn.fetch(
        "SELECT postcode, latitude, longitude FROM postcode WHERE postcode = ANY($1::text[])", wanted
    )
    return {row["postcode"]: (row["latitude"], row["longitude"]) for row in rows}


async def centroid(conn: Connection, postcode: str) -> Centroid | None:
    found = await centroids(conn, [normalise_postcode(postcode)])
    return next(iter(found.values()), None)


def _column(header: list[str], names: tuple[str, ...], required: bool) -> str | None:
    lowered = {name.lower(): name for name in header}
    for name in names:
        if name in lowered:
            return lowered[name]
    if required:
        raise ValueError(f"the file has none of the columns {', '.join(names)}: is it the ONSPD CSV?")
    return None


def _termination(text: str) -> date | None:
    """ONSPD writes the termination month as yyyymm; empty for live postcodes."""
    text = text.strip()
    if len(text) == 6 and text.isdigit():
        return date(int(text[:4]), int(text[4:]), 1)
    return None


Row = tuple[str, float, float, str | None, str | None, date | None]


def read_onspd(file: TextIO) -> Iterator[Row]:
    reader = csv.DictReader(line for line in file if not line.startswith("#"))
    header = list(reader.fieldnames or [])
    code = _column(header, _POSTCODE_COLUMNS, required=True)
    lat = _column(header, ("lat",), required=True)
    long = _column(header, ("long",), required=True)
    lsoa = _column(header, _LSOA_COLUMNS, required=False)
    authority = _column(header, _AUTHORITY_COLUMNS, required=False)
    terminated = _column(header, ("doterm",), required=False)
    assert code and lat and long
    for record in reader:
        try:
            postcode = normalise_postcode(record[code])
            latitude, longitude = float(record[lat]), float(record[long])
        except (ValueError, TypeError):
            continue
        if not -90 <= latitude <= 90:  # ONSPD writes 99.999999 where a postcode has no grid reference
            continue
        yield (
            postcode,
            latitude,
            longitude,
            (record.get(lsoa) or None) if lsoa else None,
            (record.get(authority) or None) if authority else None,
            _termination(record.get(terminated) or "") if terminated else None,
        )


async def load_onspd(
    pool: asyncpg.Pool, path: Path, *, on_progress: Callable[[int], Awaitable[None]] | None = None
) -> int:
    """Upsert every postcode in an ONSPD CSV; returns how many rows were loaded."""
    loaded = 0
    with path.open(newline="", encoding="utf-8-sig") as file:
        rows = read_onspd(file)
        while True:
            chunk = [row for _, row in zip(range(CHUNK), rows, strict=False)]
            if not chunk:
                break
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("CREATE TEMP TABLE postcode_load (LIKE postcode INCLUDING DEFAULTS) ON COMMIT DROP")
                await conn.execute("ALTER TABLE postcode_load DROP COLUMN geo")
                await conn.copy_records_to_table(
                    "postcode_load",
                    records=chunk,
                    columns=["postcode", "latitude", "longitude", "lsoa", "local_authority", "terminated"],
                )
                await conn.execute(
                    """INSERT INTO postcode (postcode, latitude, longitude, lsoa, local_authority, terminated)
                       SELECT DISTINCT ON (postcode) postcode, latitude, longitude, lsoa, local_authority, terminated
                       FROM postcode_load
                       ON CONFLICT (postcode) DO UPDATE SET latitude = EXCLUDED.latitude,
                           longitude = EXCLUDED.longitude, lsoa = EXCLUDED.lsoa,
                           local_authority = EXCLUDED.local_authority, terminated = EXCLUDED.terminated"""
                )
            loaded += len(chunk)
            if on_progress is not None:
                await on_progress(loaded)
    return loaded


async def origin_of(conn: Connection, text: str) -> Origin | None:
    """Where a search is measured from: the postcode's centroid, or for a district ("LS6") or a postcode
    missing from the table, the mean of the district's postcodes. None if neither is known."""
    cleaned = " ".join(text.upper().split())
    try:
        postcode: str | None = normalise_postcode(cleaned)
    except ValueError:
        postcode = None
    if postcode is not None:
        row = await conn.fetchrow("SELECT latitude, longitude FROM postcode WHERE postcode = $1", postcode)
        district = postcode.split(" ")[0]
        if row is not None:
            return Origin(row["latitude"], row["longitude"], district)
    elif re.fullmatch(POSTCODE_DISTRICT_PATTERN, cleaned):
        district = cleaned
    else:
        return None
    row = await conn.fetchrow(
        "SELECT avg(latitude) AS latitude, avg(longitude) AS longitude FROM postcode"
        " WHERE postcode LIKE $1 AND terminated IS NULL",
        district + " %",
    )
    if row is None or row["latitude"] is None:
        return None
    return Origin(row["latitude"], row["longitude"], district)
