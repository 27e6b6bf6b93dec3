"""Writing resolved ORUK records to PostgreSQL. Callers hold the transaction (or savepoint).

Child collections are owned by their parent and rewritten whole (delete, then insert in order), so a
child id that already belongs to another record fails on its primary key and the caller rejects the
record instead of silently moving the child over.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from linkwork_directory.adapters.service_reader import Connection
from linkwork_directory.domain.merging import Resolved
from linkwork_directory.domain.oruk import Attribute, Location, Organization, Service, Taxonomy, TaxonomyTerm


def _row(model: Any, columns: Sequence[str], **extra: Any) -> tuple[Any, ...]:
    values = {**{column: getattr(model, column) for column in columns if column not in extra}, **extra}
    return tuple(values[column] for column in columns)


async def _insert(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    await conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


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
SERVICE_COLUMNS = (
    "id",
    "organization_id",
    "name",
    "description",
    "url",
    "email",
    "status",
    "fees",
    "accreditations",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "alert",
    "last_modified",
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


async def write_organization(conn: Connection, organization: Organization) -> None:
    await _upsert(conn, "organization", ORGANIZATION_COLUMNS, [_row(organization, ORGANIZATION_COLUMNS)])
    await conn.execute("DELETE FROM organization_identifier WHERE organization_id = $1", organization.id)
    columns = ("id", "organization_id", "position", "identifier_scheme", "identifier_type", "identifier")
    await _insert(
        conn,
        "organization_identifier",
        columns,
        [
            _row(i, columns, organization_id=organization.id, position=n)
            for n, i in enumerate(organization.organization_identifiers)
        ],
    )
    await _replace_attributes(conn, [organization.id], [(organization.id, organization.attributes)])


async def write_location(conn: Connection, location: Location) -> None:
    await _upsert(conn, "location", LOCATION_COLUMNS, [_row(location, LOCATION_COLUMNS)])
    await conn.execute("DELETE FROM address WHERE location_id = $1", location.id)
    await conn.execute("DELETE FROM accessibility WHERE location_id = $1", location.id)
    columns = (
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
    await _insert(
        conn,
        "address",
        columns,
        [_row(a, columns, location_id=location.id, position=n) for n, a in enumerate(location.addresses)],
    )
    note_columns = ("id", "location_id", "position", "description", "details", "url", "accessibility")
    await _insert(
        conn,
        "accessibility",
        note_columns,
        [_row(a, note_columns, location_id=location.id, position=n) for n, a in enumerate(location.accessibility)],
    )
    await _replace_attributes(conn, [location.id], [(location.id, location.attributes)])


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
    service = resolved.service
    await write_terms(conn, resolved.terms)
    for organization in resolved.organizations:
        await write_organization(conn, organization)
    for location in resolved.locations:
        await write_location(conn, location)
    await _upsert(
        conn, "service", SERVICE_COLUMNS, [_row(service, SERVICE_COLUMNS, last_modified=service.last_modified or now)]
    )

    old_contacts = [r["id"] for r in await conn.fetch("SELECT id FROM contact WHERE service_id = $1", service.id)]
    await conn.execute("DELETE FROM attribute WHERE link_id = ANY($1::uuid[])", old_contacts)
    for table in (*_CHILDREN, "service_at_location"):
        await conn.execute(f"DELETE FROM {table} WHERE service_id = $1", service.id)
    for table, columns in _CHILDREN.items():
        records = getattr(service, _COLLECTION[table])
        rows = [
            _row(
                r,
                ("service_id", "position", *columns),
                service_id=service.id,
                position=n,
                **({"days": r.days} if table == "schedule" else {}),
            )
            for n, r in enumerate(records)
        ]
        await _insert(conn, table, ("service_id", "position", *columns), rows)
    await _insert(
        conn,
        "service_at_location",
        ("id", "service_id", "location_id", "position"),
        [(s.id, service.id, s.the_location_id, n) for n, s in enumerate(service.service_at_locations)],
    )
    await _insert(
        conn,
        "phone",
        ("id", "contact_id", "position", "number", "description"),
        [(p.id, c.id, n, p.number, p.description) for c in service.contacts for n, p in enumerate(c.phones)],
    )
    await _replace_attributes(
        conn,
        [service.id, *(c.id for c in service.contacts)],
        [(service.id, service.attributes), *((c.id, c.attributes) for c in service.contacts)],
    )
    await _write_extension(conn, service)


async def _write_extension(conn: Connection, service: Service) -> None:
    settings = service.social_prescribing
    assert settings is not None  # resolve_service always sets it
    # An ORUK assured_date is "the date the information was last checked": it counts as verification.
    await conn.execute(
        """INSERT INTO service_extension (service_id, places_per_week, waiting_list, referral_routes,
                                          delivery_modes, accessibility, last_verified_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7::date::timestamptz)
           ON CONFLICT (service_id) DO UPDATE SET
               places_per_week = EXCLUDED.places_per_week, waiting_list = EXCLUDED.waiting_list,
               referral_routes = EXCLUDED.referral_routes, delivery_modes = EXCLUDED.delivery_modes,
               accessibility = EXCLUDED.accessibility,
               -- Saving a service as active again ends a withdrawal.
               withdrawn_at = CASE WHEN $8 = 'active' THEN NULL ELSE service_extension.withdrawn_at END,
               withdrawal_reason = CASE WHEN $8 = 'active' THEN NULL ELSE service_extension.withdrawal_reason END,
               last_verified_at = CASE
                   WHEN service_extension.last_verified_at IS NULL THEN EXCLUDED.last_verified_at
                   WHEN EXCLUDED.last_verified_at IS NULL THEN service_extension.last_verified_at
                   ELSE greatest(service_extension.last_verified_at, EXCLUDED.last_verified_at) END""",
        service.id,
        settings.places_per_week,
        settings.waiting_list,
        [r.value for r in settings.referral_routes],
        [d.value for d in settings.delivery_modes],
        [a.value for a in settings.accessibility],
        service.assured_date,
        service.status,
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
        "UPDATE service_extension SET revision = revision + 1 WHERE service_id = ANY($1::uuid[])", changed
    )
    await conn.execute(
        "UPDATE service SET search_vector = service_search_document(id) WHERE id = ANY($1::uuid[])", changed
    )
    await conn.execute("UPDATE service SET last_modified = $2 WHERE id = ANY($1::uuid[])", list(set(stamp)), now)
