from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from linkwork_stack.system import SystemUnderTest


@pytest.fixture(scope="module")
def system(server_dir: Callable[[str], Path]) -> Iterator[SystemUnderTest]:
    running = SystemUnderTest(server_dir("system"))
    try:
        running.start()
        yield running
    finally:
        running.stop()
