from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from linkwork_stack.system import SystemUnderTest


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SystemUnderTest]:
    running = SystemUnderTest(Path(tmp_path_factory.mktemp("system")))
    try:
        running.start()
        yield running
    finally:
        running.stop()
