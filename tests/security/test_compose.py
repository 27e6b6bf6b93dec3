"""Finding [low]: compose ran Grafana anonymously with an admin/admin fallback, and services with public default
secrets. Every secret comes from the generated `.env` (no fallback value), and Grafana needs a sign-in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit
COMPOSE = Path(__file__).parents[2] / "docker-compose.yml"


def test_no_secret_has_a_fallback_value() -> None:
    text = COMPOSE.read_text()
    for name in ("LINKWORK_JWT_SECRET", "LINKWORK_PERSON_REF_SECRET", "GRAFANA_ADMIN_PASSWORD"):
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses, f"{name} is not taken from the environment"
        assert all(use.startswith(":?") for use in uses), f"{name} has a fallback: {uses}"


def test_grafana_needs_a_sign_in() -> None:
    grafana = yaml.safe_load(COMPOSE.read_text())["services"]["grafana"]["environment"]
    assert str(grafana.get("GF_AUTH_ANONYMOUS_ENABLED", "false")).lower() == "false"
    assert "admin" not in str(grafana["GF_SECURITY_ADMIN_PASSWORD"]).replace("GRAFANA_ADMIN_PASSWORD", "")
