from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CONTRACTS_DIR = Path(__file__).resolve().parents[1]

SchemaLoader = Callable[[str], dict[str, Any]]


@pytest.fixture(scope="session")
def contracts_dir() -> Path:
    return CONTRACTS_DIR


@pytest.fixture(scope="session")
def committed_schema() -> SchemaLoader:
    """Load a JSON Schema as committed under contracts/schemas/ (by event type, or cloudevent)."""

    def load(name: str) -> dict[str, Any]:
        path = CONTRACTS_DIR / "schemas" / f"{name}.json"
        result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return result

    return load
