"""Each package's wheel holds every file it reads at run time, and each service starts from installed wheels.

The Dockerfiles install the packages non-editably (`pip install ./contracts ./runtime ./services/x`), so a
file left out of a wheel (a migration, a reference CSV, a bundled schema) breaks the container but never the
editable development install. This builds every wheel as pip does (`pip wheel --no-deps`, isolated build),
installs them into a fresh virtualenv, and starts each service from there against the test Kafka and
PostgreSQL until `/ready` answers.

The fresh virtualenv borrows its third-party dependencies (FastAPI, aiokafka, ...) from the development
virtualenv through a `.pth` line, so the test needs no downloads beyond the build backend; linkwork's own
packages come only from the wheels (the development install's editable hooks are `.pth` files of a folder
that is not a site folder there, so Python never runs them).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import sysconfig
import uuid
import zipfile
from pathlib import Path

import asyncpg
import httpx
import pytest
from linkwork_stack.databases import scratch_database
from linkwork_stack.ports import free_port

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
# Every package of the repository (a pyproject.toml with a src/ folder), so a new one is covered too.
PACKAGES = {
    next((project.parent / "src").glob("linkwork_*/__init__.py")).parent.name: project.parent
    for project in sorted([*REPO.glob("*/pyproject.toml"), *REPO.glob("*/*/pyproject.toml")])
    if (project.parent / "src").is_dir()
}
# The services: packages under services/ that run with `python -m`.
SERVICES = tuple(
    name.removeprefix("linkwork_")
    for name, folder in sorted(PACKAGES.items())
    if folder.parent.name == "services" and (folder / "src" / name / "__main__.py").exists()
)


def source_files(package: str) -> set[str]:
    """Every file of the package's source tree, as a path inside the wheel."""
    src = PACKAGES[package] / "src"
    return {
        path.relative_to(src).as_posix()
        for path in (src / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("wheels")
    sources = tmp_path_factory.mktemp("sources")
    for package, original in PACKAGES.items():
        # A clean copy: setuptools reuses an in-tree build/ folder, which would hide a file the config leaves out.
        source = sources / package
        shutil.copytree(original, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        # pip builds the package folder in an isolated environment, as the Dockerfiles' `pip install ./<package>`.
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-w", str(folder), "."],
            capture_output=True,
            text=True,
            check=False,
            cwd=source,
        )
        assert built.returncode == 0, f"building the {package} wheel failed:\n{built.stdout}\n{built.stderr}"
    found = {path.name.split("-")[0]: path for path in folder.glob("*.whl")}
    assert set(found) == set(PACKAGES), found
    assert {"linkwork_contracts", "linkwork_runtime", "linkwork_referral"} <= set(found)
    return found


@pytest.fixture(scope="module")
def installed(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding the wheels; returns its python."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
            *map(str, wheels.values()),
        ],
        check=True,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Third-party dependencies from the development virtualenv, after the wheels on sys.path.
    (Path(site) / "zz-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return python


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_the_wheel_holds_every_file_of_the_source_tree(package: str, wheels: dict[str, Path]) -> None:
    expected = {name for name in source_files(package) if not name.endswith(".pyc")}
    shipped = set(zipfile.ZipFile(wheels[package]).namelist())
    assert expected - shipped == set()


def test_linkwork_is_imported_from_the_wheels(installed: Path) -> None:
    where = subprocess.run(
        [str(installed), "-c", "import linkwork_referral, linkwork_runtime; print(linkwork_runtime.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=installed.parent,
    ).stdout.strip()
    assert Path(where).is_relative_to(installed.parent.parent), where


@pytest.mark.parametrize("service", SERVICES)
async def test_the_service_starts_from_the_installed_wheels(
    service: str, installed: Path, postgres_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    port = free_port()
    async with scratch_database(postgres_url) as database_url:
        env = {
            **os.environ,
            "LINKWORK_DATABASE_URL": database_url,
            "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "LINKWORK_HTTP_PORT": str(port),
            "LINKWORK_JWT_SECRET": "wheel-test-secret-of-at-least-32-bytes",
            "LINKWORK_PERSON_REF_SECRET": "wheel-test-person-ref-secret-of-32-bytes",
            # Own consumer groups and topics, so this never joins other tests' groups on the shared broker.
            "LINKWORK_CONSUMER_GROUP_PREFIX": f"wheel-{run}",
            "LINKWORK_CONSUMER_GROUP": f"wheel-{run}-{service}",
            "LINKWORK_TOPIC_PREFIX": f"wheel-{run}-",
            "PYTHONPATH": "",
        }
        if service == "console":
            # The wheel carries no npm packages: a deployment supplies the NHS.UK frontend assets (npm ci, as
            # `make install` does here) and names their folder.
            env["LINKWORK_ASSETS_DIR"] = str(REPO / "services/console/node_modules/nhsuk-frontend/dist/nhsuk")
        log = tmp_path / f"{service}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                str(installed), "-m", f"linkwork_{service}", env=env, cwd=tmp_path, stdout=out, stderr=out
            )
            try:
                ready = await _ready(f"http://127.0.0.1:{port}/ready", process)
                assert ready, f"{service} from its wheel never became ready:\n{log.read_text(errors='replace')}"
            finally:
                if process.returncode is None:
                    process.terminate()
                await asyncio.wait_for(process.wait(), 30)
        connection = await asyncpg.connect(database_url)
        try:
            # Migrations came from the wheels: the console's own sessions; for the others, the shared runtime's
            # outbox and inbox (the console sends and receives no events).
            tables = ("console_sessions",) if service == "console" else ("outbox", "inbox")
            for table in tables:
                assert await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", table), table
        finally:
            await connection.close()


async def _ready(url: str, process: asyncio.subprocess.Process, attempts: int = 240) -> bool:
    """Poll /ready until it answers 200, the process exits, or about two minutes pass."""
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(attempts):
            if process.returncode is not None:
                return False
            try:
                if (await client.get(url)).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    return False
