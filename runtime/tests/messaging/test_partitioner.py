"""Our murmur2 partitioner puts every key where aiokafka's (and the Java client's) default partitioner does."""

from __future__ import annotations

import random
import uuid

import pytest
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from linkwork_runtime.messaging.partitioner import Murmur2Partitioner, murmur2

pytestmark = pytest.mark.unit


def test_same_hash_as_aiokafka_for_keys_of_every_length() -> None:
    rng = random.Random(20)
    keys = [bytes(rng.randrange(256) for _ in range(length)) for length in range(64) for _ in range(20)]
    keys += [str(uuid.UUID(int=rng.getrandbits(128))).encode() for _ in range(500)]
    assert [murmur2(key) for key in keys] == [aiokafka_murmur2(key) for key in keys]


def test_same_partition_as_the_default_partitioner() -> None:
    rng = random.Random(7)
    ours, theirs = Murmur2Partitioner(), DefaultPartitioner()
    for partitions in ([0], [0, 1, 2, 3], list(range(12))):
        for _ in range(300):
            key = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
            assert ours(key, partitions, partitions) == theirs(key, partitions, partitions)


def test_no_key_picks_an_available_partition() -> None:
    assert Murmur2Partitioner()(None, [0, 1, 2], [2]) == 2
    assert Murmur2Partitioner()(None, [0, 1, 2], []) in {0, 1, 2}
