"""Bulk import over HTTP (curator role): an ORUK JSON document or a zipped ORUK CSV package.

The import runs in the background; the answer names a job whose progress (records done of total)
and, when finished, per-record report are at `GET /imports/{id}`.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import PurePosixPath
from typing import Annotated, Any, cast
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from linkwork_runtime.auth import CurrentPrincipal, Role, require_role
from linkwork_runtime.problems import Problem

from linkwork_directory.adapters import oruk_csv, oruk_files, oruk_render
from linkwork_directory.adapters.oruk_files import KINDS
from linkwork_directory.api.runtime import Runtime
from linkwork_directory.domain.importing import ImportItem, Kind

router = APIRouter(tags=["curation"])


def _zip_package(body: bytes) -> tuple[list[ImportItem], list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as error:
        raise Problem(400, "Not a zip file", f"the body is not a zip archive: {error}") from error
    files: dict[str, str] = {}
    for info in archive.infolist():
        name = PurePosixPath(info.filename).name
        if info.is_dir() or not name.endswith(".csv"):
            continue
        try:
            files[name] = archive.read(info).decode("utf-8-sig")
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
) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    if runtime.jobs is None:
        raise Problem(503, "Imports unavailable", "this instance does not run imports")
    if kind is not None and kind not in KINDS:
        raise Problem(400, "Unknown kind", f"kind must be one of {', '.join(KINDS)}")
    declared = int(request.headers.get("content-length") or 0)
    if declared > runtime.settings.max_import_bytes:
        raise Problem(413, "Too large", f"imports over HTTP are limited to {runtime.settings.max_import_bytes} bytes")
    body = await request.body()
    if len(body) > runtime.settings.max_import_bytes:
        raise Problem(413, "Too large", f"imports over HTTP are limited to {runtime.settings.max_import_bytes} bytes")
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type in ("application/zip", "application/x-zip-compressed"):
        items, notes = _zip_package(body)
        source = "CSV package"
    elif content_type == "application/json":
        try:
            document = json.loads(body)
        except json.JSONDecodeError as error:
            raise Problem(400, "Not JSON", f"the body is not valid JSON: {error}") from error
        items, notes = oruk_files.items_from_document(document, name=name, kind=cast(Kind | None, kind)), []
        source = name
    else:
        raise Problem(415, "Unsupported media type", "send application/json (ORUK JSON) or application/zip (CSV)")
    job_id = await runtime.jobs.submit(items, source=source, requested_by=principal.subject, notes=notes)
    response.headers["Location"] = f"/imports/{job_id}"
    return {"id": str(job_id), "status": "running", "total": len(items), "done": 0}


@router.get("/imports/{id}", summary="An import's progress, and its report once finished")
async def get_import(id: UUID, runtime: Runtime, principal: CurrentPrincipal) -> dict[str, Any]:
    require_role(principal, Role.CURATOR)
    job = await runtime.jobs.get(id) if runtime.jobs else None
    if job is None:
        raise Problem(404, "Not found", f"no import with id {id}")
    body: dict[str, Any] = oruk_render.jsonable(job)
    body["percent"] = round(100 * job["done"] / job["total"]) if job["total"] else 100
    return body
