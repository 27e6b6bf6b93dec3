"""A real single-node Apache Kafka 4 broker (KRaft, combined broker+controller) run from Maven jars.

No Docker: Maven resolves `org.apache.kafka:kafka_2.13` and its dependencies (see deploy/kafka/pom.xml)
into the cache once; then the storage is formatted and `kafka.Kafka` runs on the JVM.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import BrokerResponseError, TopicAlreadyExistsError, for_code
from linkwork_runtime.kafka_connection import Kafka, KafkaConnection, client_options
from pydantic import SecretStr

from linkwork_stack import kafka_access, kafka_topics, paths
from linkwork_stack.kafka_access import ADMIN
from linkwork_stack.ports import is_listening
from linkwork_stack.prerequisites import require_java, require_maven
from linkwork_stack.server_process import ServerProcess

STARTED_LINE = "Kafka Server started"


def jars_dir() -> Path:
    return paths.cache_dir() / "kafka-jars"


def provision_jars() -> Path:
    """Resolve the broker's jars with Maven into the cache, unless already there."""
    target = jars_dir()
    if any(target.glob("kafka_2.13-*.jar")):
        return target
    mvn = require_maven()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Download into a scratch folder and rename, so an interrupted download is never mistaken for a complete one.
    scratch = Path(tempfile.mkdtemp(prefix="kafka-jars-", dir=target.parent))
    print(
        f"[stack] resolving Apache Kafka jars with Maven into {target} (first run only, about 60 MB from Maven "
        "Central; Maven prints each download)",
        flush=True,
    )
    # Maven's own output streams through, so a slow first download shows its progress instead of silence.
    result = subprocess.run(
        [
            mvn,
            "-B",
            "-f",
            str(paths.KAFKA_POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={scratch}",
            "-DincludeScope=runtime",
        ],
        check=False,
    )
    if result.returncode != 0 or not any(scratch.glob("kafka_2.13-*.jar")):
        shutil.rmtree(scratch, ignore_errors=True)
        raise RuntimeError(f"Maven could not resolve Apache Kafka (exit {result.returncode}; its output is above)")
    shutil.rmtree(target, ignore_errors=True)
    scratch.rename(target)
    return target


def server_properties(
    data: Path,
    port: int,
    controller_port: int,
    credentials: KafkaCredentials | None = None,
    open_port: int | None = None,
) -> str:
    """A combined broker+controller; with `credentials`, SASL/SCRAM and ACLs (see KafkaBroker)."""
    common = [
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}",
        "controller.listener.names=CONTROLLER",
        f"log.dirs={data / 'logs'}",
        "num.partitions=4",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=4",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=true",
    ]
    if credentials is None:
        listeners = [
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        ]
        return "\n".join([*common, *listeners, ""])
    admin = credentials.password(ADMIN)
    opened = [f"OPEN://127.0.0.1:{open_port}"] if open_port else []
    secured = [
        f"listeners={','.join([f'SASL://127.0.0.1:{port}', f'CONTROLLER://127.0.0.1:{controller_port}', *opened])}",
        f"advertised.listeners={','.join([f'SASL://127.0.0.1:{port}', *opened])}",
        "listener.security.protocol.map=SASL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT,OPEN:PLAINTEXT",
        # Clients and the broker itself authenticate with SCRAM-SHA-512 (users stored in the KRaft metadata).
        "inter.broker.listener.name=SASL",
        "sasl.enabled.mechanisms=SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
        "listener.name.sasl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
        f'required username="{ADMIN}" password="{admin}";',
        # KRaft cannot use SCRAM on the controller listener (the users live in the metadata it serves), so it
        # takes PLAIN with the one admin user: a plaintext controller port would make anyone who reaches it a
        # super user.
        "sasl.mechanism.controller.protocol=PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
        "listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
        f'required username="{ADMIN}" password="{admin}" user_{ADMIN}="{admin}";',
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found=false",
        # The OPEN listener (tests only, loopback) has no authentication: its clients are User:ANONYMOUS.
        f"super.users=User:{ADMIN}" + (";User:ANONYMOUS" if open_port else ""),
    ]
    return "\n".join([*common, *secured, ""])


@dataclass(frozen=True)
class KafkaCredentials:
    """The SCRAM password of each Kafka user, random per data folder, kept beside the broker's storage (0600).

    Never the same on two machines: a fixed development password in the repository would let anyone who
    reaches the broker read gp-record-update (the rule of issue 15 for secrets).
    """

    passwords: dict[str, str]

    @classmethod
    def load_or_create(cls, path: Path, names: list[str]) -> KafkaCredentials:
        known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        missing = [name for name in names if name not in known]
        if missing:
            known |= {name: secrets.token_urlsafe(32) for name in missing}
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(json.dumps(known, indent=2) + "\n")
        return cls(known)

    def password(self, user: str) -> str:
        return self.passwords[user]

    def scram_arguments(self) -> list[str]:
        """StorageTool's --add-scram for every user: SCRAM users are written into the metadata at format time."""
        arguments = []
        for user, password in self.passwords.items():
            arguments += ["--add-scram", f"SCRAM-SHA-512=[name={user},password={password}]"]
        return arguments


@dataclass
class KafkaBroker(ServerProcess):
    """One broker process; `data` holds its config, storage and log.

    `secured`: SASL/SCRAM-SHA-512 on `port` with one user per service plus `integration` (random passwords,
    `credentials`), ACLs from linkwork_stack.kafka_access enforced by KRaft's StandardAuthorizer, and every
    catalogue topic created. `open_port` (tests only) adds a loopback PLAINTEXT listener whose anonymous
    clients are super users, so tests that are not about authentication keep their plain clients
    (docs/decisions/16-kafka-auth.md).
    """

    data: Path
    port: int = 9092
    controller_port: int = 9093
    heap: str = "768m"
    secured: bool = False
    open_port: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log: IO[bytes] | None = field(default=None, init=False)
    _credentials: KafkaCredentials | None = field(default=None, init=False)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def open_bootstrap(self) -> str:
        if self.open_port is None:
            raise ValueError("this broker has no open (unauthenticated) listener")
        return f"127.0.0.1:{self.open_port}"

    @property
    def credentials(self) -> KafkaCredentials:
        """Every user's password (made on first use, so services can be configured before the broker starts)."""
        if not self.secured:
            raise ValueError("only a secured broker has users")
        if self._credentials is None:
            self._load_credentials()
        assert self._credentials is not None
        return self._credentials

    def connection(self, user: str, password: str | None = None) -> KafkaConnection:
        """How `user` reaches the SASL listener (with its own password unless another is given)."""
        secret = self.credentials.password(user) if password is None else password
        return KafkaConnection(self.bootstrap, "SASL_PLAINTEXT", "SCRAM-SHA-512", user, SecretStr(secret))

    def service_env(self, user: str) -> dict[str, str]:
        """The LINKWORK_KAFKA_* settings of a service that connects as `user`."""
        env = {"LINKWORK_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap}
        if self.secured:
            env |= {
                "LINKWORK_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                "LINKWORK_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                "LINKWORK_KAFKA_SASL_USERNAME": user,
                "LINKWORK_KAFKA_SASL_PASSWORD": self.credentials.password(user),
            }
        return env

    @property
    def log_file(self) -> Path:
        return self.data / "server.log"

    def _java(self, *args: str) -> list[str]:
        classpath = str(provision_jars() / "*")
        return [require_java(), f"-Xmx{self.heap}", f"-Dkafka.logs.dir={self.data}", "-cp", classpath, *args]

    def _format_storage(self, config: Path) -> None:
        if (self.data / "logs" / "meta.properties").exists():
            return
        cluster_id = (
            subprocess.run(
                self._java("kafka.tools.StorageTool", "random-uuid"), capture_output=True, text=True, check=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        scram = self._credentials.scram_arguments() if self._credentials else []
        subprocess.run(
            self._java(
                "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config), "--standalone", *scram
            ),
            capture_output=True,
            text=True,
            check=True,
        )

    @property
    def credentials_file(self) -> Path:
        return self.data / "credentials.json"

    def _load_credentials(self) -> None:
        path = self.credentials_file
        names = [ADMIN, *kafka_access.users()]
        formatted = (self.data / "logs" / "meta.properties").exists()
        known = set(json.loads(path.read_text())) if path.exists() else set()
        if formatted and not set(names) <= known:
            # SCRAM users are written at format time; this storage was formatted before some of them existed.
            raise RuntimeError(
                f"Kafka's storage in {self.data} was formatted without the users {sorted(set(names) - known)}: "
                "start with a fresh data folder (linkwork-stack run --fresh)"
            )
        self._credentials = KafkaCredentials.load_or_create(path, names)

    def start(self, timeout: float = 90.0) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        if self.secured and self._credentials is None:
            self._load_credentials()
        config = self.data / "server.properties"
        config.touch(mode=0o600)  # it holds the admin password when secured
        config.write_text(
            server_properties(self.data, self.port, self.controller_port, self._credentials, self.open_port)
        )
        self._format_storage(config)
        start_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        self._log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            self._java("kafka.Kafka", str(config)),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until(lambda: is_listening(self.port), timeout, f"listening on port {self.port}")
        self.wait_until(lambda: self._logged(STARTED_LINE, start_offset), timeout, f"logging '{STARTED_LINE}'")
        if self.secured:
            asyncio.run(self._provision())

    async def _provision(self) -> None:
        """As the super user: every catalogue topic (one replica here) and every ACL."""
        admin = self.connection(ADMIN)
        await create_topics(admin)
        await kafka_access.apply(admin)

    def _logged(self, text: str, offset: int) -> bool:
        """Whether the log has `text` after `offset` (where this start began writing)."""
        with self.log_file.open("rb") as log:
            log.seek(offset)
            return text.encode() in log.read()


async def create_topics(kafka: Kafka) -> None:
    """Every catalogue topic and dead-letter topic that does not exist yet, as linkwork_stack.kafka_topics says."""
    await create_missing_topics(
        kafka,
        [
            NewTopic(
                topic.name,
                topic.partitions,
                1,
                topic_configs={key: str(value) for key, value in {**topic.config, "min.insync.replicas": 1}.items()},
            )
            for topic in kafka_topics.topics()
        ],
    )


async def create_missing_topics(kafka: Kafka, wanted: Iterable[NewTopic]) -> None:
    """Create those of `wanted` the broker lacks; another client racing to create one is fine."""
    admin = AIOKafkaAdminClient(**client_options(kafka))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [topic for topic in wanted if topic.name not in existing]
        if missing:
            response = await admin.create_topics(missing)
            raise_topic_errors("create", response.topic_errors, TopicAlreadyExistsError)
    finally:
        await admin.close()


def raise_topic_errors(action: str, results: Iterable[tuple[Any, ...]], harmless: type[BrokerResponseError]) -> None:
    """Raise the first error of an admin request's per-topic `results` (topic, error code[, message]) other
    than `harmless` (another client won a race to do the same).

    aiokafka's admin client returns these errors in the answer rather than raising them, so a topic the
    broker refused would otherwise surface only later: as a topic with no partitions, or one the broker
    auto-created with its default settings.
    """
    for topic, code, *message in results:
        if code not in (0, harmless.errno):
            detail = f": {message[0]}" if message and message[0] else ""
            raise for_code(code)(f"could not {action} topic {topic!r}{detail}")
