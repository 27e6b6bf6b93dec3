"""The benchmarks' own code (`bench/`), importable in these tests as `make bench` runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> None:
    """`bench` is a folder of the repository, importable from its root."""
    monkeypatch.syspath_prepend(str(REPO))
