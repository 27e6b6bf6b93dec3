"""Stopping and killing a server that runs as our child process in its own process group."""

from __future__ import annotations

import os
import signal
import subprocess
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

    def __enter__(self) -> Self:
        """`with Server(...) as server:` starts it and stops it on leaving, however the block ends."""
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

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
