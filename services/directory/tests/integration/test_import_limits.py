"""Issue 15 [medium]: imports stream to disk with a hard cap; zip archives are checked for total uncompressed
size, member count and compression ratio before anything is inflated (zip bombs); a job left `running` by a
stopped process is marked failed at start-up."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.api.imports import MAX_COMPRESSION_RATIO, MAX_ZIP_MEMBERS

from .api_support import headers
from .conftest import RunningDirectory, running_directory

pytestmark = pytest.mark.integration


def _zip(files: dict[str, bytes]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, content in files.items():
            package.writestr(name, content)
    return archive.getvalue()


async def _post(directory: RunningDirectory, body: bytes, content_type: str = "application/zip") -> tuple[int, str]:
    response = await directory.client.post(
        "/imports", content=body, headers={**headers(), "content-type": content_type}
    )
    return response.status_code, response.text


async def test_zip_bombs_and_oversized_packages_are_refused_before_inflating(
    database_url: str, kafka_bootstrap: str, clock: SettableClock
) -> None:
    async with running_directory(
        database_url, kafka_bootstrap, clock, max_import_uncompressed_bytes=4 * 1024 * 1024
    ) as directory:
        bomb = _zip({"service.csv": b"0" * (50 * 1024 * 1024)})  # 50 MB of zeros in ~50 kB
        assert len(bomb) < 1024 * 1024
        status, text = await _post(directory, bomb)
        assert status == 413 and "at most" in text

        ratio = _zip({"service.csv": b"a" * (1024 * 1024)})  # under the total, far over the ratio
        status, text = await _post(directory, ratio)
        assert status == 413 and f"{MAX_COMPRESSION_RATIO}:1" in text

        many = _zip({f"f{i}.csv": b"id\n" for i in range(MAX_ZIP_MEMBERS + 1)})
        status, text = await _post(directory, many)
        assert status == 413 and "at most" in text
        assert await directory.pool.fetchval("SELECT count(*) FROM import_job") == 0


async def test_an_upload_over_the_cap_is_refused_while_streaming(
    database_url: str, kafka_bootstrap: str, clock: SettableClock
) -> None:
    async with running_directory(database_url, kafka_bootstrap, clock, max_import_bytes=64 * 1024) as directory:

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(64):
                yield b" " * 4096

        response = await directory.client.post(
            "/imports",
            content=chunks(),
            headers={**headers(), "content-type": "application/json"},
        )
        assert response.status_code == 413


async def test_a_job_left_running_by_a_stopped_process_is_failed_at_start_up(
    database_url: str, kafka_bootstrap: str, clock: SettableClock
) -> None:
    async with running_directory(database_url, kafka_bootstrap, clock) as directory:
        job_id = uuid4()
        await directory.pool.execute(
            "INSERT INTO import_job (id, status, source, requested_by, total, created_at)"
            " VALUES ($1, 'running', 'x.json', 'c-1', 10, now())",
            job_id,
        )
    async with running_directory(database_url, kafka_bootstrap, clock) as restarted:
        job = await restarted.client.get(f"/imports/{job_id}", headers=headers())
    assert job.status_code == 200
    assert job.json()["status"] == "failed" and "interrupted" in job.json()["error"]
