"""Fixtures of the deployment tests: where the repository is, and promtool (never skipped when absent)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail(
            "promtool is not on PATH. It comes with Debian's `prometheus` package: "
            "run deploy/scripts/install-system-packages.sh"
        )
    return found
