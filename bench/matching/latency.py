"""In-process latency of the ranker over a large directory, and the memory its index takes."""

from __future__ import annotations

import gc
import random
import statistics
import time
import tracemalloc
from dataclasses import replace

from linkwork_matching.adapters import synthetic
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.person import Location
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.domain.service import Service

from bench.percentiles import percentile

# A dense worst case: a national-sized directory packed into one city, so every need's partition
# is large and most of it is within reach by car.
CENTRE = Location(53.80, -1.55)
RADIUS_KM = 25.0


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(samples_ms),
        "median_ms": round(statistics.median(samples_ms), 3),
        "p95_ms": round(percentile(samples_ms, 95), 3),
        "p99_ms": round(percentile(samples_ms, 99), 3),
        "max_ms": round(max(samples_ms), 3),
    }


def directory(count: int, seed: int) -> list[Service]:
    return synthetic.directory(count, seed=seed, centre=CENTRE, radius_km=RADIUS_KM)


def build(services: list[Service]) -> ServiceIndex:
    index = ServiceIndex()
    for service in services:
        index.upsert(service)
    return index


def measure(*, services_count: int = 100_000, queries: int = 2000, seed: int = 1) -> dict[str, object]:
    tracemalloc.start()
    services = directory(services_count, seed)
    snapshots_bytes = tracemalloc.get_traced_memory()[0]
    measured = build(services)  # under tracemalloc: for its memory only, it runs slower
    index_bytes = tracemalloc.get_traced_memory()[0] - snapshots_bytes
    tracemalloc.stop()
    del measured
    gc.collect()
    started = time.perf_counter()
    index = build(services)
    build_seconds = time.perf_counter() - started

    ranker = Ranker(index)
    rng = random.Random(seed + 1)
    people = [synthetic.person(rng, CENTRE, radius_km=10.0) for _ in range(queries)]
    for person in people[:100]:  # warm caches and numpy's first-call paths
        ranker.suggest(person, limit=10)
    gc.collect()
    samples, options = [], 0
    for person in people:
        started = time.perf_counter()
        suggestions = ranker.suggest(person, limit=10)
        samples.append((time.perf_counter() - started) * 1000)
        options += len(suggestions.ranked)
    update = []
    for service in rng.sample(services, 200):
        started = time.perf_counter()
        index.upsert(replace(service, version=service.version + 1))
        update.append((time.perf_counter() - started) * 1000)
    return {
        "services": services_count,
        "offers_indexed": sum(p.rows.size for p in index.partitions.values()),
        "queries": queries,
        "mean_options_returned": round(options / queries, 2),
        "suggest_top10": percentiles(samples),
        "upsert_one_service": percentiles(update),
        "index_build_seconds": round(build_seconds, 2),
        "index_numpy_mib": round(index.nbytes / 2**20, 1),
        "index_total_mib": round(index_bytes / 2**20, 1),
        "snapshots_mib": round(snapshots_bytes / 2**20, 1),
    }
