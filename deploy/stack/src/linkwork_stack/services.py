"""The four linkwork services as child processes of the runner, with prefixed log streaming."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO

import httpx

from linkwork_stack.server_process import terminate

SERVICES = ("referral", "directory", "matching", "outcomes")
_COLOURS = {"referral": 36, "directory": 32, "matching": 35, "outcomes": 33, "console": 34, "notifications": 31}


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _pump: threading.Thread | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, out: IO[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"linkwork_{self.name}"],
            env={**os.environ, **self.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._pump = threading.Thread(target=self._stream, args=(out,), daemon=True)
        self._pump.start()

    def _stream(self, out: IO[str]) -> None:
        assert self.process is not None and self.process.stdout is not None
        prefix = f"{self.name:<9} |"
        if out.isatty():
            prefix = f"\033[{_COLOURS[self.name]}m{prefix}\033[0m"
        for line in iter(self.process.stdout.readline, b""):
            out.write(f"{prefix} {line.decode(errors='replace').rstrip()}\n")
            out.flush()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def is_ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, timeout: float = 25.0) -> None:
        if self.process is None:
            return
        terminate(self.process, signal.SIGTERM, timeout)
        if self._pump is not None:
            self._pump.join(timeout=2)


def wait_until_ready(services: list[ServiceProcess], timeout: float, report_every: float = 10.0) -> None:
    """Wait for every service's /ready, saying every `report_every` seconds which ones are still awaited."""
    started = time.monotonic()
    deadline = started + timeout
    next_report = started + report_every
    pending = list(services)
    while pending and time.monotonic() < deadline:
        for service in list(pending):
            if not service.running():
                raise RuntimeError(f"the {service.name} service exited during start-up (see its log above)")
            if service.is_ready():
                pending.remove(service)
        if pending and time.monotonic() >= next_report:
            names = ", ".join(f"{s.name} ({s.url}/ready)" for s in pending)
            waited = time.monotonic() - started
            print(f"[stack] waiting for {names}: {waited:.0f}s of up to {timeout:.0f}s", flush=True)
            next_report += report_every
        time.sleep(0.3)
    if pending:
        names = ", ".join(s.name for s in pending)
        raise TimeoutError(f"not ready after {timeout:.0f}s: {names}")
