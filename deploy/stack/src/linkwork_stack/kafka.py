"""A real single-node Apache Kafka 4 broker (KRaft, combined broker+controller) run from Maven jars.

No Docker: Maven resolves `org.apache.kafka:kafka_2.13` and its dependencies (see deploy/kafka/pom.xml)
into the cache once; then the storage is formatted and `kafka.Kafka` runs on the JVM.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from linkwork_stack import paths
from linkwork_stack.ports import wait_for_port
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


def server_properties(data: Path, port: int, controller_port: int) -> str:
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}",
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
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
            "",
        ]
    )


@dataclass
class KafkaBroker(ServerProcess):
    """One broker process; `data` holds its config, storage and log."""

    data: Path
    port: int = 9092
    controller_port: int = 9093
    heap: str = "768m"
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log: IO[bytes] | None = field(default=None, init=False)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

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
        subprocess.run(
            self._java("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config), "--standalone"),
            capture_output=True,
            text=True,
            check=True,
        )

    def start(self, timeout: float = 90.0) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        config = self.data / "server.properties"
        config.write_text(server_properties(self.data, self.port, self.controller_port))
        self._format_storage(config)
        start_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        self._log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            self._java("kafka.Kafka", str(config)),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        alive = lambda: self.process is not None and self.process.poll() is None  # noqa: E731
        wait_for_port(self.port, timeout, "Kafka", alive=alive)
        self._wait_for_log_line(STARTED_LINE, start_offset, timeout)

    def _wait_for_log_line(self, text: str, offset: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.log_file.open("rb") as log:
                log.seek(offset)
                if text.encode() in log.read():
                    return
            time.sleep(0.2)
        raise TimeoutError(f"Kafka did not report '{text}' within {timeout:.0f}s; see {self.log_file}")
