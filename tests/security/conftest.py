"""The security tests build settings from explicit values: the caller's LINKWORK_* environment must not leak in."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _no_linkwork_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in [name for name in os.environ if name.startswith("LINKWORK_") and not name.startswith("LINKWORK_TEST_")]:
        if name != "LINKWORK_CACHE_DIR":
            monkeypatch.delenv(name)
    yield
