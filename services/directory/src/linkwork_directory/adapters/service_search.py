"""The SQL behind `/services` and `/service_at_locations` filters (meanings in `domain/search.py`).

Distance search starts from the GiST index on location coordinates (`earth_box` around the postcode,
then the exact great-circle distance), so a query near one postcode touches only nearby locations
however large the directory; text search uses the GIN index on the service's search vector.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from linkwork_directory.adapters.service_reader import Connection
from linkwork_directory.domain.coverage import EVERYWHERE, area_of
from linkwork_directory.domain.search import ServiceQuery

# /service_at_locations nearest first without proximity looks this far: 1,000 km covers Great Britain.
UNBOUNDED_M = 1_000_000.0


class Params:
    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def _given(p: Params, *conditions: tuple[object | None, str]) -> list[str]:
    """The conditions of the filters given (not None), each with its value as the parameter `{}` stands for."""
    return [condition.format(p(value)) for value, condition in conditions if value is not None]


def _service_filters(query: ServiceQuery, p: Params) -> list[str]:
    where: list[str] = []
    if not query.include_withdrawn:
        # Withdrawing sets the ORUK status to inactive (and saving as active ends a withdrawal).
        where.append("s.status IN ('active', 'temporarily closed')")
    if query.text:
        where.append(f"s.search_vector @@ websearch_to_tsquery('english', {p(query.text)})")
    if query.taxonomy_term_ids:
        where.append(
            f"EXISTS (SELECT 1 FROM attribute a WHERE a.link_id = s.id"
            f" AND a.taxonomy_term_id = ANY({p(list(query.taxonomy_term_ids))}::uuid[]))"
        )
    where += _given(
        p,
        (
            query.taxonomy_id,
            "EXISTS (SELECT 1 FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id"
            " WHERE a.link_id = s.id AND t.taxonomy_id = {})",
        ),
        (query.organization_id, "s.organization_id = {}"),
        (query.minimum_age, "coalesce(s.minimum_age, 0) >= {}"),
        (query.maximum_age, "s.maximum_age IS NOT NULL AND s.maximum_age <= {}"),
        (query.age, "coalesce(s.minimum_age, 0) <= {0} AND (s.maximum_age IS NULL OR s.maximum_age >= {0})"),
    )
    session = _given(
        p,
        (query.day, "{} = ANY(sc.days)"),
        (query.start_time, "sc.opens_at >= {}"),
        (query.end_time, "sc.closes_at <= {}"),
    )
    if session:
        where.append(f"EXISTS (SELECT 1 FROM schedule sc WHERE sc.service_id = s.id AND {' AND '.join(session)})")
    return where


def _remote_clause(query: ServiceQuery, p: Params) -> str:
    """Online or telephone services available at the origin (see domain/coverage.py)."""
    assert query.origin is not None
    district = query.origin.district
    return f"s.remote_areas && ARRAY[{p(EVERYWHERE)}, {p(district)}, {p(area_of(district))}]::text[]"


@dataclass(frozen=True, slots=True)
class Hit:
    id: UUID
    distance_m: float | None
    service_id: UUID | None = None
    location_id: UUID | None = None


def services_sql(query: ServiceQuery, p: Params) -> tuple[str, str]:
    """The matching services (id, distance, name, rank) and their order."""
    where = _service_filters(query, p)
    filters = " AND ".join(where) or "true"
    if query.origin is None:
        rank = f"ts_rank(s.search_vector, websearch_to_tsquery('english', {p(query.text)}))" if query.text else "0"
        return (
            f"SELECT s.id, NULL::float8 AS distance, s.name, {rank} AS rank FROM service s WHERE {filters}",
            "rank DESC, name, id",
        )
    origin = f"ll_to_earth({p(query.origin.latitude)}, {p(query.origin.longitude)})"
    if query.proximity_m is None:
        # Nearest first with no limit: work out the distance of each service the other filters keep,
        # rather than of every location in the country.
        remote = f" OR ({_remote_clause(query, p)})" if query.include_remote else ""
        return (
            f"SELECT s.id, d.distance, s.name, 0 AS rank FROM service s"
            f" LEFT JOIN LATERAL (SELECT min(earth_distance(l.geo, {origin})) AS distance FROM service_at_location sal"
            f" JOIN location l ON l.id = sal.location_id WHERE sal.service_id = s.id AND l.geo IS NOT NULL) d ON true"
            f" WHERE {filters} AND (d.distance IS NOT NULL{remote})",
            "distance NULLS LAST, name, id",
        )
    radius = p(query.proximity_m)
    near = (
        f"SELECT sal.service_id, min(earth_distance(l.geo, {origin})) AS distance"
        f" FROM location l JOIN service_at_location sal ON sal.location_id = l.id"
        f" WHERE earth_box({origin}, {radius}) @> l.geo AND earth_distance(l.geo, {origin}) <= {radius}"
        f" GROUP BY sal.service_id"
    )
    # Materialised once: the located services, and the remote ones not already among them.
    sql = (
        f"WITH near AS MATERIALIZED ({near})"
        f" SELECT s.id, near.distance, s.name, 0 AS rank FROM near JOIN service s ON s.id = near.service_id"
        f" WHERE {filters}"
    )
    if query.include_remote:
        sql += (
            f" UNION ALL SELECT s.id, NULL::float8, s.name, 0 FROM service s"
            f" WHERE {filters} AND {_remote_clause(query, p)}"
            f" AND NOT EXISTS (SELECT 1 FROM near WHERE near.service_id = s.id)"
        )
    return sql, "distance NULLS LAST, name, id"


def locations_sql(query: ServiceQuery, p: Params) -> tuple[str, str]:
    where = _service_filters(query, p)
    distance = "NULL::float8"
    if query.origin is not None:
        origin = f"ll_to_earth({p(query.origin.latitude)}, {p(query.origin.longitude)})"
        radius = p(query.proximity_m or UNBOUNDED_M)
        distance = f"earth_distance(l.geo, {origin})"
        where.append(f"earth_box({origin}, {radius}) @> l.geo AND {distance} <= {radius}")
    sql = (
        f"SELECT sal.id, sal.service_id, sal.location_id, {distance} AS distance, s.name, sal.position"
        f" FROM service_at_location sal JOIN service s ON s.id = sal.service_id"
        f" JOIN location l ON l.id = sal.location_id"
        f" WHERE {' AND '.join(where) or 'true'}"
    )
    return sql, "distance NULLS LAST, name, position, id"


async def _page(conn: Connection, query: ServiceQuery, build: Any) -> tuple[list[Any], int]:
    p = Params()
    base, order = build(query, p)
    async with conn.transaction(readonly=True):
        # These queries touch a few hundred rows through indexes; handing them to parallel workers only
        # adds start-up time (and on a small shared machine, waits for a core).
        await conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        rows = await conn.fetch(
            f"SELECT *, count(*) OVER () AS total FROM ({base}) hits ORDER BY {order}"
            f" LIMIT {p(query.per_page)} OFFSET {p(query.offset)}",
            *p.values,
        )
    if rows:
        return list(rows), int(rows[0]["total"])
    if query.page == 1:
        return [], 0
    # A page past the end has no row to carry the total: count without paging.
    p = Params()
    base, _ = build(query, p)
    return [], int(await conn.fetchval(f"SELECT count(*) FROM ({base}) hits", *p.values))


async def search_services(conn: Connection, query: ServiceQuery) -> tuple[list[Hit], int]:
    rows, total = await _page(conn, query, services_sql)
    return [Hit(row["id"], row["distance"]) for row in rows], total


async def search_service_at_locations(conn: Connection, query: ServiceQuery) -> tuple[list[Hit], int]:
    rows, total = await _page(conn, query, locations_sql)
    return [Hit(row["id"], row["distance"], row["service_id"], row["location_id"]) for row in rows], total
