"""Logs are JSON lines by default (deployments) and readable lines with LINKWORK_LOG_FORMAT=console (make run)."""

from __future__ import annotations

import json
import logging

import pytest
from linkwork_runtime.logging import configure_logging
from linkwork_runtime.settings import ServiceSettings

pytestmark = pytest.mark.unit


def _line(capsys: pytest.CaptureFixture[str], log_format: str) -> str:
    configure_logging("referral", "INFO", log_format)
    logging.getLogger("linkwork_runtime.app").warning("waiting for %s", "Kafka", extra={"attempt": 3})
    return capsys.readouterr().out.strip()


def test_json_is_the_default(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("LINKWORK_LOG_FORMAT", raising=False)
    assert ServiceSettings().log_format == "json"
    entry = json.loads(_line(capsys, "json"))
    assert entry["service"] == "referral" and entry["message"] == "waiting for Kafka" and entry["attempt"] == 3


def test_console_lines_read_as_text(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LINKWORK_LOG_FORMAT", "console")
    assert ServiceSettings().log_format == "console"
    line = _line(capsys, "console")
    assert not line.startswith("{")
    assert "WARNING linkwork_runtime.app: waiting for Kafka  attempt=3" in line
