"""Duplicates across directories (curator role): the pairs found, merging one into the other, dismissing a pair.
How pairs are scored: domain/duplicates.py and docs/decisions/18-duplicates.md."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from linkwork_runtime.auth import Role
from linkwork_runtime.openapi import example
from linkwork_runtime.problems import Problem
from pydantic import BaseModel, Field

from linkwork_directory.api.curation import IfMatch, ListPage, ListPerPage, changed, service_problems
from linkwork_directory.api.runtime import SignedIn, UnitOfWorkDep
from linkwork_directory.domain.duplicates import Candidate
from linkwork_directory.domain.errors import RecordRejected
from linkwork_directory.domain.search import DEFAULT_PER_PAGE, page_body
from linkwork_directory.service_layer import duplicates

router = APIRouter(tags=["curation"])


class Merge(BaseModel):
    model_config = example(
        {"keep": "5f0c2b7e-8d1a-4e6b-9c3f-2a7d4e1b8c90", "merge": "7c2e4a9b-1d3f-4b6a-8e5c-9a0b2d4f6e13"}
    )

    keep: UUID = Field(description="The service that stays; it keeps its details and gains the other's history")
    merge: UUID = Field(description="The service merged away: withdrawn, and its readers sent to `keep`")
    merge_if_match: str | None = Field(
        default=None, max_length=400, description="The ETag of the service merged away, checked when given"
    )


class Pair(BaseModel):
    model_config = example(
        {"first": "5f0c2b7e-8d1a-4e6b-9c3f-2a7d4e1b8c90", "second": "7c2e4a9b-1d3f-4b6a-8e5c-9a0b2d4f6e13"}
    )

    first: UUID
    second: UUID


def _cannot_merge(rejection: RecordRejected) -> Problem:
    return Problem(409, "Cannot merge", "; ".join(rejection.reasons))


def _candidate(candidate: Candidate) -> dict[str, Any]:
    return {
        "score": candidate.score,
        "signals": candidate.signals,
        # Every field of each listing; FastAPI writes the id as a string and the tuples as lists.
        "first": asdict(candidate.first),
        "second": asdict(candidate.second),
    }


@router.get("/duplicates", summary="Services probably listed twice by different directories, most alike first")
async def list_duplicates(
    caller: SignedIn, uow: UnitOfWorkDep, page: ListPage = 1, per_page: ListPerPage = DEFAULT_PER_PAGE
) -> dict[str, Any]:
    caller.require(Role.CURATOR)
    found = await caller.runtime.duplicates.candidates(uow)
    start = (page - 1) * per_page
    contents: list[dict[str, object]] = [_candidate(c) for c in found[start : start + per_page]]
    return page_body(contents, total=len(found), page=page, per_page=per_page)


@router.post("/duplicates/merge", summary="Merge one service into another, keeping both histories")
async def merge_services(
    body: Merge, caller: SignedIn, uow: UnitOfWorkDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    """If-Match, when sent, is the ETag of the service that stays."""
    caller.require(Role.CURATOR)
    with service_problems(rejected=_cannot_merge):
        loaded = await duplicates.merge(
            uow, body.keep, body.merge, caller.acting(), if_match_keep=if_match, if_match_merged=body.merge_if_match
        )
    return await changed(loaded, caller.runtime, response)


@router.post("/duplicates/dismiss", status_code=204, summary="Say two services are not the same: not offered again")
async def dismiss_pair(body: Pair, caller: SignedIn, uow: UnitOfWorkDep) -> Response:
    caller.require(Role.CURATOR)
    if body.first == body.second:
        raise Problem(422, "Invalid pair", "first and second are the same service")
    with service_problems():
        await duplicates.dismiss(uow, body.first, body.second, caller.acting())
    return Response(status_code=204)
