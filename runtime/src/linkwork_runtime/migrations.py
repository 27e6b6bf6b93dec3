"""Forward-only SQL migrations with a version table.

Each component (the shared runtime's messaging tables, then the service itself) keeps its own folder of
`NNN_description.sql` files; applied versions are recorded per component so numbering never collides.
A migration runs in one transaction with its version row, and an advisory lock stops two replicas
starting at once from applying the same file twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

_FILE_NAME = re.compile(r"^(\d+)_[\w-]+\.sql$")
_LOCK_KEY = 7_202_611  # any fixed number; only our migration runner takes this advisory lock


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    path: Path


def discover(component: str, folder: Path) -> list[Migration]:
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise ValueError(f"migration file {path} must be named NNN_description.sql")
        found.append(Migration(component, int(match.group(1)), path))
    versions = [m.version for m in found]
    if len(versions) != len(set(versions)):
        raise ValueError(f"duplicate migration versions in {folder}")
    return found


async def migrate(connection: asyncpg.Connection, components: dict[str, Path]) -> list[Migration]:
    """Apply every pending migration of each component, in order; return what was applied."""
    await connection.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await connection.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   component text NOT NULL, version int NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now(),
                   PRIMARY KEY (component, version))"""
        )
        applied: list[Migration] = []
        for component, folder in components.items():
            done = {
                row["version"]
                for row in await connection.fetch(
                    "SELECT version FROM schema_migrations WHERE component = $1", component
                )
            }
            for migration in discover(component, folder):
                if migration.version in done:
                    continue
                async with connection.transaction():
                    await connection.execute(migration.path.read_text())
                    await connection.execute(
                        "INSERT INTO schema_migrations (component, version) VALUES ($1, $2)",
                        component,
                        migration.version,
                    )
                applied.append(migration)
        return applied
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
