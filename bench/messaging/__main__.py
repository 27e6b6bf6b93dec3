"""Messaging benchmark: outbox relay throughput, our consumer pipeline, and raw aiokafka side by side.

    .venv/bin/python -m bench.messaging [--events 20000] [--repetitions 5] [--kafka HOST:PORT --database URL]

Each repetition, on a fresh topic: N realistic `referral-created` events (about 1.2 kB each as CloudEvents)
are written to the outbox (not timed); the relay publishes them (timed until the broker acknowledged the
last one); a raw aiokafka producer with the relay's settings (acks=all, idempotence, same batch size; aiokafka's
own partitioner, where the relay uses a faster one giving the same partitions) then
publishes the same N messages (key, value, headers) to a sibling topic with the same settings, sending all
and awaiting every acknowledgement: the baseline of the relay; both topics are created before timing.
Then, in alternating order, three fresh consumer groups read the relay's N records:
- raw: aiokafka `getmany` + `commit` after every batch, nothing else;
- pipeline: our ConsumerRunner with a handler that does nothing, so the figure is the pipeline itself:
  CloudEvents decode and schema validation, inbox insert, one transaction per batch, metrics, commit;
- pipeline+insert: the same with a handler writing one row per event, as a minimal real projection;
and both pipelines once more with the garbage collector tuned as a service can at start-up (see tuned_gc).
Consumer timings run from the first record in hand (raw: returned by getmany; ours: handed to the decoder)
to the last one settled (raw: its final commit returned; ours: the transaction holding the last event
committed, its offset commit following a moment later), so group joins are not counted.

By default the benchmark starts its own Kafka broker and PostgreSQL server in a temporary folder, so that
other work on the shared development servers does not disturb it. Results go to bench/messaging/results.*.

`--sasl` measures what Kafka authentication costs (issue 16): its own broker with SASL/SCRAM-SHA-512 and ACLs
(KRaft's StandardAuthorizer) and an unauthenticated listener beside it; every repetition runs the relay, raw
aiokafka and the pipeline once on each listener, side by side under the same machine load. The SASL client is
the `referral` service user, not a super user, so every request is also checked against ACLs (prefixed grants
on the bench's topics and groups). Results go to bench/messaging/sasl/results.*.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import logging
import os
import signal
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, ClassVar

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from linkwork_contracts import examples
from linkwork_contracts.envelope import CloudEvent, decode
from linkwork_contracts.events import Event, ReferralCreatedV1
from linkwork_contracts.registry import EVENT_TYPES
from linkwork_runtime.database import open_database
from linkwork_runtime.kafka_connection import Kafka, client_options
from linkwork_runtime.messaging import MIGRATIONS, ConsumerRunner, Handlers, MessagingMetrics, OutboxRelay, add_many
from linkwork_runtime.messaging.producer import create_producer
from prometheus_client import CollectorRegistry

from bench.machine import describe_machine
from bench.messaging.report import write_reports, write_sasl_reports
from bench.servers import own_servers

HERE = Path(__file__).parent
EFFECTS = "CREATE TABLE IF NOT EXISTS bench_effects (referral_id uuid NOT NULL, version int NOT NULL)"


def referral_created_on(topic: str) -> type[ReferralCreatedV1]:
    """The real referral-created model, published on a topic of this repetition's own."""

    class BenchReferralCreated(ReferralCreatedV1):
        TOPIC: ClassVar[str] = topic

    EVENT_TYPES[ReferralCreatedV1.TYPE] = BenchReferralCreated  # decode returns this class
    return BenchReferralCreated


async def until(condition: Callable[[], bool], what: str, every: float = 0.002, limit: float = 300.0) -> float:
    # Polls a Prometheus counter: the code under test offers no event to wait on, and 2 ms is well
    # below the run times measured.
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            dump_tasks()
            raise TimeoutError(f"{what} did not finish within {limit:.0f}s")
        await asyncio.sleep(every)
    return time.perf_counter()


def dump_tasks() -> None:
    """Where every task is waiting, for a run that hangs."""
    for task in asyncio.all_tasks():
        print(f"--- task {task.get_name()}", file=sys.stderr)
        task.print_stack(limit=8, file=sys.stderr)


async def bounded(step: Awaitable[None], what: str, limit: float = 60.0) -> None:
    try:
        await asyncio.wait_for(step, limit)
    except TimeoutError:
        dump_tasks()
        raise TimeoutError(f"{what} did not finish within {limit:.0f}s") from None


async def fill_outbox(pool: asyncpg.Pool, model: type[Event], count: int) -> None:
    template = examples.REFERRAL_CREATED.model_dump()
    events = [model.model_validate({**template, "referral_id": uuid.uuid4()}) for _ in range(count)]
    for start in range(0, count, 1000):
        async with pool.acquire() as connection, connection.transaction():
            await add_many(connection, events[start : start + 1000], source="bench")


async def run_relay(pool: asyncpg.Pool, bootstrap: Kafka, topic: str, count: int, batch: int | None = None) -> float:
    registry = CollectorRegistry()
    metrics = MessagingMetrics(registry)
    # No batch given: the relay's own default batch size, the one services run with.
    relay = (
        OutboxRelay(pool, bootstrap, metrics=metrics)
        if batch is None
        else OutboxRelay(pool, bootstrap, metrics=metrics, batch_size=batch)
    )
    started = time.perf_counter()
    await relay.start()
    finished = await until(
        lambda: (registry.get_sample_value("linkwork_events_published_total", {"topic": topic}) or 0) >= count,
        "the relay",
    )
    await bounded(relay.stop(), "stopping the relay")
    return count / (finished - started)


Message = tuple[bytes, bytes, list[tuple[str, bytes]]]  # key, value, headers


async def outbox_messages(pool: asyncpg.Pool) -> list[Message]:
    """What the relay is about to publish, as it will publish it (see relay._record)."""
    rows = await pool.fetch("SELECT key, value, headers FROM outbox ORDER BY id")
    return [
        (row["key"].encode(), row["value"], [(name, value.encode()) for name, value in row["headers"].items()])
        for row in rows
    ]


async def run_raw_producer(bootstrap: Kafka, topic: str, messages: list[Message]) -> float:
    """The relay's baseline: the same producer settings, every message sent, then every acknowledgement awaited.
    Timed from before the producer starts, as the relay's time includes starting its producer."""
    started = time.perf_counter()
    # aiokafka's own partitioner: the relay's producer uses a faster one giving the same partitions.
    producer: AIOKafkaProducer = create_producer(bootstrap, "bench-raw-producer", partitioner=DefaultPartitioner())
    await producer.start()
    try:
        sent = [await producer.send(topic, value, key=key, headers=headers) for key, value, headers in messages]
        await asyncio.gather(*sent)
        return len(messages) / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def run_raw(bootstrap: Kafka, topic: str, count: int, batch: int) -> float:
    consumer = AIOKafkaConsumer(
        topic,
        **client_options(bootstrap),
        group_id=f"raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=batch,
    )
    await consumer.start()
    seen, first = 0, 0.0
    try:
        while seen < count:
            fetched = await consumer.getmany(timeout_ms=500, max_records=batch)
            if not fetched:
                continue
            if not first:
                first = time.perf_counter()
            seen += sum(len(records) for records in fetched.values())
            await consumer.commit({tp: records[-1].offset + 1 for tp, records in fetched.items()})
        return count / (time.perf_counter() - first)
    finally:
        await consumer.stop()


async def run_pipeline(
    pool: asyncpg.Pool, bootstrap: Kafka, model: type[Event], count: int, batch: int, insert: bool
) -> float:
    first: list[float] = []
    handlers = Handlers()

    @handlers.on(model)
    async def apply(event: Any, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        if insert:
            await connection.execute("INSERT INTO bench_effects VALUES ($1, $2)", event.referral_id, event.version)

    accept = frozenset({model.TYPE})

    def decode_noting_start(raw: bytes) -> tuple[CloudEvent, Event]:
        # The production decoder; wrapped only to note when the first record was in hand.
        if not first:
            first.append(time.perf_counter())
        return decode(raw, accept=accept)

    registry = CollectorRegistry()
    name = f"pipeline-{uuid.uuid4().hex[:8]}"
    runner = ConsumerRunner(
        name,
        pool,
        bootstrap,
        handlers,
        metrics=MessagingMetrics(registry),
        batch_size=batch,
        decode=decode_noting_start,
    )
    labels = {"consumer": name, "topic": model.TOPIC}
    await bounded(runner.start(), "starting the consumer")
    finished = await until(
        lambda: (registry.get_sample_value("linkwork_events_processed_total", labels) or 0) >= count, "the pipeline"
    )
    await bounded(runner.stop(), "stopping the consumer")
    return count / (finished - first[0])


SASL_USER = "referral"


@asynccontextmanager
async def infrastructure(args: argparse.Namespace) -> AsyncIterator[tuple[str, str, Kafka | None]]:
    """(plaintext bootstrap, database URL, the SASL connection with --sasl)."""
    if args.kafka and args.database and not args.sasl:
        yield args.kafka, args.database, None
        return
    from linkwork_stack import kafka_access

    async with own_servers("linkwork-bench-", sasl=args.sasl) as (broker, server):
        if not args.sasl:
            yield broker.bootstrap, server.url(), None
            return
        bench_grants = [
            kafka_access.Grant(SASL_USER, "topic", "bench-", "prefix", ("Read", "Write", "Create", "Describe")),
            *(kafka_access.Grant(SASL_USER, "group", group, "prefix", ("Read", "Describe")) for group in BENCH_GROUPS),
        ]
        await kafka_access.apply(broker.connection(kafka_access.ADMIN), bench_grants)
        yield broker.open_bootstrap, server.url(), broker.connection(SASL_USER)


@contextmanager
def tuned_gc() -> Iterator[None]:
    """What a service can do at start-up: freeze the objects that live for the whole process (modules, models,
    schemas) out of the collector's sight, and collect the youngest generation less often. Decoding
    allocates many short-lived objects, so with the defaults the collector runs every ~700 allocations."""
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


async def timed_with_tuned_gc(run: Callable[[], Awaitable[float]]) -> float:
    with tuned_gc():
        return await run()


BENCH_GROUPS = ("raw-", "pipeline-")  # the consumer groups' prefixes (run_raw, run_pipeline)


def _reported(index: int, result: dict[str, float], load: float) -> dict[str, float]:
    """Print one repetition's rates as it ends (a long run shows progress), and add the load it ran under."""
    print(
        f"  repetition {index + 1}: "
        + ", ".join(
            f"{k} {v:,.0f}/s ({result[f'cpu_us.{k}']:.0f} µs CPU/event)"
            if f"cpu_us.{k}" in result
            else f"{k} {v:,.0f}/s"
            for k, v in result.items()
            if not k.startswith("cpu_us.")
        )
        + f" (load average {load:.1f})",
        flush=True,
    )
    return result | {"load_average": load}


async def sasl_repetition(
    pool: asyncpg.Pool, plain: str, sasl: Kafka, count: int, batch: int, index: int
) -> dict[str, float]:
    """The relay, raw aiokafka and the pipeline once without and once with SASL, alternating which goes first."""
    from linkwork_stack.testing import ensure_topics

    model = referral_created_on(f"bench-{uuid.uuid4().hex[:8]}")
    # Created before timing (4 partitions, as auto-creation gives): otherwise the first relay pays for it.
    await ensure_topics(plain, [model.TOPIC])
    load = os.getloadavg()[0]
    result: dict[str, float] = {}
    first, second = ((plain, ""), (sasl, "_sasl")) if index % 2 == 0 else ((sasl, "_sasl"), (plain, ""))
    for kafka, suffix in (first, second):
        await fill_outbox(pool, model, count)  # the topic ends with 2 x count records; each run reads count
        result[f"relay{suffix}"] = await run_relay(pool, kafka, model.TOPIC, count)
    for kafka, suffix in (first, second):
        result[f"raw{suffix}"] = await run_raw(kafka, model.TOPIC, count, batch)
        result[f"pipeline{suffix}"] = await run_pipeline(pool, kafka, model, count, batch, insert=False)
    return _reported(index, result, load)


async def repetition(
    pool: asyncpg.Pool,
    bootstrap: str,
    count: int,
    batch: int,
    index: int,
    only: frozenset[str] | None = None,
    relay_batch: int | None = None,
) -> dict[str, float]:
    from linkwork_stack.testing import ensure_topics

    model = referral_created_on(f"bench-{uuid.uuid4().hex[:8]}")
    raw_topic = f"{model.TOPIC}-raw"
    # Both created before timing, alike (4 partitions, as auto-creation gives), so neither pays for it.
    await ensure_topics(bootstrap, [model.TOPIC, raw_topic])
    await fill_outbox(pool, model, count)
    messages = await outbox_messages(pool)
    load = os.getloadavg()[0]  # other work on the machine: the figures of a busy repetition are lower
    result: dict[str, float] = {}

    async def measured(name: str, run: Awaitable[float]) -> None:
        # CPU time of this process per event, beside the rate: on a busy machine the rate of a CPU-bound
        # measure falls with the load, while its CPU cost per event says what the code itself costs.
        cpu = time.process_time()
        result[name] = await run
        result[f"cpu_us.{name}"] = (time.process_time() - cpu) / count * 1e6

    producers: dict[str, Callable[[], Awaitable[float]]] = {
        # The relay always runs: the consumers read what it published.
        "relay": lambda: run_relay(pool, bootstrap, model.TOPIC, count, relay_batch),
        "raw_producer": lambda: run_raw_producer(bootstrap, raw_topic, messages),
    }
    if only is not None and "raw_producer" not in only:
        del producers["raw_producer"]
    for name in list(producers) if index % 2 == 0 else list(reversed(producers)):
        await measured(name, producers[name]())
    messages.clear()  # the relay and the raw producer are done with them

    def pipeline(insert: bool) -> Callable[[], Awaitable[float]]:
        return lambda: run_pipeline(pool, bootstrap, model, count, batch, insert=insert)

    runs: dict[str, Callable[[], Awaitable[float]]] = {
        "raw": lambda: run_raw(bootstrap, model.TOPIC, count, batch),
        "pipeline": pipeline(False),
        "pipeline_tuned_gc": lambda: timed_with_tuned_gc(pipeline(False)),
        "pipeline_insert": pipeline(True),
        "pipeline_insert_tuned_gc": lambda: timed_with_tuned_gc(pipeline(True)),
    }
    if only is not None:
        runs = {name: run for name, run in runs.items() if name in only}
    order = list(runs) if index % 2 == 0 else list(reversed(runs))  # neither goes first every time
    for name in order:
        await measured(name, runs[name]())
    await pool.execute("TRUNCATE bench_effects")
    return _reported(index, result, load)


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    machine = describe_machine()  # before anything starts, for its load average at the start
    async with infrastructure(args) as (bootstrap, database, sasl):
        pool = await open_database(database, {"messaging": MIGRATIONS}, max_size=10)
        await pool.execute(EFFECTS)
        try:
            if sasl is not None:
                await sasl_repetition(pool, bootstrap, sasl, min(args.events, 2000), args.batch, 0)  # warm-up
                runs = [
                    await sasl_repetition(pool, bootstrap, sasl, args.events, args.batch, i)
                    for i in range(args.repetitions)
                ]
            else:
                only = frozenset(args.only.split(",")) if args.only else None
                measure = functools.partial(repetition, pool, bootstrap, only=only, relay_batch=args.relay_batch)
                await measure(min(args.events, 2000), args.batch, 0)  # warm-up, not reported
                runs = [await measure(args.events, args.batch, i) for i in range(args.repetitions)]
        finally:
            await pool.close()
    if sasl is not None:
        write_sasl_summary(args, machine, runs)
        return
    medians = _medians(runs)
    summary = {
        **_described(args, machine, "shared servers" if args.kafka else "own Kafka broker and PostgreSQL server"),
        "runs": runs,
        "medians": medians,
        "ratios_to_raw": _ratios(medians),
    }
    if args.only:
        print(json.dumps({"medians": medians, "ratios_to_raw": summary["ratios_to_raw"]}, indent=2))
        return  # a partial run (profiling) writes no report
    # Only --write replaces the committed results; other runs (make bench --quick) go to the git-ignored bench/out.
    write_reports(summary, HERE if args.write else HERE.parent / "out" / "messaging")
    print(json.dumps({"medians": medians, "ratios_to_raw": summary["ratios_to_raw"]}, indent=2))


def write_sasl_summary(args: argparse.Namespace, machine: dict[str, object], runs: list[dict[str, float]]) -> None:
    medians = _medians(runs)
    summary = {
        **_described(
            args,
            machine,
            "own Kafka broker (SASL/SCRAM-SHA-512 + ACLs beside an unauthenticated listener) and PostgreSQL server",
        ),
        "runs": runs,
        "medians": medians,
        "sasl_to_plain": {name: medians[f"{name}_sasl"] / medians[name] for name in ("relay", "raw", "pipeline")},
    }
    write_sasl_reports(summary, HERE / "sasl" if args.write else HERE.parent / "out" / "messaging-sasl")
    print(json.dumps({"medians": medians, "sasl_to_plain": summary["sasl_to_plain"]}, indent=2))


def _ratios(medians: dict[str, float]) -> dict[str, float]:
    """Each pipeline against raw consume-and-commit, and the relay against the raw producer."""
    ratios = {
        name: medians[name] / medians["raw"] for name in medians if name.startswith("pipeline") and "raw" in medians
    }
    # (cpu_us.* keys start with "cpu_us", so they never match the pipeline names above)
    if "raw_producer" in medians:
        ratios["relay"] = medians["relay"] / medians["raw_producer"]
    return ratios


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(run[name] for run in runs) for name in runs[0] if name != "load_average"}


def _described(args: argparse.Namespace, machine: dict[str, object], infrastructure: str) -> dict[str, Any]:
    """What every summary says about how it was measured, so a reader can run it again."""
    return {
        "command": " ".join([Path(sys.executable).name, "-m", "bench.messaging", *sys.argv[1:]]),
        "machine": machine,
        "events": args.events,
        "repetitions": args.repetitions,
        "batch": args.batch,
        "infrastructure": infrastructure,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.messaging")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--batch", type=int, default=500, help="records per fetch and per transaction")
    parser.add_argument("--kafka", help="use this broker instead of starting one")
    parser.add_argument("--database", help="use this PostgreSQL database URL instead of starting a server")
    parser.add_argument("--sasl", action="store_true", help="measure SASL/SCRAM + ACLs against plaintext (own broker)")
    parser.add_argument(
        "--only",
        help="comma-separated measures to run (e.g. pipeline or raw_producer; the relay always runs), for profiling; "
        "writes no report",
    )
    parser.add_argument("--relay-batch", type=int, help="the relay's batch_size (default: the relay's own)")
    parser.add_argument("--write", action="store_true", help="replace the committed results.json and results.md")
    # SIGTERM ends the run like Ctrl-C does, so the servers it started are stopped too.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    asyncio.run(main(parser.parse_args()))
