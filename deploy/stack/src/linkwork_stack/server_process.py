"""Stopping and killing a server that runs as our child process in its own process group."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, ClassVar, Self


def terminate(process: subprocess.Popen[bytes], stop_signal: signal.Signals, timeout: float) -> None:
    """Send `stop_signal` to a running child and wait `timeout` seconds; then SIGKILL its whole process group."""
    if process.poll() is None:
        process.send_signal(stop_signal)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class ServerProcess:
    """Mixed into a server dataclass that sets `process` and `_log` when it starts."""

    STOP_SIGNAL: ClassVar[signal.Signals] = signal.SIGTERM
    process: subprocess.Popen[bytes] | None
    _log: IO[bytes] | None

    def start(self) -> None:
        raise NotImplementedError

    @property
    def log_file(self) -> Path:
        """Where the server writes its output, for errors to point at."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        """`with Server(...) as server:` starts it and stops it on leaving, however the block ends."""
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll `ready()` until it holds. A server that exits meanwhile is an error at once, not at the timeout:
        a start-up that failed after the port opened would otherwise look like a slow one."""
        deadline = time.monotonic() + timeout
        while not ready():
            if not self.running():
                code = None if self.process is None else self.process.returncode
                raise RuntimeError(f"{type(self).__name__} exited (code {code}) before {what}; see {self.log_file}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{type(self).__name__} still not {what} after {timeout:.0f}s; see {self.log_file}")
            time.sleep(0.2)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the server to shut down cleanly; SIGKILL its whole group if it has not within `timeout`."""
        if self.process is not None:
            terminate(self.process, self.STOP_SIGNAL, timeout)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """SIGKILL the server and its children at once, as a crash would: for fault-injection tests."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.stop()
