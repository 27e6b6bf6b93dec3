"""Every results.md words its machine one way: `bench.machine.machine_line` over the machine its results.json
recorded (CPUs, memory, Python, aiokafka, the load average at the start), whichever suite wrote it."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

BENCH = Path(__file__).resolve().parents[2] / "bench"


# The committed results; a quick run's go to the git-ignored bench/out/.
COMMITTED = [path for path in BENCH.glob("**/results.json") if "out" not in path.relative_to(BENCH).parts]
SUITES = sorted(str(path.parent.relative_to(BENCH)) for path in COMMITTED)


@pytest.mark.usefixtures("bench")
@pytest.mark.parametrize("suite", SUITES)
def test_each_results_file_has_the_one_machine_line(suite: str) -> None:
    machine_line = importlib.import_module("bench.machine").machine_line
    machine = json.loads((BENCH / suite / "results.json").read_text())["machine"]
    lines = (BENCH / suite / "results.md").read_text().splitlines()
    machine_lines = [line for line in lines if line.startswith("Machine: ")]
    assert len(machine_lines) == 1 and machine_lines[0].startswith(machine_line(machine))
