"""Benchmark figures are generated from committed results that say which code they measured.

bench/REPORT.md and the README's figures table are written only by `python -m bench.report`; the README's
figures must be exactly REPORT.md's; every results.json records its provenance; a quick run never
overwrites committed results; and the figures that fell short are shown, not dropped.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def report(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    # `bench` is a folder of the repository, importable with the repository first on the path.
    monkeypatch.syspath_prepend(str(REPO))
    return importlib.import_module("bench.report")


def _python(*arguments: str) -> subprocess.CompletedProcess[str]:
    # `bench` is a folder of the repository, importable with the repository as the working directory.
    return subprocess.run([sys.executable, *arguments], cwd=REPO, capture_output=True, text=True, check=False)


def test_report_and_readme_are_what_the_results_generate() -> None:
    checked = _python("-m", "bench.report", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_readme_figures_are_the_report_s_figures(report: ModuleType) -> None:
    table = report.figures_table()
    readme = (REPO / "README.md").read_text()
    section = readme.split(report.START, 1)[1].split(report.END, 1)[0]
    assert table in section
    assert table in (REPO / "bench" / "REPORT.md").read_text()
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| what")]
    assert rows == table.splitlines()[2:], "the README has figures of its own"


def test_figures_that_fell_short_are_shown(report: ModuleType) -> None:
    # A rebuild below its target is judged not met (the committed results' figure may meet it by now).
    matching = json.loads((REPO / "bench" / "matching" / "results.json").read_text())
    matching["replay"]["rebuild_events_per_s"] = 2917
    rebuild = [f for f in report.EXTRACTORS["matching"](matching) if f.what.startswith("matching: read model rebuilt")]
    assert rebuild and rebuild[0].met is False and rebuild[0].figure.startswith("2,917 events/s")
    short = {figure.what: figure for figure in report.figures() if figure.met is False}
    table = report.figures_table()
    for figure in short.values():
        assert f"| {figure.what} | {figure.figure} | {figure.target} | **not met** |" in table


def test_every_results_file_records_which_code_it_measured() -> None:
    found = sorted((REPO / "bench").glob("*/results.json"))
    assert len(found) >= 5
    for path in found:
        provenance = json.loads(path.read_text())["provenance"]
        assert {"commit", "dirty"} <= set(provenance), path
        if provenance["commit"] is None:  # from before provenance was kept: say where the results came from
            assert provenance["committed_in"] and provenance["note"], path


def test_a_quick_run_never_writes_the_committed_results() -> None:
    listed = _python(
        "-c",
        "import json; from bench.__main__ import suites; "
        "print(json.dumps({q: suites('k:1', 'postgresql://p@h:1/db', q) for q in ('quick', '')}))",
    )
    assert listed.returncode == 0, listed.stderr
    commands = json.loads(listed.stdout)
    assert all("--write" not in command for command in commands["quick"].values())
    assert all("--write" in command for command in commands[""].values())
