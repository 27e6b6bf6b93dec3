"""Missing or old Java, or missing Maven, gives one clear sentence, not a stack trace."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from linkwork_stack.prerequisites import HINT

pytestmark = pytest.mark.unit
STACK = str(Path(sys.executable).parent / "linkwork-stack")


def _fake_tool(folder: Path, name: str, script: str) -> None:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _provision(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [STACK, "provision"], env={**os.environ, "PATH": str(path)}, capture_output=True, text=True, timeout=60
    )


def test_missing_java(tmp_path: Path) -> None:
    result = _provision(tmp_path)
    assert result.returncode == 2
    assert "Java was not found" in result.stderr and HINT in result.stderr
    assert "Traceback" not in result.stderr


def test_old_java(tmp_path: Path) -> None:
    _fake_tool(tmp_path / "bin", "java", "echo 'openjdk version \"11.0.22\" 2024-01-16' >&2")
    result = _provision(tmp_path / "bin")
    assert result.returncode == 2
    assert "Java 11 found" in result.stderr and HINT in result.stderr


def test_missing_maven(tmp_path: Path) -> None:
    _fake_tool(tmp_path / "bin", "java", "echo 'openjdk version \"17.0.15\" 2025-04-15' >&2")
    result = _provision(tmp_path / "bin")
    assert result.returncode == 2
    assert "Maven (mvn) was not found" in result.stderr and HINT in result.stderr
