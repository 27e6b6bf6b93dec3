"""Fail fast, with a message a person can act on, when Java 17+ or Maven is missing."""

from __future__ import annotations

import re
import shutil
import subprocess

HINT = "install a JDK 17+ and Maven, or use docker compose up"


class MissingPrerequisite(RuntimeError):
    """Raised with a one-line, human-readable explanation."""


def java_major_version(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise MissingPrerequisite(f"could not read the Java version from `{java} -version`: {HINT}")
    major = int(match.group(1))
    # Java 8 and older report "1.8"; the major version is then the second number.
    return int(match.group(2) or 0) if major == 1 else major


def require_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise MissingPrerequisite(f"Java was not found on PATH: {HINT}")
    major = java_major_version(java)
    if major < 17:
        raise MissingPrerequisite(f"Java {major} found but Kafka 4 needs Java 17 or newer: {HINT}")
    return java


def require_maven() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise MissingPrerequisite(f"Maven (mvn) was not found on PATH: {HINT}")
    return mvn
