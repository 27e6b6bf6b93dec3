"""The machine line's "load average at start" is read at the start: before a suite starts any server or
service of its own, not after its measurements (as the console and messaging suites used to read it)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.unit


class Started(Exception):
    """Raised by the first thing a suite starts, to stop it there."""


def _recording(module: Any, monkeypatch: pytest.MonkeyPatch, first_step: str) -> list[str]:
    """Stands in for the suite's describe_machine and for its first step, noting the order they ran in."""
    calls: list[str] = []

    def describe() -> dict[str, object]:
        calls.append("describe_machine")
        return {}

    def start(*_: object, **__: object) -> Any:
        calls.append(first_step)
        raise Started

    monkeypatch.setattr(module, "describe_machine", describe)
    monkeypatch.setattr(module, first_step, start)
    return calls


def _run_until_started(entry: Callable[[], Any]) -> None:
    with pytest.raises(Started):
        asyncio.run(entry())


@pytest.mark.usefixtures("bench")
def test_messaging_reads_the_machine_before_starting_kafka_and_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    messaging = importlib.import_module("bench.messaging.__main__")
    calls = _recording(messaging, monkeypatch, "infrastructure")
    _run_until_started(lambda: messaging.main(argparse.Namespace()))
    assert calls == ["describe_machine", "infrastructure"]


@pytest.mark.usefixtures("bench")
def test_console_reads_the_machine_before_preparing_its_databases(monkeypatch: pytest.MonkeyPatch) -> None:
    console = importlib.import_module("bench.console.__main__")
    calls = _recording(console, monkeypatch, "recreate")
    _run_until_started(lambda: console.run(argparse.Namespace(postgres="postgresql://bench@127.0.0.1:1/postgres")))
    assert calls == ["describe_machine", "recreate"]
