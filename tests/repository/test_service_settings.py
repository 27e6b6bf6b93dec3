"""Every service's settings keep the shared rules of the fields they override (a port stays a port).

pydantic replaces a field wholesale when a subclass redeclares it, so `http_port: int = 8002` would silently
accept port 0 or 70000 and fail later, far from the setting. The services are found on disk, so a new one
is checked without anyone remembering to add it here.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from linkwork_runtime.settings import ServiceSettings
from pydantic import ValidationError

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(path.parent.name for path in ROOT.glob("services/*/src/linkwork_*/settings.py"))


def _settings_class(package: str) -> type[ServiceSettings]:
    settings: type[ServiceSettings] = importlib.import_module(f"{package}.settings").Settings
    return settings


def test_every_service_is_found() -> None:
    assert len(SERVICES) >= 6, SERVICES


@pytest.mark.parametrize("package", SERVICES)
def test_overridden_fields_keep_the_shared_constraints(package: str) -> None:
    settings = _settings_class(package)
    for name, shared in ServiceSettings.model_fields.items():
        if shared.metadata:
            assert settings.model_fields[name].metadata == shared.metadata, f"{package}.Settings.{name}"


@pytest.mark.parametrize("package", SERVICES)
@pytest.mark.parametrize("port", [0, 65536])
def test_a_port_out_of_range_is_refused_naming_the_setting(package: str, port: int) -> None:
    settings = _settings_class(package)
    ports = [name for name in settings.model_fields if name.endswith("_port")]
    assert "http_port" in ports
    for name in ports:  # http_port, and a service's own (smtp_port)
        with pytest.raises(ValidationError, match=name):
            settings(**{name: port})
