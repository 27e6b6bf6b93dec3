"""Fixtures of the deployment tests: the repository, promtool (never skipped when absent), and the
Kubernetes manifests as `kubectl apply -k` would see them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = REPO_ROOT / "deploy" / "kubernetes"

Resource = tuple[Path, dict[str, Any]]  # the file it came from, and the document


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail(
            "promtool is not on PATH. It comes with Debian's `prometheus` package: "
            "run deploy/scripts/install-system-packages.sh"
        )
    return found


def kustomize(directory: Path) -> list[Resource]:
    """The resources of a kustomization: its `resources` (files and directories, recursively) with its
    `namespace` applied. Only what our kustomizations use; a field it does not know fails the test."""
    config = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(config) - {"apiVersion", "kind", "namespace", "resources"}
    assert not unknown, f"{directory}: kustomization fields this test does not model: {unknown}"
    found: list[Resource] = []
    for entry in config["resources"]:
        target = (directory / entry).resolve()
        if target.is_dir():
            found.extend(kustomize(target))
        else:
            found.extend((target, document) for document in yaml.safe_load_all(target.read_text()) if document)
    namespace = config.get("namespace")
    if namespace:
        for _, document in found:
            if document["kind"] != "Namespace":
                document["metadata"]["namespace"] = namespace
    return found


@pytest.fixture
def kustomization() -> Callable[[str], list[Resource]]:
    """Resources of deploy/kubernetes/<name> ("" for the default), freshly loaded for each test."""

    def load(name: str = "") -> list[Resource]:
        return kustomize(KUBERNETES / name)

    return load
