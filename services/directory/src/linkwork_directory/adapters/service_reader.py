"""Loading fully nested ORUK records from PostgreSQL, many at a time (one query per table)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg

from linkwork_directory.domain.extension import SocialPrescribing
from linkwork_directory.domain.needs import needs_of
from linkwork_directory.domain.oruk import (
    AccessibilityNote,
    Address,
    Attribute,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from linkwork_directory.domain.state import ServiceState
from linkwork_directory.domain.waiting_list import WINDOW_WEEKS, Throughput
from linkwork_directory.service_layer.ports import Loaded

# A plain connection or one borrowed from the pool: both answer the same calls.
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | asyncpg.pool.PoolConnectionProxy[asyncpg.Record]"
# Or the pool itself, for a single statement in its own transaction.
Executor: TypeAlias = "asyncpg.Pool[asyncpg.Record] | Connection"


def _fields(row: asyncpg.Record, *skip: str) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key not in skip}


def _group(rows: Iterable[asyncpg.Record], key: str) -> dict[UUID, list[asyncpg.Record]]:
    grouped: dict[UUID, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


async def _children(
    conn: Connection, table: str, columns: str, ids: list[UUID], owner: str = "service_id"
) -> dict[UUID, list[asyncpg.Record]]:
    """The rows of a child table owned by `ids` (through the `owner` column), each owner's in their order."""
    rows = await conn.fetch(
        f"SELECT {owner}, {columns} FROM {table} WHERE {owner} = ANY($1::uuid[]) ORDER BY {owner}, position", ids
    )
    return _group(rows, owner)


async def _by_id(conn: Connection, table: str, columns: str, ids: list[UUID]) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(f"SELECT {columns} FROM {table} WHERE id = ANY($1::uuid[])", ids)
    return rows


async def load_terms(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, TaxonomyTerm]:
    columns = "id, name, description, parent_id, taxonomy, taxonomy_id, term_uri, term"
    rows = await _by_id(conn, "taxonomy_term", columns, list(set(ids)))
    return {row["id"]: TaxonomyTerm(**_fields(row)) for row in rows}


async def load_attributes(conn: Connection, owners: Iterable[UUID]) -> dict[UUID, list[Attribute]]:
    rows = await conn.fetch(
        "SELECT id, link_id, link_type, taxonomy_term_id FROM attribute"
        " WHERE link_id = ANY($1::uuid[]) ORDER BY link_id, position",
        list(set(owners)),
    )
    terms = await load_terms(conn, (row["taxonomy_term_id"] for row in rows))
    found: dict[UUID, list[Attribute]] = defaultdict(list)
    for row in rows:
        term = terms[row["taxonomy_term_id"]]
        found[row["link_id"]].append(Attribute(**_fields(row), taxonomy_term=term))
    return found


async def load_organizations(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, Organization]:
    wanted = list(set(ids))
    columns = "id, name, description, email, website, logo, uri, parent_organization_id"
    rows = await _by_id(conn, "organization", columns, wanted)
    identifiers = await _children(
        conn, "organization_identifier", "id, identifier_scheme, identifier_type, identifier", wanted, "organization_id"
    )
    attributes = await load_attributes(conn, wanted)
    return {
        row["id"]: Organization(
            **_fields(row),
            organization_identifiers=[
                OrganizationIdentifier(**_fields(i, "organization_id")) for i in identifiers.get(row["id"], [])
            ],
            attributes=attributes.get(row["id"], []),
        )
        for row in rows
    }


async def load_locations(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, Location]:
    wanted = list(set(ids))
    columns = "id, location_type, name, description, latitude, longitude, external_identifier, external_identifier_type"
    rows = await _by_id(conn, "location", columns, wanted)
    addresses = await _children(
        conn,
        "address",
        "id, attention, address_1, address_2, city, region, state_province, postal_code, country, address_type",
        wanted,
        "location_id",
    )
    notes = await _children(
        conn, "accessibility", "id, description, details, url, accessibility", wanted, "location_id"
    )
    attributes = await load_attributes(conn, wanted)
    return {
        row["id"]: Location(
            **_fields(row),
            addresses=[Address(**_fields(a, "location_id")) for a in addresses.get(row["id"], [])],
            accessibility=[AccessibilityNote(**_fields(n, "location_id")) for n in notes.get(row["id"], [])],
            attributes=attributes.get(row["id"], []),
        )
        for row in rows
    }


async def load_services(conn: Connection, ids: Iterable[UUID], *, week: date) -> dict[UUID, Loaded]:
    """Fully nested services with their state; ids that do not exist are left out."""
    wanted = list(set(ids))
    rows = await conn.fetch(
        """SELECT s.id, s.organization_id, s.name, s.description, s.url, s.email, s.status, s.fees,
                  s.accreditations, s.minimum_age, s.maximum_age, s.assured_date, s.assurer_email, s.alert,
                  s.last_modified, e.places_per_week, e.waiting_list, e.referral_routes, e.delivery_modes,
                  e.accessibility AS accessibility_codes, e.last_verified_at, e.verified_by, e.withdrawn_at,
                  e.withdrawal_reason, e.revision, e.eligibility, e.condition_groups, e.eligibility_description,
                  (SELECT count(*) FROM plan_activity u WHERE u.service_id = s.id AND u.week_starting = $2)
                      AS taken_this_week,
                  (SELECT count(*) FROM plan_activity u WHERE u.service_id = s.id) AS uptake_total,
                  (SELECT count(*) FROM waiting_entry w WHERE w.service_id = s.id AND w.status = 'waiting')
                      AS waiting,
                  -- Throughput over the last whole weeks, so an estimate holds steady within a week.
                  (SELECT count(*) FROM waiting_entry w WHERE w.service_id = s.id AND w.status = 'started'
                      AND w.started_at >= $2::date - 7 * $3::int AND w.started_at < $2::date) AS recent_starts
           FROM service s JOIN service_extension e ON e.service_id = s.id
           WHERE s.id = ANY($1::uuid[])""",
        wanted,
        week,
        WINDOW_WEEKS,
    )
    if not rows:
        return {}
    found = [row["id"] for row in rows]
    schedules = await _children(
        conn,
        "schedule",
        'id, service_at_location_id, valid_from, valid_to, dtstart, freq, "interval", byday,'
        " bymonthday, description, opens_at, closes_at, schedule_link, attending_type, notes",
        found,
    )
    areas = await _children(conn, "service_area", "id, name, extent, extent_type, uri, service_area", found)
    sals = await _children(conn, "service_at_location", "id, location_id", found)
    languages = await _children(conn, "language", "id, phone_id, name, code, note", found)
    funding = await _children(conn, "funding", "id, source", found)
    costs = await _children(
        conn, "cost_option", "id, valid_from, valid_to, option, amount, amount_description, unit", found
    )
    contacts = await _children(conn, "contact", "id, name, title", found)
    contact_ids = [c["id"] for group in contacts.values() for c in group]
    phones = await _children(conn, "phone", "id, number, description", contact_ids, "contact_id")
    organizations = await load_organizations(conn, (r["organization_id"] for r in rows if r["organization_id"]))
    locations = await load_locations(conn, (s["location_id"] for group in sals.values() for s in group))
    attributes = await load_attributes(conn, [*found, *contact_ids])

    loaded: dict[UUID, Loaded] = {}
    for row in rows:
        service_id: UUID = row["id"]
        own_attributes = attributes.get(service_id, [])
        settings = SocialPrescribing(
            places_per_week=row["places_per_week"],
            waiting_list=row["waiting_list"],
            referral_routes=row["referral_routes"],
            delivery_modes=row["delivery_modes"],
            accessibility=row["accessibility_codes"],
            need_categories=needs_of(own_attributes),
            eligibility=row["eligibility"],
            condition_groups=row["condition_groups"],
            eligibility_description=row["eligibility_description"],
        )
        service = Service(
            **{key: row[key] for key in SERVICE_COLUMNS},
            organization=organizations.get(row["organization_id"]) if row["organization_id"] else None,
            schedules=[Schedule(**_fields(r, "service_id")) for r in schedules.get(service_id, [])],
            service_areas=[ServiceArea(**_fields(r, "service_id")) for r in areas.get(service_id, [])],
            service_at_locations=[
                ServiceAtLocation(id=r["id"], location_id=r["location_id"], location=locations[r["location_id"]])
                for r in sals.get(service_id, [])
            ],
            languages=[Language(**_fields(r, "service_id")) for r in languages.get(service_id, [])],
            funding=[Funding(**_fields(r, "service_id")) for r in funding.get(service_id, [])],
            cost_options=[CostOption(**_fields(r, "service_id")) for r in costs.get(service_id, [])],
            contacts=[
                Contact(
                    **_fields(r, "service_id"),
                    phones=[Phone(**_fields(p, "contact_id")) for p in phones.get(r["id"], [])],
                    attributes=attributes.get(r["id"], []),
                )
                for r in contacts.get(service_id, [])
            ],
            attributes=own_attributes,
            social_prescribing=settings,
        )
        state = ServiceState(
            settings=settings,
            last_verified_at=row["last_verified_at"],
            verified_by=row["verified_by"],
            withdrawn_at=row["withdrawn_at"],
            withdrawal_reason=row["withdrawal_reason"],
            revision=row["revision"],
            week_starting=week,
            taken_this_week=row["taken_this_week"],
            uptake_total=int(row["uptake_total"]),
            waiting=int(row["waiting"]),
            throughput=Throughput(int(row["recent_starts"]), WINDOW_WEEKS),
        )
        loaded[service_id] = Loaded(service, state)
    return loaded


# The service table's one-to-one columns, named as the domain Service's fields: read here, written by
# service_writer.
SERVICE_COLUMNS: Sequence[str] = (
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


async def load_summaries(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, Service]:
    """Services with their one-to-one fields and organization only: what list pages show."""
    rows = await conn.fetch(
        "SELECT s.id, s.organization_id, s.name, s.description, s.url, s.email, s.status, s.fees, s.accreditations,"
        " s.minimum_age, s.maximum_age, s.assured_date, s.assurer_email, s.alert, s.last_modified,"
        " o.name AS o_name, o.description AS o_description, o.email AS o_email, o.website AS o_website,"
        " o.logo AS o_logo, o.uri AS o_uri, o.parent_organization_id AS o_parent_organization_id"
        " FROM service s LEFT JOIN organization o ON o.id = s.organization_id WHERE s.id = ANY($1::uuid[])",
        list(set(ids)),
    )
    found = {}
    for row in rows:
        organization = None
        if row["organization_id"] is not None:
            organization = Organization(
                id=row["organization_id"], **{key[2:]: value for key, value in row.items() if key.startswith("o_")}
            )
        found[row["id"]] = Service(**{key: row[key] for key in SERVICE_COLUMNS}, organization=organization)
    return found
