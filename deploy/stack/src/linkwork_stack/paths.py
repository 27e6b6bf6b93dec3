"""Where the runner keeps downloads (cache) and state (data); both are git-ignored."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
KAFKA_POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"
KEYCLOAK_POM = REPO_ROOT / "deploy" / "keycloak" / "pom.xml"
KEYCLOAK_REALM = REPO_ROOT / "deploy" / "keycloak" / "linkwork-realm.json"


def cache_dir() -> Path:
    return Path(os.environ.get("LINKWORK_CACHE_DIR", REPO_ROOT / ".cache"))


def data_dir() -> Path:
    return Path(os.environ.get("LINKWORK_DATA_DIR", REPO_ROOT / ".data"))
