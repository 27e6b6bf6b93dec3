"""Nothing in the repository reads a path outside it.

A user's clone has nothing beside it: no `../shared/standards`, no sibling checkout. Every file the code,
tests, benchmarks and tooling read must live under the repository root. This walks every Python file and
resolves each path built from `__file__` (`Path(__file__).resolve().parents[N]`, `.parent` chains,
`/ ".."`), and looks in every text file for relative paths that climb out (`../shared`, `../../x`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
# Folders that are not the project's own files: caches, virtualenvs and generated data.
SKIPPED_DIRS = {".git", ".venv", ".data", ".cache", "node_modules", "__pycache__", "build", "dist"}
TEXT_SUFFIXES = {".py", ".sh", ".toml", ".yml", ".yaml", ".cfg", ".ini", ".txt", ".md", ""}
# A relative path that climbs (`../shared/x`, `../../deploy/y`): resolved against the file's folder.
RELATIVE = re.compile(r"(?<![\w.])(?:\.\./)+[\w.\-/]*")
# The standards folder beside the checkout it was first written in (wherever the text is), or an absolute
# path into that machine.
ABSOLUTE = re.compile(r"(?<![\w.])(?:\.\./)+shared/|/work/(?:shared|main)\b")


def project_files() -> Iterator[Path]:
    for path in sorted(REPO.rglob("*")):
        relative = path.relative_to(REPO).parts
        hidden = any(part.startswith(".") and part not in {".ci", ".github"} for part in relative[:-1])
        if hidden or any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in relative):
            continue
        if "reference" in relative:  # published documents copied verbatim (see their README)
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name in {"Makefile", "Dockerfile"}):
            yield path


def _levels_up(node: ast.expr) -> int | None:
    """How many folders above the file's own folder `node` points, when it is built from `__file__`.

    0 is the folder holding the file; None when the expression is not a path derived from `__file__`.
    """
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "Path" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Name) and arg.id == "__file__":
                return -1  # the file itself: its .parent is level 0
            return None
        if isinstance(func, ast.Attribute) and func.attr in {"resolve", "absolute"}:
            return _levels_up(func.value)
        if isinstance(func, ast.Attribute) and func.attr == "dirname":
            # os.path.dirname(x): one level up from x
            inner = _levels_up(node.args[0]) if node.args else None
            return None if inner is None else inner + 1
        return None
    if isinstance(node, ast.Name) and node.id == "__file__":
        return -1
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _levels_up(node.value)
        return None if inner is None else inner + 1
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        inner = _levels_up(node.value.value)
        index = node.slice
        if inner is None or not (isinstance(index, ast.Constant) and isinstance(index.value, int)):
            return None
        return inner + 1 + index.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        inner = _levels_up(node.left)
        if inner is None:
            return None
        right = node.right
        if isinstance(right, ast.Constant) and isinstance(right.value, str):
            return inner + sum(1 for part in right.value.split("/") if part == "..")
        return inner
    return None


def escapes_from_python(path: Path, root: Path = REPO) -> list[str]:
    """The lines of a Python file that build a path above the repository root from `__file__`."""
    depth = len(path.relative_to(root).parts) - 1  # folders between the root and the file; level `depth` is root
    found: dict[int, str] = {}  # one finding per line: the outermost expression
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.expr) or node.lineno in found:
            continue
        levels = _levels_up(node)
        if levels is not None and levels > depth:
            found[node.lineno] = f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)} leaves the repository"
    return list(found.values())


def escapes_in_text(path: Path, root: Path = REPO) -> list[str]:
    """Lines naming a path outside the root: relative ones resolved from the file's folder."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        outside = ABSOLUTE.search(line) or any(
            not (path.parent / match.group()).resolve().is_relative_to(root.resolve())
            for match in RELATIVE.finditer(line)
        )
        if outside:
            found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def test_nothing_reads_outside_the_repository() -> None:
    problems: list[str] = []
    checked = 0
    for path in project_files():
        checked += 1
        if path.suffix == ".py" and path != Path(__file__).resolve():
            problems += escapes_from_python(path)
        if path != Path(__file__).resolve():
            problems += escapes_in_text(path)
    assert checked > 100, f"only {checked} files found under {REPO}"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "relative", "escapes"),
    [
        ('Path(__file__).resolve().parents[1] / "reference"', "a/b/c.py", False),
        ('Path(__file__).resolve().parents[2] / "x"', "a/b/c.py", False),
        ('Path(__file__).resolve().parents[3] / "x"', "a/b/c.py", True),
        ('Path(__file__).resolve().parents[2].parent / "shared"', "a/b/c.py", True),
        ('Path(__file__).parent.parent / ".." / "shared"', "a/b/c.py", False),
        ('Path(__file__).parent.parent.parent / ".." / "shared"', "a/b/c.py", True),
        ('Path(__file__).parent / "data"', "c.py", False),
        ("os.path.dirname(os.path.dirname(__file__))", "a/c.py", False),
        ("os.path.dirname(os.path.dirname(__file__))", "c.py", True),
    ],
)
def test_the_check_resolves_paths_built_from_file(source: str, relative: str, escapes: bool, tmp_path: Path) -> None:
    target = tmp_path / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"import os\nfrom pathlib import Path\nX = {source}\n", encoding="utf-8")
    assert bool(escapes_from_python(target, root=tmp_path)) is escapes


@pytest.mark.parametrize(
    ("line", "escapes"),
    [
        ("the standard in `../shared/standards`", True),
        ("  - ../../deploy/alerts.yml", False),
        ("  - ../../../deploy/alerts.yml", True),
        ("see docs/../README.md and ./shared/x", False),
        ("open /work/shared/standards/x.md", True),
    ],
)
def test_the_check_resolves_relative_paths_in_text(line: str, escapes: bool, tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "notes.md"
    target.parent.mkdir(parents=True)
    target.write_text(line + "\n", encoding="utf-8")
    assert bool(escapes_in_text(target, root=tmp_path)) is escapes
