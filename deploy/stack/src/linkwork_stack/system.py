"""The whole system as one object: its own Kafka and PostgreSQL, and the four services as processes.

Used by end-to-end and fault-injection tests and by the end-to-end benchmarks. It gets a broker of its own
so that no other test's events on the shared topics leak into the figures it checks, and so that a fault
test may stop and restart any part. Given a Keycloak realm, the services verify its RS256 tokens through JWKS
(the production path) and `headers()` signs in as a demo user; without one they take HS256 test tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from linkwork_runtime.auth import issue_token

from linkwork_stack import testing
from linkwork_stack.infrastructure import Infrastructure
from linkwork_stack.keycloak import KeycloakRealm
from linkwork_stack.ports import free_port
from linkwork_stack.services import SERVICES, ServiceProcess, wait_until_ready

JWT_SECRET = "end-to-end-test-secret-of-32-bytes!!"
PERSON_REF_SECRET = "end-to-end-person-ref-secret-of-32-bytes"
PCN = "U00001"


@dataclass
class SystemUnderTest:
    root: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    keycloak: KeycloakRealm | None = None
    infra: Infrastructure = field(init=False)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    _log: IO[str] | None = None

    def __post_init__(self) -> None:
        self.infra = Infrastructure.under(self.root / "data", free_port(), free_port(), free_port())

    def start(self, timeout: float = 120.0) -> None:
        self.infra.start()
        self._log = (self.root / "services.log").open("a")
        for name in SERVICES:
            port = free_port()
            self.services[name] = ServiceProcess(
                name,
                port,
                {
                    "LINKWORK_DATABASE_URL": self.infra.postgres.url(name),
                    "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": self.infra.kafka.bootstrap,
                    "LINKWORK_HTTP_PORT": str(port),
                    "LINKWORK_JWT_SECRET": JWT_SECRET,
                    "LINKWORK_PERSON_REF_SECRET": PERSON_REF_SECRET,
                    **(self.keycloak.service_env() if self.keycloak else {}),
                    **self.extra_env,
                },
            )
            self.services[name].start(self._log)
        try:
            wait_until_ready(list(self.services.values()), timeout)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(f"{error}\n--- services.log ---\n{self.log_tail()}") from error

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()
        self.infra.stop()
        if self._log is not None:
            self._log.close()

    def url(self, service: str) -> str:
        return self.services[service].url

    def kill(self, service: str) -> None:
        """SIGKILL the service: no shutdown hook runs, exactly like a crash."""
        process = self.services[service]
        if process.process is not None and process.process.poll() is None:
            process.process.kill()
            process.process.wait()

    def restart(self, service: str, timeout: float = 60.0) -> None:
        assert self._log is not None
        self.services[service].start(self._log)
        wait_until_ready([self.services[service]], timeout)

    def headers(
        self, role: str, subject: str = "e2e-user", pcn: str = PCN, organisation: str | None = None
    ) -> dict[str, str]:
        """`Authorization` for someone of `role`: a real Keycloak token for its demo user when the system has a
        realm (Keycloak then decides subject, PCN and organisation), else an HS256 test token."""
        if self.keycloak is not None:
            return self.keycloak.headers(role)
        return auth_header(role, subject, pcn, organisation)

    def log_tail(self, lines: int = 80) -> str:
        text = (self.root / "services.log").read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


DEMO_ICB = "QWO"  # the ICB of the demo PCN in the outcomes service's sample area table


def auth_header(
    role: str, subject: str = "e2e-user", pcn: str = PCN, organisation: str | None = None
) -> dict[str, str]:
    # A commissioner's token names their ICB (as the realm's demo commissioner's does): reports are per ICB.
    icb = DEMO_ICB if role == "commissioner" else None
    jwt = issue_token(JWT_SECRET, subject=subject, role=role, pcn=pcn, organisation=organisation, icb=icb)
    return {"Authorization": f"Bearer {jwt}"}


async def eventually(check: Any, *, within: float = 60.0, interval: float = 0.25, what: str = "condition") -> Any:
    """`testing.eventually` for checks against running services: an HTTP error means "not ready yet"."""
    return await testing.eventually(check, within=within, every=interval, what=what, tolerate=(httpx.HTTPError,))


def load_demo_directory(system: SystemUnderTest, count: int, seed: int = 1) -> None:
    """Fill the directory through its own importer; its relay then announces every service on Kafka."""
    import subprocess
    import sys

    subprocess.run(
        [
            sys.executable,
            "-m",
            "linkwork_directory.entrypoints.demo",
            "--count",
            str(count),
            "--seed",
            str(seed),
            "--database-url",
            system.infra.postgres.url("directory"),
        ],
        check=True,
        capture_output=True,
        text=True,
    )


async def metric_value(client: httpx.AsyncClient, url: str, name: str) -> float:
    """The sum of a metric's samples on a service's /metrics page (0 when absent)."""
    text = (await client.get(f"{url}/metrics")).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and (line[len(name)] in " {"):
            total += float(line.rsplit(" ", 1)[1])
    return total
