"""The topic declarations for Kubernetes and docker compose are generated from the contracts' catalogue."""

from __future__ import annotations

import pytest
from linkwork_contracts.topics import TOPICS
from linkwork_stack import kafka_topics

pytestmark = pytest.mark.unit


def test_regenerating_gives_no_diff() -> None:
    assert kafka_topics.stale() == [], "run: .venv/bin/python -m linkwork_stack.kafka_topics"
    assert kafka_topics.main(["--check"]) == 0


def test_every_catalogue_topic_and_its_dead_letter_topic_is_declared() -> None:
    declared = {topic.name: topic for topic in kafka_topics.topics()}
    assert set(declared) == {name for spec in TOPICS.values() for name in (spec.name, spec.dlq)}
    for spec in TOPICS.values():
        config = declared[spec.name].config
        assert (config["cleanup.policy"] == "compact") == spec.compacted
        if not spec.compacted:
            expected = -1 if spec.retention_days is None else spec.retention_days * kafka_topics.DAY_MS
            assert config["retention.ms"] == expected


def test_a_catalogue_change_makes_the_files_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kafka_topics, "PARTITIONS", kafka_topics.PARTITIONS + 1)
    assert set(kafka_topics.stale()) == {kafka_topics.STRIMZI_TOPICS, kafka_topics.COMPOSE_SCRIPT}
