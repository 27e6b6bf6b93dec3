"""The whole system for the console's browser tests: Kafka, PostgreSQL, the four services trusting a real Keycloak
(RS256 through JWKS), the console signing people in through that Keycloak, and Debian's Chromium driven by
Playwright with axe-core checking every page."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from linkwork_stack.console import console_process
from linkwork_stack.keycloak import KeycloakRealm
from linkwork_stack.ports import free_port
from linkwork_stack.services import ServiceProcess, wait_until_ready
from linkwork_stack.system import SystemUnderTest, load_demo_directory
from playwright.async_api import Browser, async_playwright

CHROMIUM = os.environ.get("LINKWORK_CHROMIUM", "/usr/bin/chromium")
DIRECTORY_SIZE = 300
# Screenshots of every page the journey visits: a test artefact (the committed set is in docs/screenshots).
ARTEFACTS = Path(os.environ.get("LINKWORK_ARTEFACTS_DIR", Path(__file__).resolve().parents[2] / ".data" / "artefacts"))


@dataclass
class ConsoleSystem:
    system: SystemUnderTest
    console: ServiceProcess
    keycloak: KeycloakRealm

    @property
    def url(self) -> str:
        return self.console.url

    def service(self, name: str) -> str:
        return self.system.url(name)


@pytest.fixture(scope="package")
def stack(server_dir: Callable[[str], Path], keycloak: KeycloakRealm) -> Iterator[ConsoleSystem]:
    system = SystemUnderTest(server_dir("console-system"), {"LINKWORK_FOLLOW_UP_POLL_SECONDS": "2"}, keycloak=keycloak)
    console: ServiceProcess | None = None
    try:
        system.start()
        load_demo_directory(system, DIRECTORY_SIZE)
        system.infra.postgres.create_database("console")
        console = console_process(
            free_port(),
            system.infra.postgres.url("console"),
            keycloak.issuer,
            {name: system.url(name) for name in system.services},
        )
        assert system._log is not None
        console.start(system._log)
        wait_until_ready([console], 60)
        yield ConsoleSystem(system, console, keycloak)
    finally:
        if console is not None:
            console.stop()
        system.stop()


@pytest.fixture(scope="package")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
def artefacts() -> Path:
    folder = ARTEFACTS / "console"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
