"""What the benchmark ran on, for the results file, and the words every results.md and the report say it in."""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _aiokafka_c_extension() -> bool:
    from aiokafka.record import default_records

    return "_crecords" in default_records.DefaultRecordBatchBuilder.__module__


def describe_machine() -> dict[str, object]:
    import aiokafka
    import asyncpg

    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "aiokafka": aiokafka.__version__,
        "aiokafka_c_extension": _aiokafka_c_extension(),
        "asyncpg": asyncpg.__version__,
    }


def machine_summary(machine: Mapping[str, Any]) -> str:
    """The machine `describe_machine` recorded, without the moment's load: CPUs, memory, Python and aiokafka."""
    c_extension = "with" if machine["aiokafka_c_extension"] else "without"
    return (
        f"{machine['nproc']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB memory, "
        f"Python {machine['python']}, aiokafka {machine['aiokafka']} {c_extension} its C extension"
    )


def machine_line(machine: Mapping[str, Any]) -> str:
    """A results.md's machine line: the machine and its load average (1, 5, 15 min) when the run started."""
    return f"Machine: {machine_summary(machine)}; load average at start {machine['load_average_at_start']}."
