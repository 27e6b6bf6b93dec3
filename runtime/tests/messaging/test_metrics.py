"""observe_all leaves a histogram exactly as observing each amount would."""

from __future__ import annotations

import random

import pytest
from linkwork_runtime.messaging.metrics import MessagingMetrics, observe_all

pytestmark = pytest.mark.unit


def _samples(metrics: MessagingMetrics) -> dict[tuple[str, str], float]:
    return {
        (sample.name, sample.labels.get("le", "")): sample.value
        for metric in metrics.registry.collect()
        if metric.name == "linkwork_handler_duration_seconds"
        for sample in metric.samples
        if not sample.name.endswith("_created")
    }


def test_observe_all_counts_like_observe() -> None:
    rng = random.Random(3)
    # Bucket bounds themselves, values between them, beyond the last and zero.
    amounts = [0.0, 0.0005, 0.001, 5.0, 7.5, *(rng.uniform(0, 6) for _ in range(500))]
    one_by_one, together = MessagingMetrics(), MessagingMetrics()
    for amount in amounts:
        one_by_one.handler_seconds.labels("c", "t").observe(amount)
    observe_all(together.handler_seconds.labels("c", "t"), amounts[:100])
    observe_all(together.handler_seconds.labels("c", "t"), amounts[100:])
    observe_all(together.handler_seconds.labels("c", "t"), [])
    expected, got = _samples(one_by_one), _samples(together)
    assert got.keys() == expected.keys()
    assert all(got[key] == pytest.approx(expected[key]) for key in expected)
