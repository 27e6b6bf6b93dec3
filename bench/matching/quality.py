"""Ranking quality: the ranker against simple baselines on labelled personas.

Each persona is labelled against every service of a synthetic PCN-sized directory by the rules in
labels.py; each system returns its top 10; we report mean nDCG@5, recall@10 and the share of the
top 10 a link worker would have to discard (grade 0), with bootstrap 95% intervals over personas.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from linkwork_matching.adapters import synthetic
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.person import Location, Person
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.domain.scoring import Weights
from linkwork_matching.domain.service import Service

from bench.matching.baselines import TextOnly, nearest_first
from bench.matching.labels import grade
from bench.matching.metrics import ndcg_at, recall_at
from bench.matching.personas import Persona, personas

CENTRE = (53.80, -1.55)
K = 10


@dataclass(frozen=True)
class Scores:
    ndcg5: list[float]
    recall10: list[float]
    discarded10: list[float]


def _interval(values: list[float], rng: random.Random, rounds: int = 1000) -> tuple[float, float]:
    means = sorted(statistics.fmean(rng.choices(values, k=len(values))) for _ in range(rounds))
    return means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]


def systems(services: list[Service]) -> dict[str, Callable[[Person], list[str]]]:
    index = ServiceIndex()
    for service in services:
        index.upsert(service)
    ranker = Ranker(index)
    # Ablation: the same hard constraints, ranked by distance alone.
    constrained = Ranker(
        index,
        weights=Weights(
            coverage=0,
            text=0,
            distance=1,
            schedule=0,
            effect=0,
            waitlist_penalty=0,
            assessment_penalty=0,
            age_check_penalty=0,
        ),
    )
    text_only = TextOnly(services)
    return {
        "ranker": lambda p: [o.service.service_id for o in ranker.suggest(p, limit=K).ranked],
        "constraints + distance only": lambda p: [o.service.service_id for o in constrained.suggest(p, limit=K).ranked],
        "nearest first (baseline)": lambda p: nearest_first(p, services, K),
        "text relevance only (baseline)": lambda p: text_only.rank(p, K),
    }


def evaluate(*, services_count: int = 5000, personas_count: int = 200, seed: int = 42) -> dict[str, object]:
    services = synthetic.directory(services_count, seed=seed, centre=Location(*CENTRE), radius_km=10.0)
    people: list[Persona] = personas(personas_count, seed=seed + 1, centre=CENTRE, radius_km=8.0)
    ranking = systems(services)
    scores = {name: Scores([], [], []) for name in ranking}
    relevant_counts, skipped = [], 0
    for persona in people:
        grades = {s.service_id: g for s in services if (g := grade(persona, s)) > 0}
        if not grades:
            skipped += 1
            continue
        relevant_counts.append(len(grades))
        referral = persona.as_referral()
        for name, rank in ranking.items():
            top = rank(referral)
            ndcg, recall = ndcg_at(5, top, grades), recall_at(K, top, grades)
            assert ndcg is not None and recall is not None
            scores[name].ndcg5.append(ndcg)
            scores[name].recall10.append(recall)
            scores[name].discarded10.append(sum(s not in grades for s in top) / K)
    rng = random.Random(seed)
    results: dict[str, object] = {
        "services": services_count,
        "personas": personas_count,
        "personas_with_nothing_relevant": skipped,
        "relevant_services_per_persona_median": statistics.median(relevant_counts),
        "systems": {},
    }
    table: dict[str, object] = {}
    for name, s in scores.items():
        table[name] = {
            "ndcg@5": round(statistics.fmean(s.ndcg5), 3),
            "ndcg@5_95ci": [round(x, 3) for x in _interval(s.ndcg5, rng)],
            "recall@10": round(statistics.fmean(s.recall10), 3),
            "recall@10_95ci": [round(x, 3) for x in _interval(s.recall10, rng)],
            "top10_discarded": round(statistics.fmean(s.discarded10), 3),
        }
    results["systems"] = table
    return results
