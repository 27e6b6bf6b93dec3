"""The ORUK v3 read API (`schema/openapi.json`): public, no token needed; a directory holds no personal data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import time
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from linkwork_runtime.context import Pool
from linkwork_runtime.problems import Problem

from linkwork_directory.adapters import curation_store, postcodes, service_at_location_store, taxonomy_store
from linkwork_directory.adapters import oruk_render as render
from linkwork_directory.adapters import service_reader as reader
from linkwork_directory.adapters import service_search as search
from linkwork_directory.adapters.service_reader import Connection
from linkwork_directory.api.ids import not_found, path_id
from linkwork_directory.api.oruk_models import (
    About,
    OrukService,
    OrukServiceAtLocation,
    OrukTaxonomy,
    OrukTaxonomyTerm,
    ServiceAtLocationPage,
    ServicePage,
    TaxonomyPage,
    TaxonomyTermPage,
)
from linkwork_directory.api.runtime import Runtime
from linkwork_directory.domain import versions
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.errors import FieldError
from linkwork_directory.domain.freshness import needs_review
from linkwork_directory.domain.search import (
    DEFAULT_PER_PAGE,
    MAX_PAGE,
    MAX_PER_PAGE,
    ServiceQuery,
    day_code,
    page_body,
)

router = APIRouter(tags=["ORUK v3"])
ORUK_OPENAPI = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"

# Bounded: a deep page makes PostgreSQL walk and discard page x per_page rows (issue 15).
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page number, from 1 to {MAX_PAGE}")]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Results per page")]
T = TypeVar("T")


async def _one(kind: str, identifier: str, fetch: Callable[[UUID], Awaitable[T | None]]) -> T:
    """The record `fetch` finds by this id, or 404 (also for an id that is not a UUID)."""
    found = await fetch(path_id(kind, identifier))
    if found is None:
        raise not_found(kind, identifier)
    return found


@router.get("/", summary="About this API and its relationship with HSDS", response_model=About)
async def about() -> About:
    return About(version="3.0", profile="https://openreferraluk.org/", openapi_url=ORUK_OPENAPI)


class Filters:
    """The query parameters `/services` and `/service_at_locations` share."""

    def __init__(
        self,
        search: Annotated[str | None, Query(description="Full text search", max_length=200)] = None,
        page: Page = 1,
        per_page: PerPage = DEFAULT_PER_PAGE,
        taxonomy_term_id: Annotated[str | None, Query(description="A term id, or several separated by commas")] = None,
        taxonomy_id: Annotated[UUID | None, Query(description="Services with any term of this taxonomy")] = None,
        organization_id: UUID | None = None,
        minimum_age: Annotated[Decimal | None, Query(ge=0, description="Minimum age at least this")] = None,
        maximum_age: Annotated[Decimal | None, Query(ge=0, description="Maximum age at most this")] = None,
        age: Annotated[Decimal | None, Query(ge=0, le=130, description="Extension: open to a person this old")] = None,
        day: Annotated[str | None, Query(description="A day of the week: MO..SU or its name")] = None,
        start_time: Annotated[time | None, Query(description="Sessions opening at or after this time")] = None,
        end_time: Annotated[time | None, Query(description="Sessions closing at or before this time")] = None,
        postcode: Annotated[str | None, Query(description="Postcode or district; nearest first")] = None,
        proximity: Annotated[float | None, Query(description="Only within this many metres of the postcode")] = None,
        include_remote: Annotated[bool, Query(description="Extension: with a postcode, also online/phone")] = True,
        include_withdrawn: Annotated[bool, Query(description="Extension: also withdrawn services")] = False,
    ) -> None:
        self.values = dict(locals())
        del self.values["self"]

    async def query(self, conn: Connection) -> ServiceQuery:
        v = self.values
        errors: list[FieldError] = []
        day = None
        if v["day"]:
            try:
                day = day_code(v["day"])
            except ValueError:
                errors.append(_error("day", "day_of_week", "is not a day of the week (MO..SU or its English name)"))
        terms: list[UUID] = []
        for part in (v["taxonomy_term_id"] or "").split(","):
            if part.strip():
                try:
                    terms.append(UUID(part.strip()))
                except ValueError:
                    errors.append(_error("taxonomy_term_id", "uuid", "is not a term id (or ids separated by commas)"))
        origin = None
        if v["postcode"]:
            origin = await postcodes.origin_of(conn, v["postcode"])
            if origin is None:
                # Never the postcode itself: with other details, a postcode can help identify a person.
                errors.append(_error("postcode", "known_postcode", "is not in the postcode table"))
        query = ServiceQuery(
            text=(v["search"] or "").strip() or None,
            taxonomy_term_ids=tuple(terms),
            taxonomy_id=v["taxonomy_id"],
            organization_id=v["organization_id"],
            minimum_age=v["minimum_age"],
            maximum_age=v["maximum_age"],
            age=v["age"],
            day=day,
            start_time=v["start_time"],
            end_time=v["end_time"],
            origin=origin,
            proximity_m=v["proximity"],
            include_remote=v["include_remote"],
            include_withdrawn=v["include_withdrawn"],
            page=v["page"],
            per_page=v["per_page"],
        )
        unknown_postcode = bool(v["postcode"]) and origin is None
        for problem in query.problems:
            name, _, message = problem.partition(" ")
            if not (unknown_postcode and problem.startswith("proximity needs")):
                errors.append(_error(name, "needs_postcode" if message.startswith("needs") else "range", message))
        if errors:
            detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
            raise Problem(400, "Invalid search", detail, errors=errors)
        return query


def _error(field: str, rule: str, message: str) -> FieldError:
    return {"field": field, "rule": rule, "message": message}


Search = Annotated[Filters, Depends()]


def _with_distance(body: dict[str, Any], distance: float | None) -> dict[str, Any]:
    if distance is not None:
        body["distance"] = round(distance)
    return body


@router.get("/services", summary="Services, paginated, with their one-to-one fields", response_model=ServicePage)
async def list_services(pool: Pool, runtime: Runtime, filters: Search) -> dict[str, Any]:
    async with pool.acquire() as conn:
        query = await filters.query(conn)
        hits, total = await search.search_services(conn, query)
        summaries = await reader.load_summaries(conn, [h.id for h in hits])
    contents = [
        _with_distance(render.service_summary(summaries[h.id]), h.distance_m) for h in hits if h.id in summaries
    ]
    return page_body(contents, total=total, page=query.page, per_page=query.per_page)


@router.get(
    "/services/{id}",
    summary="One service, fully nested",
    response_model=OrukService,
    responses={301: {"description": "Merged into another service (the same one listed twice): see Location"}},
)
async def get_service(id: str, pool: Pool, runtime: Runtime, response: Response) -> dict[str, Any]:
    service_id = path_id("service", id)
    now = runtime.clock.now()
    async with pool.acquire() as conn:
        loaded = (await reader.load_services(conn, [service_id], week=week_starting(now))).get(service_id)
        moved = await curation_store.merged_into(conn, service_id) if loaded is not None else None
    if loaded is None:
        raise not_found("service", id)
    if moved is not None:
        # Merged into another (issue 18): the same service listed twice; readers go to the one that stays.
        response.status_code = 301
        response.headers["Location"] = f"/services/{moved}"
    due = needs_review(loaded.state.last_verified_at, now, runtime.settings.review_period_months)
    # The version a curator's change must name in If-Match (issue 18).
    response.headers["ETag"] = versions.etag(loaded.service, loaded.state)
    return render.service_full(loaded.service, loaded.state, needs_review=due)


@router.get("/service_at_locations", summary="Services at locations, paginated", response_model=ServiceAtLocationPage)
async def list_service_at_locations(pool: Pool, runtime: Runtime, filters: Search) -> dict[str, Any]:
    async with pool.acquire() as conn:
        query = await filters.query(conn)
        hits, total = await search.search_service_at_locations(conn, query)
        services = await reader.load_services(
            conn, {h.service_id for h in hits if h.service_id}, week=week_starting(runtime.clock.now())
        )
        locations = await reader.load_locations(conn, {h.location_id for h in hits if h.location_id})
    contents = []
    for hit in hits:
        assert hit.service_id is not None and hit.location_id is not None
        if hit.service_id in services and hit.location_id in locations:
            body = render.service_at_location_summary(
                hit.id, services[hit.service_id].service, locations[hit.location_id]
            )
            contents.append(_with_distance(body, hit.distance_m))
    return page_body(contents, total=total, page=query.page, per_page=query.per_page)


@router.get(
    "/service_at_locations/{id}",
    summary="One service at a location, fully nested",
    response_model=OrukServiceAtLocation,
)
async def get_service_at_location(id: str, pool: Pool, runtime: Runtime) -> dict[str, Any]:
    sal_id = path_id("service_at_location", id)
    async with pool.acquire() as conn:
        ends = await service_at_location_store.ends_of(conn, sal_id)
        if ends is None:
            raise not_found("service_at_location", id)
        service_id, location_id = ends
        loaded = await reader.load_services(conn, [service_id], week=week_starting(runtime.clock.now()))
        locations = await reader.load_locations(conn, [location_id])
    found = loaded[service_id]
    return render.service_at_location_full(sal_id, found.service, locations[location_id], found.state)


@router.get("/taxonomies", summary="Taxonomies, paginated", response_model=TaxonomyPage)
async def list_taxonomies(pool: Pool, page: Page = 1, per_page: PerPage = DEFAULT_PER_PAGE) -> dict[str, Any]:
    taxonomies, total = await taxonomy_store.taxonomy_page(pool, limit=per_page, offset=(page - 1) * per_page)
    contents = [render.taxonomy_document(t, with_terms=False) for t in taxonomies]
    return page_body(contents, total=total, page=page, per_page=per_page)


@router.get("/taxonomies/{id}", summary="One taxonomy with its terms", response_model=OrukTaxonomy)
async def get_taxonomy(id: str, pool: Pool) -> dict[str, Any]:
    found = await _one("taxonomy", id, partial(taxonomy_store.taxonomy, pool))
    taxonomy = found.model_copy(update={"taxonomy_terms": await taxonomy_store.terms_of(pool, found.id)})
    return render.taxonomy_document(taxonomy, with_terms=True)


@router.get("/taxonomy_terms", summary="Taxonomy terms, paginated", response_model=TaxonomyTermPage)
async def list_taxonomy_terms(
    pool: Pool,
    page: Page = 1,
    per_page: PerPage = DEFAULT_PER_PAGE,
    taxonomy_id: Annotated[UUID | None, Query(description="Extension: terms of one taxonomy")] = None,
) -> dict[str, Any]:
    terms, total = await taxonomy_store.term_page(
        pool, limit=per_page, offset=(page - 1) * per_page, taxonomy_id=taxonomy_id
    )
    contents = [render.term_document(t) for t in terms]
    return page_body(contents, total=total, page=page, per_page=per_page)


@router.get("/taxonomy_terms/{id}", summary="One taxonomy term", response_model=OrukTaxonomyTerm)
async def get_taxonomy_term(id: str, pool: Pool) -> dict[str, Any]:
    return render.term_document(await _one("taxonomy term", id, partial(taxonomy_store.term, pool)))
