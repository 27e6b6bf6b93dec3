"""GET /referrals/{referral_id}/matches and POST /match."""

from __future__ import annotations

import time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from linkwork_contracts.events import MatchesSuggestedV1
from linkwork_runtime.auth import CurrentPrincipal, Role, require_role
from linkwork_runtime.context import Pool
from linkwork_runtime.problems import Problem

from linkwork_matching.adapters.match_store import PostgresReferralReader
from linkwork_matching.adapters.metrics import MatchingMetrics
from linkwork_matching.api.exploring import filters_for, person_for, response_for
from linkwork_matching.api.schemas import MatchRequest, MatchResponse
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.service_layer import reads

router = APIRouter(tags=["matching"])
READERS = (Role.LINK_WORKER, Role.PCN_ADMIN)


# Async so FastAPI calls them inline rather than in its thread pool.
async def get_ranker(request: Request) -> Ranker:
    ranker: Ranker = request.app.state.ranker
    return ranker


async def get_ranker_version(request: Request) -> str:
    version: str = request.app.state.ranker_version
    return version


async def get_metrics(request: Request) -> MatchingMetrics | None:
    metrics: MatchingMetrics | None = getattr(request.app.state, "matching_metrics", None)
    return metrics


RankerDep = Annotated[Ranker, Depends(get_ranker)]
Metrics = Annotated[MatchingMetrics | None, Depends(get_metrics)]
RankerVersion = Annotated[str, Depends(get_ranker_version)]


def _not_found(referral_id: UUID) -> Problem:
    # The same answer for another PCN's referral, so ids cannot be probed across PCNs.
    return Problem(404, "Not found", f"no referral {referral_id} in your PCN")


@router.get(
    "/referrals/{referral_id}/matches",
    response_model=MatchesSuggestedV1,
    summary="The latest suggestion set of a referral, with reasons",
)
async def referral_matches(referral_id: UUID, principal: CurrentPrincipal, pool: Pool) -> dict[str, Any]:
    require_role(principal, *READERS)
    try:
        return await reads.latest_suggestions(PostgresReferralReader(pool), principal, referral_id)
    except reads.ReferralNotFound:
        raise _not_found(referral_id) from None


@router.post(
    "/match", response_model=MatchResponse, summary="Rank options for a person with a link worker's own filters"
)
async def match(
    body: MatchRequest,
    principal: CurrentPrincipal,
    pool: Pool,
    ranker: RankerDep,
    ranker_version: RankerVersion,
    metrics: Metrics,
) -> MatchResponse:
    require_role(principal, *READERS)
    start = None
    if body.referral_id is not None:
        try:
            start = await reads.referral_person(PostgresReferralReader(pool), principal, body.referral_id)
        except reads.ReferralNotFound:
            raise _not_found(body.referral_id) from None
    person = person_for(body, start)
    if not person.needs:
        raise Problem(
            422,
            "Unprocessable content",
            "give needs, or a referral_id whose needs to use",
            errors=[{"field": "needs", "rule": "required", "message": "needs are required"}],
        )
    started = time.perf_counter()
    suggestions = ranker.suggest(person, per_need=body.options_per_need, limit=body.limit, filters=filters_for(body))
    if metrics is not None:
        metrics.rank_seconds.labels("api").observe(time.perf_counter() - started)
    return response_for(person, suggestions, ranker_version)
