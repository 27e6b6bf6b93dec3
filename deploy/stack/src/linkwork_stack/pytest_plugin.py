"""pytest fixtures giving every test suite a real Kafka broker, a real PostgreSQL server and a real Keycloak.

Resolution order, per service: an already-running one named by an environment variable
(`LINKWORK_TEST_KAFKA_BOOTSTRAP`, `LINKWORK_TEST_DATABASE_URL`, `LINKWORK_TEST_KEYCLOAK_URL`), else containers
when a Docker engine answers (Kafka and PostgreSQL), else the same Kafka, embedded PostgreSQL and Keycloak that
`linkwork-stack` runs. There is no fallback to skipping: if none of these can start, the fixture fails with the
reason.

The broker started here has SASL/SCRAM users and ACLs (issue 16) plus a loopback listener without
authentication whose clients are super users: `kafka_bootstrap` is that listener (tests that are not about
authentication stay unchanged), `secured_kafka` the broker itself (docs/decisions/16-kafka-auth.md).

Every test, and every module, that leaves an aiokafka client running in the session-wide event loop errors at
its teardown, naming the client's tasks (linkwork_stack.kafka_leaks): such a client would live on and log its
errors into later tests.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import tempfile
import uuid
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from linkwork_stack import containers, postgres_user
from linkwork_stack.databases import scratch_database
from linkwork_stack.kafka import KafkaBroker
from linkwork_stack.kafka_leaks import describe, running_kafka_clients
from linkwork_stack.keycloak import KeycloakRealm, KeycloakServer
from linkwork_stack.ports import free_port
from linkwork_stack.postgres import PostgresServer


@contextmanager
def _resolved(
    variable: str, container: Callable[[], AbstractContextManager[str]], own: Callable[[], AbstractContextManager[str]]
) -> Iterator[str]:
    """The address of a server in the order this module's docstring gives: the running one `variable` names,
    else a container when a Docker engine answers, else our own."""
    if named := os.environ.get(variable):
        yield named
        return
    with (container if containers.docker_available() else own)() as address:
        yield address


@pytest.fixture(scope="session")
def own_kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], KafkaBroker]]:
    """Starts, on first call, the session's own broker: SASL/SCRAM users and ACLs plus an open test listener.

    One broker serves both `kafka_bootstrap` (its open listener, when no other broker is named) and
    `secured_kafka`, so a session starts at most one JVM broker (docs/decisions/16-kafka-auth.md).
    """
    started: list[KafkaBroker] = []
    failed: list[BaseException] = []

    def get() -> KafkaBroker:
        if failed:  # never hand a broker that did not start to a later test, to wait on until it times out
            raise RuntimeError("the session's own Kafka broker failed to start") from failed[0]
        if not started:
            broker = KafkaBroker(
                tmp_path_factory.mktemp("kafka"),
                port=free_port(),
                controller_port=free_port(),
                secured=True,
                open_port=free_port(),
            )
            started.append(broker)  # stopped below even if start fails half-way
            try:
                broker.start()
            except BaseException as error:
                failed.append(error)
                raise
        return started[0]

    yield get
    for broker in started:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(own_kafka_broker: Callable[[], KafkaBroker]) -> Iterator[str]:
    """A broker every test may use without credentials (super user on the session's own broker)."""
    with _resolved(
        "LINKWORK_TEST_KAFKA_BOOTSTRAP", containers.kafka, lambda: nullcontext(own_kafka_broker().open_bootstrap)
    ) as bootstrap:
        yield bootstrap


@pytest.fixture(scope="session")
def secured_kafka(own_kafka_broker: Callable[[], KafkaBroker]) -> KafkaBroker:
    """A broker with authentication and the linkwork ACLs (always our own: a shared broker is plaintext).

    `secured_kafka.connection("referral")` is that service's KafkaConnection, `.service_env("referral")` its
    LINKWORK_KAFKA_* settings, `.open_bootstrap` an unauthenticated super-user listener for test set-up.
    """
    return own_kafka_broker()


@pytest.fixture(scope="session")
def server_dir() -> Iterator[Callable[[str], Path]]:
    """New folders for servers that drop root's privileges (PostgreSQL runs as an unprivileged user).

    They live outside pytest's own temporary folder because every pytest run that starts makes that
    folder private to root again, which would cut a running PostgreSQL off from its data.
    """
    root = Path(tempfile.mkdtemp(prefix="linkwork-servers-"))
    root.chmod(0o755)
    numbers = itertools.count()
    made: list[Path] = []

    def make(name: str) -> Path:
        folder = root / f"{name}{next(numbers)}"
        folder.mkdir()
        made.append(folder)
        return folder

    yield make
    for folder in made:
        postgres_user.discard_cluster(folder)  # a cluster PostgreSQL's user kept outside the folder, if any
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(server_dir: Callable[[str], Path]) -> Iterator[str]:
    """URL of a server on which tests may create databases."""

    @contextmanager
    def own_server() -> Iterator[str]:
        with PostgresServer(server_dir("postgres"), port=free_port()) as server:
            yield server.url()

    with _resolved("LINKWORK_TEST_DATABASE_URL", containers.postgres, own_server) as url:
        yield url


@pytest.fixture
async def database_url(postgres_url: str) -> AsyncIterator[str]:
    """A new, empty database for one test, dropped afterwards."""
    async with scratch_database(postgres_url) as url:
        yield url


@pytest.fixture
def topic_name() -> str:
    """A topic name no other test uses, so tests never see each other's messages."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def keycloak(server_dir: Callable[[str], Path]) -> Iterator[KeycloakRealm]:
    """The linkwork realm on a real Keycloak: endpoints (`issuer`, `jwks_url`, ...), `service_env()` for services.

    `LINKWORK_TEST_KEYCLOAK_URL` (e.g. http://127.0.0.1:8080) reuses a running Keycloak that imported
    deploy/keycloak/linkwork-realm.json; otherwise one is started for the session (slow on a busy machine).
    """
    if url := os.environ.get("LINKWORK_TEST_KEYCLOAK_URL"):
        yield KeycloakRealm(url.rstrip("/"))
        return
    with KeycloakServer(server_dir("keycloak"), port=free_port()) as server:
        yield server.realm()


@pytest.fixture(scope="session")
def keycloak_token(keycloak: KeycloakRealm) -> Callable[..., str]:
    """`keycloak_token("link-worker")`: a real access token for a demo user (password `linkwork-demo`).

    `keycloak_token(username, audience=False)` gives one without the services' audience, which they refuse.
    """
    return keycloak.token


# Leaked clients already reported, so the module-wide check does not report a test's leak a second time.
_reported: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()


@asynccontextmanager
async def _failing_on_kafka_clients_left(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Fail the test or module that leaves aiokafka clients running in the session's loop, naming them."""
    before = running_kafka_clients()
    yield
    left = running_kafka_clients() - before - set(_reported)
    if left:
        _reported.update(left)
        tasks = "\n".join(f"  {describe(task)}" for task in sorted(left, key=describe))
        pytest.fail(
            f"{request.node.nodeid} left {len(left)} aiokafka task(s) running: a consumer, producer or admin "
            f"client that was never stopped (is its start() inside the try whose finally stops it?)\n{tasks}",
            pytrace=False,
        )


# Both run in the session-wide loop, where a leaked client lives on; each costs one look at the loop's tasks.
@pytest_asyncio.fixture(autouse=True, loop_scope="session")
async def no_kafka_client_left_by_the_test(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Fails, at teardown, a test (with its own fixtures) that leaves an aiokafka client running."""
    async with _failing_on_kafka_clients_left(request):
        yield


@pytest_asyncio.fixture(autouse=True, scope="module", loop_scope="session")
async def no_kafka_client_left_by_the_module(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """The same for a module's own fixtures (a service running for the whole module), when the module ends."""
    async with _failing_on_kafka_clients_left(request):
        yield
