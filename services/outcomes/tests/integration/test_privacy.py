"""Nothing identifiable is stored: a scan of the service's schema and of every row in its database.

The schema scan rejects any column whose name says it holds a name, NHS number, date of birth,
address, full postcode, phone or email (organisational names of services are the one allowed
kind of name). The data scan looks through every row of every table, as JSON text, for NHS
numbers (with a valid check digit), full postcodes, email addresses, phone numbers and person
references that are not the 64-hex pseudonym. A control proves the scanner finds a planted
identifier, and a referral carrying the richest pseudonymous profile the contract allows shows
that fields reports do not need (location, LSOA, languages, interests) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest
from linkwork_contracts.codes import AgeBand, EthnicCategory, NeedCategory, ReferralSource, Sex, Urgency
from linkwork_contracts.events import PersonProfile, Preferences, ReferralCreatedV1
from linkwork_contracts.geography import ApproxLocation
from linkwork_contracts.nhs_number import is_valid_nhs_number
from linkwork_outcomes.adapters import fact_store
from linkwork_outcomes.adapters.event_facts import facts_of
from linkwork_outcomes.adapters.projection_store import PostgresProjectionStore
from linkwork_outcomes.adapters.synthetic.history import generate
from linkwork_outcomes.app import COMPONENT_MIGRATIONS
from linkwork_outcomes.domain.facts import FactBatch
from linkwork_outcomes.service_layer.projection import project_all
from linkwork_runtime.database import open_database

pytestmark = pytest.mark.integration

IDENTIFYING_COLUMN = re.compile(
    r"(^|_)(name|names|given|family|surname|forename|nhs|birth|dob|address|street|phone|mobile|telephone|email"
    r"|postcode|latitude|longitude|lat|lon|location|lsoa)(_|$)"
)
# Organisational names (community services and their providers) are not personal data; a postcode
# district is about 10,000 households.
ALLOWED_COLUMNS = {("service_label", "name"), ("service_label", "provider_name")}
ALLOWED_DISTRICT = re.compile(r"(^|_)postcode_district$")

NHS_NUMBER = re.compile(r"(?<![0-9A-Za-z])([0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4})(?![0-9A-Za-z])")
FULL_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}\b")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![0-9A-Za-z-])(?:\+44 ?|0)(?:[0-9] ?){9,10}(?![0-9A-Za-z])")
PERSON_REF = re.compile(r'"person_ref": ?"([^"]*)"')

RICH = {"lsoa": "E01011229", "interest": "birdwatching club", "language": "cy", "latitude": 53.81, "longitude": -1.57}


def findings(text: str) -> list[str]:
    """Identifiers in one row's JSON text."""
    found = [f"NHS number {m}" for m in NHS_NUMBER.findall(text) if is_valid_nhs_number(re.sub(r"[ -]", "", m))]
    found += [f"postcode {m}" for m in FULL_POSTCODE.findall(text)]
    found += [f"email {m}" for m in EMAIL.findall(text)]
    found += [f"phone {m}" for m in PHONE.findall(text)]
    found += [f"person_ref {m}" for m in PERSON_REF.findall(text) if not re.fullmatch(r"[0-9a-f]{64}", m)]
    return found


def _rich_referral(person_ref: str, *, with_lsoa: bool) -> ReferralCreatedV1:
    """An event never carries both an LSOA and a location (issue 15), so one rich referral has each."""
    now = datetime(2025, 2, 3, 10, tzinfo=UTC)
    person = PersonProfile(
        person_ref=person_ref,
        age_band=AgeBand.AGE_65_74,
        sex=Sex.FEMALE,
        ethnic_category=EthnicCategory.WHITE_IRISH,
        postcode_district="LS6",
        lsoa=RICH["lsoa"] if with_lsoa else None,
        imd_decile=3,
        location=None if with_lsoa else ApproxLocation(latitude=RICH["latitude"], longitude=RICH["longitude"]),
        languages=("en", RICH["language"]),
        interpreter_needed=True,
    )
    return ReferralCreatedV1(
        referral_id=uuid4(),
        version=1,
        request_id="gp-system-42",
        created_at=now,
        updated_at=now,
        source=ReferralSource.GP_PRACTICE,
        urgency=Urgency.URGENT,
        pcn_code="U10001",
        practice_ods_code="B86001",
        person=person,
        needs=(NeedCategory.LONELINESS_ISOLATION,),
        preferences=Preferences(interests=(RICH["interest"],)),
    )


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    pool = await open_database(database_url, COMPONENT_MIGRATIONS)
    await pool.close()
    connection = await asyncpg.connect(database_url)
    batch = FactBatch()
    for event, envelope in generate(3, referrals=250).events:
        facts_of(event, envelope.time, batch)
    facts_of(_rich_referral("a" * 64, with_lsoa=True), datetime.now(UTC), batch)
    facts_of(_rich_referral("b" * 64, with_lsoa=False), datetime.now(UTC), batch)
    async with connection.transaction():
        await fact_store.store(connection, batch)
    await project_all(PostgresProjectionStore(connection))
    yield connection
    await connection.close()


async def _tables(connection: asyncpg.Connection) -> list[str]:
    rows = await connection.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    )
    return sorted(row[0] for row in rows)


async def test_schema_has_no_identifiable_columns(database: asyncpg.Connection) -> None:
    rows = await database.fetch(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
    )
    assert len(rows) > 100
    offending = [
        f"{row[0]}.{row[1]}"
        for row in rows
        if IDENTIFYING_COLUMN.search(row[1])
        and (row[0], row[1]) not in ALLOWED_COLUMNS
        and not ALLOWED_DISTRICT.search(row[1])
    ]
    assert offending == []


async def test_stored_data_has_no_identifiers(database: asyncpg.Connection) -> None:
    scanned, problems = 0, []
    for table in await _tables(database):
        for row in await database.fetch(f"SELECT row_to_json(t)::text FROM {table} t"):
            scanned += 1
            problems += [f"{table}: {finding}" for finding in findings(row[0])]
    assert scanned > 5000
    assert problems == []


async def test_fields_reports_do_not_need_are_not_stored(database: asyncpg.Connection) -> None:
    everything = []
    for table in await _tables(database):
        everything += [row[0] for row in await database.fetch(f"SELECT row_to_json(t)::text FROM {table} t")]
    text = "\n".join(everything)
    assert "a" * 64 in text and "b" * 64 in text  # the rich referrals were stored...
    for value in (
        RICH["lsoa"],
        RICH["interest"],
        '"cy"',
        "gp-system-42",
        str(RICH["latitude"]),
        str(RICH["longitude"]),
    ):
        assert str(value) not in text, value  # ...without the parts reports never use


def test_the_scanner_finds_planted_identifiers() -> None:
    planted = (
        '{"note": "943 476 5919", "who": "jo@example.org", "where": "LS6 1AA", "tel": "07700 900123", '
        '"person_ref": "Jo Bloggs"}'
    )
    kinds = {finding.split(" ")[0] for finding in findings(planted)}
    assert kinds == {"NHS", "email", "postcode", "phone", "person_ref"}
    assert findings('{"referral_id": "5afe0f44-f305-44f6-8fa5-b924f0776cb3", "district": "LS6"}') == []
