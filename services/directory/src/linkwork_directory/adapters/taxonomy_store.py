"""Reading taxonomies and their terms (the `taxonomy` and `taxonomy_term` tables); writing them is
service_writer's. Pages come back with the total count, as ORUK's paginated lists report it."""

from __future__ import annotations

from uuid import UUID

from linkwork_directory.adapters.service_reader import Executor
from linkwork_directory.domain.oruk import Taxonomy, TaxonomyTerm

_TAXONOMY_COLUMNS = "id, name, description, uri, version"
_TERM_COLUMNS = "id, name, description, parent_id, taxonomy, taxonomy_id, term_uri, term"


async def taxonomy(db: Executor, taxonomy_id: UUID) -> Taxonomy | None:
    """The taxonomy without its terms."""
    row = await db.fetchrow(f"SELECT {_TAXONOMY_COLUMNS} FROM taxonomy WHERE id = $1", taxonomy_id)
    return Taxonomy(**dict(row)) if row else None


async def taxonomy_page(db: Executor, *, limit: int, offset: int) -> tuple[list[Taxonomy], int]:
    rows = await db.fetch(
        f"SELECT {_TAXONOMY_COLUMNS}, count(*) OVER () AS total FROM taxonomy ORDER BY name, id LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    total = rows[0]["total"] if rows else int(await db.fetchval("SELECT count(*) FROM taxonomy"))
    return [Taxonomy(**{k: v for k, v in r.items() if k != "total"}) for r in rows], total


async def terms_of(db: Executor, taxonomy_id: UUID) -> list[TaxonomyTerm]:
    rows = await db.fetch(
        f"SELECT {_TERM_COLUMNS} FROM taxonomy_term WHERE taxonomy_id = $1 ORDER BY name, id", taxonomy_id
    )
    return [TaxonomyTerm(**dict(r)) for r in rows]


async def term_page(
    db: Executor, *, limit: int, offset: int, taxonomy_id: UUID | None
) -> tuple[list[TaxonomyTerm], int]:
    """Terms of every taxonomy, or of one."""
    rows = await db.fetch(
        f"SELECT {_TERM_COLUMNS}, count(*) OVER () AS total FROM taxonomy_term"
        " WHERE $3::uuid IS NULL OR taxonomy_id = $3 ORDER BY taxonomy, name, id LIMIT $1 OFFSET $2",
        limit,
        offset,
        taxonomy_id,
    )
    total = (
        rows[0]["total"]
        if rows
        else int(
            await db.fetchval(
                "SELECT count(*) FROM taxonomy_term WHERE $1::uuid IS NULL OR taxonomy_id = $1", taxonomy_id
            )
        )
    )
    return [TaxonomyTerm(**{k: v for k, v in r.items() if k != "total"}) for r in rows], total


async def term(db: Executor, term_id: UUID) -> TaxonomyTerm | None:
    row = await db.fetchrow(f"SELECT {_TERM_COLUMNS} FROM taxonomy_term WHERE id = $1", term_id)
    return TaxonomyTerm(**dict(row)) if row else None
