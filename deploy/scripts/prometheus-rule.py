#!/usr/bin/env python3
"""Prints deploy/prometheus/alerts.yml wrapped as a Prometheus Operator `PrometheusRule`, for Kubernetes.

    .venv/bin/python deploy/scripts/prometheus-rule.py [--namespace linkwork] [--label release=NAME] \
        | kubectl apply -f -

The rule file stays the one source: this only wraps its groups, so what promtool tested is what runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

RULES = Path(__file__).resolve().parents[1] / "prometheus" / "alerts.yml"


def prometheus_rule(rules: dict[str, Any], namespace: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "linkwork-alerts",
            "namespace": namespace,
            "labels": {"app.kubernetes.io/part-of": "linkwork", **labels},
        },
        "spec": {"groups": rules["groups"]},
    }


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML ships no type hints
    """Keeps multi-line PromQL readable as block scalars."""


def _string(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _string)


def _label(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--namespace", default="linkwork")
    parser.add_argument("--label", type=_label, action="append", default=[], help="extra metadata label NAME=VALUE")
    parser.add_argument("--rules", type=Path, default=RULES, help="the Prometheus rule file to wrap")
    arguments = parser.parse_args(argv)
    rules = yaml.safe_load(arguments.rules.read_text())
    document = prometheus_rule(rules, arguments.namespace, dict(arguments.label))
    yaml.dump(document, sys.stdout, Dumper=_Dumper, sort_keys=False, width=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
