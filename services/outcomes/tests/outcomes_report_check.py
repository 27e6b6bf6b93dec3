"""Checks a report against expected figures, and audits its suppression from the outside.

`check(report, expected)` asserts that:
- the report lists exactly the expected figures;
- every figure shown equals its expected value (counts exactly, statistics to 1e-9);
- every count from 1 to 4 is suppressed (primary), and so is every rate or statistic whose
  count is suppressed;
- no additive relation between published figures has exactly one suppressed member, and no
  small difference between two nested counts can be worked out from them (secondary).
The relations are written here from the report's definitions, not taken from the service.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

from outcomes_expectations import OPEN, flatten

COUNT_SUFFIXES = ("planned", "attended", "pairs", "improved", "unmet", "with_need", "referrals", "plan_agreed")
RATE_SUFFIXES = (
    "share",
    "rate",
    "from_previous",
    "from_referred",
    "within_target",
    "improved_share",
    "attendance_rate",
    "plan_rate",
)
STAGES = ("referred", "contacted", "plan-agreed", "followed-up", "closed")


def is_count(key: str) -> bool:
    last = key.rsplit(":", 1)[-1]
    if key in ("referrals", "closures:closed", "gaps:total"):
        return True
    if key.startswith(("source:", "need:", "status:", "gap-need:", "gap-area:")):
        return True
    if key.startswith("closure:") and not key.endswith(":share"):
        return True
    if key.startswith("funnel:") and key.count(":") == 1:
        return True
    return last in COUNT_SUFFIXES


def _small(value: object) -> bool:
    return isinstance(value, int) and 0 < value < 5


def check(report: dict, expected: dict) -> int:  # type: ignore[type-arg]
    """Assert everything above; returns the number of suppressed figures."""
    flat = flatten(report)
    published = {k for k in expected if k != "first_contact:on_time"}
    assert set(flat) == published, (sorted(set(flat) - published)[:10], sorted(published - set(flat))[:10])
    hidden = {k for k, f in flat.items() if f["suppressed"]}
    for key, figure in flat.items():
        truth = expected[key]
        if figure["suppressed"]:
            assert figure["value"] is None, key
            continue
        if truth is None:
            assert figure["value"] is None, (key, figure)
        elif isinstance(truth, int) and is_count(key):
            assert figure["value"] == truth, (key, figure, truth)
        else:
            assert figure["value"] is not None and math.isclose(figure["value"], truth, rel_tol=1e-9, abs_tol=1e-9), (
                key,
                figure,
                truth,
            )
        if is_count(key):
            assert not _small(truth), f"{key} = {truth} is shown"
    _audit_dependants(flat, hidden)
    _audit_relations(report, flat, expected, hidden)
    return len(hidden)


def _audit_dependants(flat: dict, hidden: set[str]) -> None:  # type: ignore[type-arg]
    def needs(rate: str, *counts: str) -> None:
        if any(c in hidden for c in counts):
            assert rate in hidden, f"{rate} is shown although {[c for c in counts if c in hidden]} is suppressed"

    for index, stage in enumerate(STAGES):
        count = "referrals" if stage == "referred" else f"funnel:{stage}"
        previous = "referrals" if index <= 1 else f"funnel:{STAGES[index - 1]}"
        needs(f"funnel:{stage}:from_previous", count, previous)
        needs(f"funnel:{stage}:from_referred", count, "referrals")
    for key in flat:
        parts = key.split(":")
        if key.endswith(":attendance_rate"):
            needs(key, f"{parts[0]}:{parts[1]}:planned", f"{parts[0]}:{parts[1]}:attended")
        if key.endswith(":plan_rate"):
            needs(key, f"equity:{parts[1]}:{parts[2]}:referrals", f"equity:{parts[1]}:{parts[2]}:plan_agreed")
        if key.startswith("outcome:") and parts[2] in ("mean_change", "ci_lower", "ci_upper"):
            needs(key, f"outcome:{parts[1]}:pairs")
        if key.endswith(":improved_share"):
            needs(key, f"outcome:{parts[1]}:pairs", f"outcome:{parts[1]}:improved")
    needs("first_contact:median_days", "first_contact:referrals")
    needs("first_contact:p90_days", "first_contact:referrals")
    needs("contacts:mean_per_person", "contacts:referrals")
    needs("contacts:median_per_person", "contacts:referrals")


def _additive(total: str, parts: list[str], hidden: set[str]) -> None:
    members = [total, *parts]
    suppressed = [m for m in members if m in hidden]
    assert len(suppressed) != 1, f"{suppressed[0]} can be worked out from {total} = sum of {parts}"


def _nested(outer: str, inner: str, difference: int, hidden: set[str]) -> None:
    if _small(difference):
        assert outer in hidden or inner in hidden, f"{outer} - {inner} = {difference} is derivable"


def _audit_relations(report: dict, flat: dict, expected: dict, hidden: set[str]) -> None:  # type: ignore[type-arg]
    keys = list(flat)
    _additive("referrals", [k for k in keys if k.startswith("source:")], hidden)
    _additive("referrals", [k for k in keys if k.startswith("status:")], hidden)
    closed_statuses = [k for k in keys if k.startswith("status:") and k.split(":")[1] not in OPEN]
    _additive("closures:closed", closed_statuses, hidden)
    _additive("referrals", ["closures:closed", *[f"status:{s}" for s in OPEN]], hidden)
    _additive("closures:closed", [k for k in keys if k.startswith("closure:") and k.count(":") == 1], hidden)
    chain = ["referrals", *[f"funnel:{s}" for s in STAGES[1:]]]
    for outer, inner in itertools.pairwise(chain):
        _nested(outer, inner, expected[outer] - expected[inner], hidden)
    _nested(
        "funnel:contacted",
        "first_contact:referrals",
        expected["funnel:contacted"] - expected["first_contact:referrals"],
        hidden,
    )
    _nested(
        "funnel:contacted", "contacts:referrals", expected["funnel:contacted"] - expected["contacts:referrals"], hidden
    )
    on_time, timed = expected["first_contact:on_time"], expected["first_contact:referrals"]
    if _small(on_time) or _small(timed - on_time):
        assert "first_contact:within_target" in hidden or "first_contact:referrals" in hidden
    dimensions = {k.split(":")[1] for k in keys if k.startswith("equity:")}
    for dimension in dimensions:
        rows = sorted({k.split(":")[2] for k in keys if k.startswith(f"equity:{dimension}:")})
        _additive("referrals", [f"equity:{dimension}:{v}:referrals" for v in rows], hidden)
        _additive("funnel:plan-agreed", [f"equity:{dimension}:{v}:plan_agreed" for v in rows], hidden)
        for v in rows:
            everyone, planned = f"equity:{dimension}:{v}:referrals", f"equity:{dimension}:{v}:plan_agreed"
            _nested(everyone, planned, expected[everyone] - expected[planned], hidden)
    for key in keys:
        if key.endswith(":planned"):
            attended = key.replace(":planned", ":attended")
            _nested(key, attended, expected[key] - expected[attended], hidden)
        if key.startswith("outcome:") and key.endswith(":pairs"):
            improved = key.replace(":pairs", ":improved")
            _nested(key, improved, expected[key] - expected[improved], hidden)
        if key.startswith("gap:") and key.endswith(":with_need"):
            unmet = key.replace(":with_need", ":unmet")
            _nested(key, unmet, expected[key] - expected[unmet], hidden)
    by_provider: dict[str, list[str]] = defaultdict(list)
    for row in report["activities"]:
        if row["provider_id"]:
            by_provider[row["provider_id"]].append(row["service_id"])
    for provider, services in by_provider.items():
        _additive(f"provider:{provider}:planned", [f"activity:{s}:planned" for s in services], hidden)
        _additive(f"provider:{provider}:attended", [f"activity:{s}:attended" for s in services], hidden)
    gap_cells = [k for k in keys if k.startswith("gap:") and k.endswith(":unmet")]
    needs_of: dict[str, list[str]] = defaultdict(list)
    areas_of: dict[str, list[str]] = defaultdict(list)
    for cell in gap_cells:
        _, need, district, _ = cell.split(":")
        needs_of[need].append(cell)
        areas_of[district].append(cell)
    for need, cells in needs_of.items():
        _additive(f"gap-need:{need}", cells, hidden)
    for district, cells in areas_of.items():
        _additive(f"gap-area:{district}", cells, hidden)
    _additive("gaps:total", [f"gap-need:{n}" for n in needs_of], hidden)
    _additive("gaps:total", [f"gap-area:{d}" for d in areas_of], hidden)
