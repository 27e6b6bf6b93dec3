"""The layering rules of docs/conventions.md, checked on every service's source.

- A `domain/` module imports no web, database, broker or token library: the domain is plain Python,
  unit-tested without any of them.
- SQL lives in `adapters/` and `migrations/` only: routes, handlers, workers and the service layer reach the
  database through an adapter, so a use case can be tested against an in-memory fake.
- A `service_layer/` module imports nothing from its service's `adapters/` (docs/architecture.md: the
  domain, its own ports and the runtime only): an adapter reaches a use case through a port.
- A `handlers/` module imports nothing from its service's `adapters/` either: a handler is given its unit of
  work at wiring time (app.py) as a port, and takes it `joining` the consumer's transaction, so it is
  unit-tested against the service's fake.
- Nor does it import asyncpg or aiokafka: what a handler needs of the consumer's transaction or record is
  passed on to a port or read into plain values for a use case, which the fakes can stand in for.
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


def _imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Every module `path` imports, as absolute dotted names, `from a import b` giving both `a` and `a.b`.

    `b` may be a module (`from linkwork_x import adapters`) or a name in `a`; both are kept so either form
    is seen. Relative imports are resolved against the module's own package; imports inside functions and
    under `TYPE_CHECKING` count too, since they still tie the layer to the adapter.
    """
    package = path.relative_to(next(p for p in PACKAGES if p in path.parents).parent).with_suffix("").parts[:-1]
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text() if source is None else source, str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            modules.add(module)
            modules.update(f"{module}.{alias.name}" for alias in node.names)
    return modules


def _imports_own_adapters(path: Path, source: str | None = None) -> bool:
    package = next(p for p in PACKAGES if p in path.parents).name
    adapters = f"{package}.adapters"
    return any(name == adapters or name.startswith(f"{adapters}.") for name in _imported_modules(path, source))


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


def test_service_layer_imports_no_adapters() -> None:
    importing = {_relative(path) for path in _modules("service_layer") if _imports_own_adapters(path)}
    assert importing == set(), (
        "a service_layer module imports its adapters: depend on a port in service_layer/ or a value in domain/"
    )


def test_handlers_import_no_adapters() -> None:
    importing = {_relative(path) for path in _modules("handlers") if _imports_own_adapters(path)}
    assert importing == set(), (
        "a handler imports its adapters: take the unit of work (or store) as a port given in app.py, joining "
        "the consumer's transaction"
    )


def test_handlers_import_no_database_or_broker_library() -> None:
    importing = {_relative(path) for path in _modules("handlers") if _imported_roots(path) & {"asyncpg", "aiokafka"}}
    assert importing == set(), (
        "a handler imports asyncpg or aiokafka: pass the consumer's transaction to the unit of work's `joining` "
        "and the record's parts to a use case as plain values"
    )


def test_adapter_imports_are_recognised() -> None:
    # The rule is only as good as its parser: every way of spelling the import must be seen.
    package = PACKAGES[0]
    module = package / "service_layer" / "probe.py"
    spellings = [
        f"from {package.name}.adapters.x import y",
        f"from {package.name}.adapters import x",
        f"from {package.name} import adapters",
        f"import {package.name}.adapters.x",
        "from ..adapters import x",
        "from .. import adapters",
        f"def f() -> None:\n    from {package.name}.adapters import x",
    ]
    for spelling in spellings:
        assert _imports_own_adapters(module, spelling), spelling
    for clean in (f"from {package.name}.domain import x", "from .ports import x", "import adapters_elsewhere"):
        assert not _imports_own_adapters(module, clean), clean
