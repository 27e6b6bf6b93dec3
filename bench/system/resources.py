"""Memory and CPU of each part of the system under test, read from /proc (Linux only).

A part is a process tree: a service's Python process, Kafka's JVM, PostgreSQL's postmaster with every backend
it forked. Per part: resident memory (VmRSS, summed over the tree, as the issue's budgets are stated) and CPU
seconds (utime + stime). The whole stack's total is given both as summed RSS, which counts PostgreSQL's shared
buffers once per backend that touched them, and as summed PSS (smaps_rollup), which shares each page among the
processes mapping it: PSS is the honest total, RSS the upper bound.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: the fields start after its last ')'.
    return text[text.rindex(")") + 2 :].split()


def descendants(root: int) -> list[int]:
    """`root` and every process below it (PostgreSQL forks a backend per connection)."""
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue += children.get(pid, [])
    return found


def _kib(pid: int, file: str, key: str) -> int:
    try:
        for line in (_PROC / str(pid) / file).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    # Fields 14 and 15 of stat (utime, stime); indices 11 and 12 once pid and name are dropped.
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / _TICKS


@dataclass(frozen=True)
class Part:
    name: str
    root: int
    python_service: bool

    def pids(self) -> list[int]:
        return descendants(self.root)

    def rss_mb(self) -> float:
        return sum(_kib(pid, "status", "VmRSS:") for pid in self.pids()) * 1024 / 1e6

    def pss_mb(self) -> float:
        return sum(_kib(pid, "smaps_rollup", "Pss:") for pid in self.pids()) * 1024 / 1e6

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids())


def snapshot(parts: list[Part]) -> dict[str, object]:
    """Memory of every part now, and the stack's totals."""
    rss = {part.name: round(part.rss_mb(), 1) for part in parts}
    pss = sum(part.pss_mb() for part in parts)
    return {"rss_mb": rss, "stack_rss_mb": round(sum(rss.values()), 1), "stack_pss_mb": round(pss, 1)}


@dataclass
class StepMonitor:
    """Peak memory (sampled every `every` seconds on a thread) and CPU seconds of every part over one step."""

    parts: list[Part]
    every: float = 0.5
    _peak: dict[str, float] = field(default_factory=dict)
    _peak_stack_rss: float = 0.0
    _peak_stack_pss: float = 0.0
    _cpu_start: dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> StepMonitor:
        self._cpu_start = {part.name: part.cpu_seconds() for part in self.parts}
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        rounds = 0
        while True:
            total = 0.0
            for part in self.parts:
                rss = part.rss_mb()
                total += rss
                self._peak[part.name] = max(self._peak.get(part.name, 0.0), rss)
            self._peak_stack_rss = max(self._peak_stack_rss, total)
            # PSS sums every mapping of every process: sampled one round in four to keep the sampler cheap.
            if rounds % 4 == 0:
                self._peak_stack_pss = max(self._peak_stack_pss, sum(part.pss_mb() for part in self.parts))
            rounds += 1
            if self._stop.wait(self.every):
                return

    def __exit__(self, *_: object) -> None:
        self.cpu_used = {part.name: part.cpu_seconds() - self._cpu_start[part.name] for part in self.parts}
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def result(self, referrals: int) -> dict[str, object]:
        """Per part: peak RSS, CPU seconds and referrals handled per CPU-second (the step's referrals with
        suggestions stored, divided by the part's CPU seconds from the step's first request to its last
        suggestion stored)."""
        parts = {
            part.name: {
                "peak_rss_mb": round(self._peak.get(part.name, 0.0), 1),
                "cpu_s": round(self.cpu_used[part.name], 2),
                "referrals_per_cpu_s": round(referrals / self.cpu_used[part.name], 1)
                if self.cpu_used[part.name] > 0
                else None,
            }
            for part in self.parts
        }
        return {
            "parts": parts,
            "peak_stack_rss_mb": round(self._peak_stack_rss, 1),
            "peak_stack_pss_mb": round(self._peak_stack_pss, 1),
        }
