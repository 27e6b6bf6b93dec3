"""Forward-only migrations against a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from linkwork_runtime import messaging
from linkwork_runtime.migrations import discover, migrate

pytestmark = pytest.mark.integration


def _write(folder: Path, name: str, sql: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(sql)


async def test_applies_pending_migrations_once_and_in_order(database_url: str, tmp_path: Path) -> None:
    _write(tmp_path / "svc", "001_create.sql", "CREATE TABLE service (id int PRIMARY KEY, name text);")
    _write(tmp_path / "svc", "002_seed.sql", "INSERT INTO service VALUES (1, 'walking group');")
    connection = await asyncpg.connect(database_url)
    try:
        first = await migrate(connection, {"svc": tmp_path / "svc"})
        again = await migrate(connection, {"svc": tmp_path / "svc"})
        _write(tmp_path / "svc", "003_more.sql", "INSERT INTO service VALUES (2, 'art class');")
        third = await migrate(connection, {"svc": tmp_path / "svc"})
        names = await connection.fetch("SELECT name FROM service ORDER BY id")
        versions = await connection.fetch("SELECT component, version FROM schema_migrations ORDER BY version")
    finally:
        await connection.close()
    assert [m.version for m in first] == [1, 2]
    assert again == []
    assert [m.version for m in third] == [3]
    assert [r["name"] for r in names] == ["walking group", "art class"]
    assert [(r["component"], r["version"]) for r in versions] == [("svc", 1), ("svc", 2), ("svc", 3)]


async def test_failed_migration_leaves_nothing_half_applied(database_url: str, tmp_path: Path) -> None:
    _write(tmp_path / "svc", "001_bad.sql", "CREATE TABLE half (id int); SELECT no_such_function();")
    connection = await asyncpg.connect(database_url)
    try:
        with pytest.raises(asyncpg.PostgresError):
            await migrate(connection, {"svc": tmp_path / "svc"})
        exists = await connection.fetchval("SELECT to_regclass('half') IS NOT NULL")
        recorded = await connection.fetchval("SELECT count(*) FROM schema_migrations")
    finally:
        await connection.close()
    assert (exists, recorded) == (False, 0)


@pytest.mark.unit
def test_rejects_badly_named_and_duplicate_files(tmp_path: Path) -> None:
    _write(tmp_path / "a", "create.sql", "")
    with pytest.raises(ValueError, match=r"NNN_description\.sql"):
        discover("a", tmp_path / "a")
    _write(tmp_path / "b", "001_one.sql", "")
    _write(tmp_path / "b", "0001_two.sql", "")
    with pytest.raises(ValueError, match="duplicate"):
        discover("b", tmp_path / "b")


@pytest.mark.unit
def test_a_service_migrates_the_messaging_tables_before_its_own(tmp_path: Path) -> None:
    assert list(messaging.service_migrations("svc", tmp_path).items()) == [
        ("messaging", messaging.MIGRATIONS),
        ("svc", tmp_path),
    ]
