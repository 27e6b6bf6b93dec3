"""Bulk import over HTTP (curator role): an ORUK JSON document or a zipped ORUK CSV package.

The import runs in the background; the answer names a job whose progress (records done of total)
and, when finished, per-record report are at `GET /imports/{id}`.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import PurePosixPath
from typing import IO, Annotated, Any, cast
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from linkwork_runtime.auth import CurrentPrincipal, Role, require_role
from linkwork_runtime.problems import Problem

from linkwork_directory.adapters import oruk_csv, oruk_files, oruk_render
from linkwork_directory.adapters.oruk_files import KINDS
from linkwork_directory.api.ids import not_found
from linkwork_directory.api.runtime import Runtime
from linkwork_directory.domain.importing import ImportItem, Kind

router = APIRouter(tags=["curation"])


# Zip bombs: a few kilobytes that inflate to gigabytes. An ORUK CSV package is a dozen files of text; text
# deflates by 5-20x, so a far higher ratio, too many members or too large a total is refused before inflating.
MAX_ZIP_MEMBERS = 64
MAX_COMPRESSION_RATIO = 200


def _zip_package(body: IO[bytes], max_uncompressed: int) -> tuple[list[ImportItem], list[str]]:
    try:
        archive = zipfile.ZipFile(body)
    except zipfile.BadZipFile as error:
        raise Problem(400, "Not a zip file", f"the body is not a zip archive: {error}") from error
    members = [
        info for info in archive.infolist() if not info.is_dir() and PurePosixPath(info.filename).name.endswith(".csv")
    ]
    if len(archive.infolist()) > MAX_ZIP_MEMBERS:
        raise Problem(413, "Too many files", f"a CSV package holds at most {MAX_ZIP_MEMBERS} files")
    if sum(info.file_size for info in members) > max_uncompressed:
        raise Problem(413, "Too large", f"the CSV files of a package may total at most {max_uncompressed} bytes")
    for info in members:
        if info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise Problem(
                413, "Suspicious compression", f"a file compressed more than {MAX_COMPRESSION_RATIO}:1 is refused"
            )
    files: dict[str, str] = {}
    remaining = max_uncompressed
    for info in members:
        name = PurePosixPath(info.filename).name
        # The sizes in the directory are the archive's own claim: read no more than is left of the budget.
        with archive.open(info) as member:
            raw = member.read(remaining + 1)
        if len(raw) > remaining:
            raise Problem(413, "Too large", f"the CSV files of a package may total at most {max_uncompressed} bytes")
        remaining -= len(raw)
        try:
            files[name] = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise Problem(400, "Not UTF-8", f"{name} is not UTF-8 text") from error
    package = oruk_csv.read_package(files)
    return oruk_csv.items_from_package(package), package.notes


@router.post("/imports", status_code=202, summary="Import ORUK JSON or a zipped ORUK CSV package (upsert by id)")
async def start_import(
    request: Request,
    runtime: Runtime,
    principal: CurrentPrincipal,
    response: Response,
    kind: Annotated[str | None, Query(description="What the JSON holds, if its shape does not say")] = None,
    name: Annotated[str, Query(description="A file name for the report, e.g. service_list.json")] = "upload.json",
    directory: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Which directory the records come from (e.g. a council's); duplicates are looked for "
            "between directories. The file name when not given.",
        ),
    ] = None,
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    if runtime.jobs is None:
        raise Problem(503, "Imports unavailable", "this instance does not run imports")
    if kind is not None and kind not in KINDS:
        raise Problem(400, "Unknown kind", f"kind must be one of {', '.join(KINDS)}")
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in ("application/zip", "application/x-zip-compressed", "application/json"):
        raise Problem(415, "Unsupported media type", "send application/json (ORUK JSON) or application/zip (CSV)")
    with tempfile.TemporaryFile() as body:
        await _spool(request.stream(), body, runtime.settings.max_import_bytes)
        items, notes, source = _read(body, content_type, name, kind, runtime.settings.max_import_uncompressed_bytes)
    job_id = await runtime.jobs.submit(
        items,
        source=source,
        requested_by=principal,
        notes=notes,
        directory=directory,
    )
    response.headers["Location"] = f"/imports/{job_id}"
    return {"id": str(job_id), "status": "running", "total": len(items), "done": 0}


async def _spool(chunks: AsyncIterator[bytes], into: IO[bytes], limit: int) -> None:
    """Write the body to disk as it arrives (not to memory), refusing it past `limit` bytes."""
    written = 0
    async for chunk in chunks:
        written += len(chunk)
        if written > limit:
            raise Problem(413, "Too large", f"imports over HTTP are limited to {limit} bytes")
        into.write(chunk)
    into.seek(0)


def _read(
    body: IO[bytes], content_type: str, name: str, kind: str | None, max_uncompressed: int
) -> tuple[list[ImportItem], list[str], str]:
    if content_type != "application/json":
        items, notes = _zip_package(body, max_uncompressed)
        return items, notes, "CSV package"
    try:
        document = json.load(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise Problem(400, "Not JSON", f"the body is not valid JSON: {error}") from error
    return oruk_files.items_from_document(document, name=name, kind=cast(Kind | None, kind)), [], name


@router.get("/imports", summary="The latest imports, newest first (progress only; reports at /imports/{id})")
async def list_imports(
    runtime: Runtime, principal: CurrentPrincipal, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    jobs = await runtime.jobs.recent(limit) if runtime.jobs else []
    return {"imports": [oruk_render.jsonable(job) for job in jobs]}


@router.get("/imports/{id}", summary="An import's progress, and its report once finished")
async def get_import(id: UUID, runtime: Runtime, principal: CurrentPrincipal) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    job = await runtime.jobs.get(id) if runtime.jobs else None
    if job is None:
        raise not_found("import", id)
    body: dict[str, Any] = oruk_render.jsonable(job)
    body["percent"] = round(100 * job["done"] / job["total"]) if job["total"] else 100
    return body
