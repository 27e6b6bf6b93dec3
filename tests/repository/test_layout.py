"""One layout in every service (issue 13), as docs/architecture.md's table describes it.

Someone who learns one service finds their way around the others: the same folders with the same rules,
and nothing else at the package root, where a command-line module named like an adapter
(`postcodes.py` beside `adapters/postcodes.py`) used to make two things answer to one name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {path.parent.name: path.parent for path in sorted(ROOT.glob("services/*/src/linkwork_*/__init__.py"))}
CONSOLE = "linkwork_console"

ROOT_FILES = {"__init__.py", "__main__.py", "app.py", "settings.py", "py.typed"}
LAYERS = {"domain", "service_layer", "adapters", "api", "handlers", "workers", "entrypoints"}
RESOURCES = {"data", "migrations", "templates"}
# The console owns no business data: no domain, use cases, handlers or workers. Its server-rendered pages
# (`web/`) play the part `api/` plays in a service.
CONSOLE_LAYERS = {"adapters", "web", "entrypoints"}
# What every service needs (workers/ only where it runs a periodic job, see the last test).
SERVICE_LAYERS = LAYERS - {"workers"}


def _entries(package: Path) -> list[Path]:
    return [path for path in package.iterdir() if path.name != "__pycache__"]


def _layers(name: str) -> set[str]:
    return CONSOLE_LAYERS if name == CONSOLE else SERVICE_LAYERS


def test_every_service_is_checked() -> None:
    assert {"linkwork_referral", "linkwork_directory", "linkwork_matching", "linkwork_outcomes"} < set(PACKAGES)
    assert {"linkwork_notifications", CONSOLE} < set(PACKAGES)


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_nothing_else_at_the_package_root(name: str) -> None:
    folders = (CONSOLE_LAYERS if name == CONSOLE else LAYERS) | RESOURCES
    stray = sorted(
        path.name
        for path in _entries(PACKAGES[name])
        if not (path.name in ROOT_FILES if path.is_file() else path.name in folders)
    )
    assert stray == [], "a CLI or process main goes in entrypoints/, a library module in its layer"


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_every_layer_is_there(name: str) -> None:
    present = {path.name for path in _entries(PACKAGES[name]) if (path / "__init__.py").is_file()}
    assert sorted(_layers(name) - present) == []


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_main_only_delegates_to_entrypoints(name: str) -> None:
    """`python -m linkwork_x` keeps working, and what it runs lives with the other entry points."""
    tree = ast.parse((PACKAGES[name] / "__main__.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert imported - {"__future__", "sys"}, "__main__.py should call an entry point"
    assert all(module.startswith(f"{name}.entrypoints") for module in imported - {"__future__", "sys"})


def _starts_periodic_task(path: Path) -> bool:
    tree = ast.parse(path.read_text(), str(path))
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "PeriodicTask"
        for node in ast.walk(tree)
    )


def _waits_on_a_stop_event(node: ast.AST) -> bool:
    """`while not stopping.is_set()` or `asyncio.wait_for(stopping.wait(), delay)`: a timer loop's own stop signal."""
    for part in ast.walk(node):
        if isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not):
            called = part.operand
            if isinstance(called, ast.Call) and isinstance(called.func, ast.Attribute) and called.func.attr == "is_set":
                return True
        if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute) and part.func.attr == "wait_for":
            first = part.args[0] if part.args else None
            if isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute) and first.func.attr == "wait":
                return True
    return False


def _hand_written_timer_loops(source: str) -> list[int]:
    """Lines of `while` loops that sleep on their own stop event: PeriodicTask's job, written out again."""
    tree = ast.parse(source)
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.While) and _waits_on_a_stop_event(node)]


def test_the_timer_loop_check_sees_the_old_shape() -> None:
    """The shape the outcomes projector and metrics refresher had before they moved onto PeriodicTask."""
    old = (
        "async def _run(self):\n"
        "    while not self._stopping.is_set():\n"
        "        await self.refresh()\n"
        "        with contextlib.suppress(TimeoutError):\n"
        "            await asyncio.wait_for(self._stopping.wait(), self._interval)\n"
    )
    assert _hand_written_timer_loops(old) == [2]
    polling = "async def wait(pending):\n    while pending:\n        await asyncio.sleep(0.1)\n"
    assert _hand_written_timer_loops(polling) == []


def test_no_hand_written_periodic_loops() -> None:
    """A job on a timer is a PeriodicTask (interval with jitter, failures classified and counted, last success
    exported, graceful stop), not a loop of its own beside the use case."""
    loops = {
        f"{name}/{path.relative_to(package)}:{line}"
        for name, package in PACKAGES.items()
        for path in package.rglob("*.py")
        for line in _hand_written_timer_loops(path.read_text())
    }
    assert loops == set(), "run the round from a PeriodicTask built in workers/"


def test_periodic_jobs_run_from_workers() -> None:
    """A periodic job is a PeriodicTask made in workers/ that runs one round of a use case per tick."""
    outside = {
        f"{name}/{path.relative_to(package)}"
        for name, package in PACKAGES.items()
        for path in package.rglob("*.py")
        if "workers" not in path.relative_to(package).parts and _starts_periodic_task(path)
    }
    assert outside == set(), "start the PeriodicTask in workers/; the round stays in the service layer"
