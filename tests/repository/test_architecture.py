"""The layering rules of docs/conventions.md, checked on every service's source.

- A `domain/` module imports no web, database, broker or token library: the domain is plain Python,
  unit-tested without any of them.
- SQL lives in `adapters/` and `migrations/` only: routes, handlers, workers and the service layer reach the
  database through an adapter, so a use case can be tested against an in-memory fake.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(ROOT.glob("services/*/src/linkwork_*"))
FRAMEWORKS = {"fastapi", "starlette", "asyncpg", "aiokafka", "jwt", "httpx", "uvicorn", "pydantic_settings"}
# A statement, not a word in prose: the keyword followed by what SQL puts after it.
SQL = re.compile(
    r"\b(SELECT\s+[\w*(]|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(TABLE|INDEX)\s)",
)


def _modules(folder: str) -> list[Path]:
    return sorted(path for package in PACKAGES for path in (package / folder).rglob("*.py"))


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _has_sql(path: Path) -> bool:
    tree = ast.parse(path.read_text(), str(path))
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = {ast.get_docstring(node) for node in ast.walk(tree) if isinstance(node, documented)}
    strings = (node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str))
    return any(SQL.search(text) for text in strings if text.strip() not in docstrings)


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT / "services"))


def test_there_is_something_to_check() -> None:
    assert len(PACKAGES) >= 6 and _modules("domain")


@pytest.mark.parametrize("module", _modules("domain"), ids=_relative)
def test_domain_imports_no_framework(module: Path) -> None:
    assert not _imported_roots(module) & FRAMEWORKS


def test_sql_only_in_adapters_and_migrations() -> None:
    outside = {
        _relative(path)
        for package in PACKAGES
        for path in package.rglob("*.py")
        if not {"adapters", "migrations"} & set(path.relative_to(package).parts) and _has_sql(path)
    }
    assert outside == set(), "SQL outside adapters/: put it in an adapter"
