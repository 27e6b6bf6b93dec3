"""Ranking quality measures over graded labels."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(gains: Sequence[int]) -> float:
    return float(sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains)))


def ndcg_at(k: int, ranked: Sequence[str], grades: Mapping[str, int]) -> float | None:
    """nDCG@k with exponential gains; None when nothing is relevant (the persona is skipped)."""
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return None
    return dcg([grades.get(s, 0) for s in ranked[:k]]) / ideal


def recall_at(k: int, ranked: Sequence[str], grades: Mapping[str, int]) -> float | None:
    """Relevant services in the top k over those that could have been (at most k)."""
    relevant = {s for s, g in grades.items() if g > 0}
    if not relevant:
        return None
    return len(relevant & set(ranked[:k])) / min(k, len(relevant))
