"""Writing resolved ORUK records to PostgreSQL. Callers hold the transaction (or savepoint).

Child collections are owned by their parent and rewritten whole (delete, then insert in order), so a
child id that already belongs to another record fails on its primary key and the caller rejects the
record instead of silently moving the child over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from linkwork_directory.adapters.service_reader import SERVICE_COLUMNS, Connection
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.coverage import remote_coverage
from linkwork_directory.domain.merging import Resolved
from linkwork_directory.domain.oruk import Attribute, Location, Organization, Service, Taxonomy, TaxonomyTerm


class _HasId(Protocol):
    @property
    def id(self) -> UUID: ...


R = TypeVar("R", bound=_HasId)


def _row(model: Any, columns: Sequence[str], **extra: Any) -> tuple[Any, ...]:
    values = {**{column: getattr(model, column) for column in columns if column not in extra}, **extra}
    return tuple(values[column] for column in columns)


async def _insert(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    await conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


async def _replace_owned(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    owners: Sequence[R],
    owner_column: str,
    children: Callable[[R], Sequence[Any]],
) -> None:
    """Rewrite each owner's children of one kind whole, in their order: a row of the child's fields, its owner's
    id in `owner_column` and its place in the list as `position`."""
    await conn.execute(f"DELETE FROM {table} WHERE {owner_column} = ANY($1::uuid[])", [owner.id for owner in owners])
    rows = [
        _row(child, columns, **{owner_column: owner.id}, position=n)
        for owner in owners
        for n, child in enumerate(children(owner))
    ]
    await _insert(conn, table, columns, rows)


async def _upsert(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c != "id")
    await conn.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({placeholders}) ON CONFLICT (id) DO UPDATE SET {updates}", rows
    )


TERM_COLUMNS = ("id", "name", "description", "parent_id", "taxonomy", "taxonomy_id", "term_uri", "term")
TAXONOMY_COLUMNS = ("id", "name", "description", "uri", "version")
ORGANIZATION_COLUMNS = ("id", "name", "description", "email", "website", "logo", "uri", "parent_organization_id")
LOCATION_COLUMNS = (
    "id",
    "location_type",
    "name",
    "description",
    "latitude",
    "longitude",
    "external_identifier",
    "external_identifier_type",
)


async def write_terms(conn: Connection, terms: Iterable[TaxonomyTerm]) -> None:
    await _upsert(conn, "taxonomy_term", TERM_COLUMNS, [_row(t, TERM_COLUMNS) for t in terms])


async def write_taxonomy(conn: Connection, taxonomy: Taxonomy) -> None:
    await _upsert(conn, "taxonomy", TAXONOMY_COLUMNS, [_row(taxonomy, TAXONOMY_COLUMNS)])
    await write_terms(conn, taxonomy.taxonomy_terms)


async def _replace_attributes(
    conn: Connection, owners: list[UUID], attributes: list[tuple[UUID, list[Attribute]]]
) -> None:
    await conn.execute("DELETE FROM attribute WHERE link_id = ANY($1::uuid[])", owners)
    rows = [
        (a.id, owner, a.link_type, position, a.term_id)
        for owner, group in attributes
        for position, a in enumerate(group)
    ]
    await _insert(conn, "attribute", ("id", "link_id", "link_type", "position", "taxonomy_term_id"), rows)


async def write_organizations(conn: Connection, organizations: Sequence[Organization]) -> None:
    if not organizations:
        return
    ids = [o.id for o in organizations]
    await _upsert(conn, "organization", ORGANIZATION_COLUMNS, [_row(o, ORGANIZATION_COLUMNS) for o in organizations])
    columns = ("id", "organization_id", "position", "identifier_scheme", "identifier_type", "identifier")
    await _replace_owned(
        conn, "organization_identifier", columns, organizations, "organization_id", lambda o: o.organization_identifiers
    )
    await _replace_attributes(conn, ids, [(o.id, o.attributes) for o in organizations])


ADDRESS_COLUMNS = (
    "id",
    "location_id",
    "position",
    "attention",
    "address_1",
    "address_2",
    "city",
    "region",
    "state_province",
    "postal_code",
    "country",
    "address_type",
)
NOTE_COLUMNS = ("id", "location_id", "position", "description", "details", "url", "accessibility")


async def write_locations(conn: Connection, locations: Sequence[Location]) -> None:
    if not locations:
        return
    ids = [loc.id for loc in locations]
    await _upsert(conn, "location", LOCATION_COLUMNS, [_row(loc, LOCATION_COLUMNS) for loc in locations])
    await _replace_owned(conn, "address", ADDRESS_COLUMNS, locations, "location_id", lambda loc: loc.addresses)
    await _replace_owned(conn, "accessibility", NOTE_COLUMNS, locations, "location_id", lambda loc: loc.accessibility)
    await _replace_attributes(conn, ids, [(loc.id, loc.attributes) for loc in locations])


_CHILDREN: dict[str, tuple[str, ...]] = {
    "schedule": (
        "id",
        "service_at_location_id",
        "valid_from",
        "valid_to",
        "dtstart",
        "freq",
        "interval",
        "byday",
        "bymonthday",
        "description",
        "opens_at",
        "closes_at",
        "schedule_link",
        "attending_type",
        "notes",
        "days",
    ),
    "service_area": ("id", "name", "extent", "extent_type", "uri", "service_area"),
    "language": ("id", "phone_id", "name", "code", "note"),
    "funding": ("id", "source"),
    "cost_option": ("id", "valid_from", "valid_to", "option", "amount", "amount_description", "unit"),
    "contact": ("id", "name", "title"),
}
_COLLECTION = {
    "schedule": "schedules",
    "service_area": "service_areas",
    "language": "languages",
    "funding": "funding",
    "cost_option": "cost_options",
    "contact": "contacts",
}


async def write_service(conn: Connection, resolved: Resolved, *, now: datetime) -> None:
    """Store the merged service and the shared records it brings that are new or changed."""
    await write_services(conn, [resolved], now=now)


def _unique(records: Iterable[R]) -> list[R]:
    """One of each id (the last given), for upserts of shared records several services bring."""
    return list({record.id: record for record in records}.values())


async def write_services(conn: Connection, batch: Sequence[Resolved], *, now: datetime) -> None:
    """Store merged services, with one statement per table however many there are (bulk imports)."""
    services = [resolved.service for resolved in batch]
    ids = [service.id for service in services]
    await write_terms(conn, _unique(t for r in batch for t in r.terms))
    await write_organizations(conn, _unique(o for r in batch for o in r.organizations))
    await write_locations(conn, _unique(loc for r in batch for loc in r.locations))
    # remote_areas is derived (where an online or phone service is available) and kept for search.
    service_columns = (*SERVICE_COLUMNS, "remote_areas")
    await _upsert(
        conn,
        "service",
        service_columns,
        [
            _row(s, service_columns, last_modified=s.last_modified or now, remote_areas=remote_coverage(s))
            for s in services
        ],
    )

    await conn.execute(
        "DELETE FROM attribute WHERE link_id IN (SELECT id FROM contact WHERE service_id = ANY($1::uuid[]))", ids
    )
    for table in (*_CHILDREN, "service_at_location"):
        await conn.execute(f"DELETE FROM {table} WHERE service_id = ANY($1::uuid[])", ids)
    for table, columns in _CHILDREN.items():
        rows = [
            _row(
                r,
                ("service_id", "position", *columns),
                service_id=service.id,
                position=n,
                **({"days": r.days} if table == "schedule" else {}),
            )
            for service in services
            for n, r in enumerate(getattr(service, _COLLECTION[table]))
        ]
        await _insert(conn, table, ("service_id", "position", *columns), rows)
    await _insert(
        conn,
        "service_at_location",
        ("id", "service_id", "location_id", "position"),
        [
            (sal.id, service.id, sal.the_location_id, n)
            for service in services
            for n, sal in enumerate(service.service_at_locations)
        ],
    )
    await _insert(
        conn,
        "phone",
        ("id", "contact_id", "position", "number", "description"),
        [
            (p.id, c.id, n, p.number, p.description)
            for service in services
            for c in service.contacts
            for n, p in enumerate(c.phones)
        ],
    )
    owners = [(s.id, s.attributes) for s in services] + [(c.id, c.attributes) for s in services for c in s.contacts]
    await _replace_attributes(conn, [owner for owner, _ in owners], owners)
    await _write_extensions(conn, services)


def _extension_row(service: Service) -> tuple[Any, ...]:
    settings = service.social_prescribing
    assert settings is not None  # resolve_service always sets it
    return (
        service.id,
        settings.places_per_week,
        settings.waiting_list,
        [r.value for r in settings.referral_routes],
        [d.value for d in settings.delivery_modes],
        [a.value for a in settings.accessibility],
        service.assured_date,
        service.status,
        [e.value for e in settings.eligibility],
        [g.value for g in settings.condition_groups],
        settings.eligibility_description,
    )


async def _write_extensions(conn: Connection, services: list[Service]) -> None:
    # An ORUK assured_date is "the date the information was last checked": it counts as verification.
    await conn.executemany(
        """INSERT INTO service_extension (service_id, places_per_week, waiting_list, referral_routes,
                                          delivery_modes, accessibility, last_verified_at, eligibility,
                                          condition_groups, eligibility_description)
           VALUES ($1, $2, $3, $4, $5, $6, $7::date::timestamptz, $9, $10, $11)
           ON CONFLICT (service_id) DO UPDATE SET
               places_per_week = EXCLUDED.places_per_week, waiting_list = EXCLUDED.waiting_list,
               referral_routes = EXCLUDED.referral_routes, delivery_modes = EXCLUDED.delivery_modes,
               accessibility = EXCLUDED.accessibility, eligibility = EXCLUDED.eligibility,
               condition_groups = EXCLUDED.condition_groups,
               eligibility_description = EXCLUDED.eligibility_description,
               -- Saving a service as active again ends a withdrawal.
               withdrawn_at = CASE WHEN $8 = 'active' THEN NULL ELSE service_extension.withdrawn_at END,
               withdrawal_reason = CASE WHEN $8 = 'active' THEN NULL ELSE service_extension.withdrawal_reason END,
               last_verified_at = CASE
                   WHEN service_extension.last_verified_at IS NULL THEN EXCLUDED.last_verified_at
                   WHEN EXCLUDED.last_verified_at IS NULL THEN service_extension.last_verified_at
                   ELSE greatest(service_extension.last_verified_at, EXCLUDED.last_verified_at) END""",
        [_extension_row(service) for service in services],
    )


async def dependents(
    conn: Connection, organizations: list[UUID], locations: list[UUID], terms: list[UUID]
) -> set[UUID]:
    """Services whose documents include any of these shared records."""
    if not (organizations or locations or terms):
        return set()
    rows = await conn.fetch(
        """SELECT id FROM service WHERE organization_id = ANY($1::uuid[])
           UNION SELECT service_id FROM service_at_location WHERE location_id = ANY($2::uuid[])
           UNION SELECT s.id FROM attribute a JOIN service s ON s.id = a.link_id OR s.organization_id = a.link_id
                 WHERE a.taxonomy_term_id = ANY($3::uuid[])
           UNION SELECT c.service_id FROM attribute a JOIN contact c ON c.id = a.link_id
                 WHERE a.taxonomy_term_id = ANY($3::uuid[])
           UNION SELECT sal.service_id FROM attribute a JOIN service_at_location sal ON sal.location_id = a.link_id
                 WHERE a.taxonomy_term_id = ANY($3::uuid[])""",
        organizations,
        locations,
        terms,
    )
    return {row["id"] for row in rows}


async def mark_changed(conn: Connection, ids: Iterable[UUID], *, now: datetime, stamp: Iterable[UUID] = ()) -> None:
    """Bump the revision of each changed service, refresh its search text, and stamp last_modified."""
    changed = list(set(ids))
    await conn.execute(
        "UPDATE service_extension SET revision = revision + 1, announced_week = $2 WHERE service_id = ANY($1::uuid[])",
        changed,
        week_starting(now),
    )
    await conn.execute(
        "UPDATE service SET search_vector = service_search_document(id) WHERE id = ANY($1::uuid[])", changed
    )
    await conn.execute("UPDATE service SET last_modified = $2 WHERE id = ANY($1::uuid[])", list(set(stamp)), now)
