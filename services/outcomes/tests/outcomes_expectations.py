"""Expected report figures computed straight from a synthetic history's ground truth.

Deliberately written apart from the service: no import from linkwork_outcomes beyond the
synthetic world's record types, plain loops over what happened, the standard library's
statistics, and the t quantile found by integrating the t density numerically (not the
service's incomplete-beta route). Only the contracts' own definitions (improvement thresholds,
closure codes) are shared, because they are the specification.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from linkwork_contracts.codes import AgeBand, ClosureReason, EthnicCategory, NeedCategory, ReferralSource, Sex
from linkwork_contracts.measures import OUTCOME_SCORES
from linkwork_outcomes.adapters.synthetic.history import History
from linkwork_outcomes.adapters.synthetic.world import TrueReferral

LONDON = ZoneInfo("Europe/London")
OPEN = ("referred", "contacted", "plan-agreed", "following-up")


def local(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def _t_density(x: float, df: int) -> float:
    norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(norm - (df + 1) / 2 * math.log1p(x * x / df))


def _t_upper(df: int) -> float:
    """t(0.975, df) by Simpson integration of the density inside a bisection."""

    def cdf(t: float) -> float:
        steps = 4000
        h = t / steps
        total = _t_density(0, df) + _t_density(t, df)
        total += sum((4 if i % 2 else 2) * _t_density(i * h, df) for i in range(1, steps))
        return 0.5 + total * h / 3

    low, high = 0.0, 1.0
    while cdf(high) < 0.975:
        low, high = high, high * 2
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if cdf(middle) < 0.975 else (low, middle)
    return (low + high) / 2


def in_scope(r: TrueReferral, first: date, last: date, pcn: str | None, practice: str | None) -> bool:
    month = local(r.created_at).replace(day=1)
    return (
        first <= month <= last
        and not r.entered_in_error
        and (pcn is None or r.pcn == pcn)
        and (practice is None or r.practice == practice)
    )


def status(r: TrueReferral) -> str:
    if r.closure_status is not None:
        return r.closure_status
    if r.plan is not None and r.followed_up:
        return "following-up"
    if r.plan is not None:
        return "plan-agreed"
    return "contacted" if r.first_contact_at is not None else "referred"


def _quantile(values: list[int], decile: int) -> float:
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=10, method="inclusive")[decile - 1]


def expected(
    history: History, first: date, last: date, pcn: str | None = None, practice: str | None = None
) -> dict[str, float | int | None]:
    """Every figure of the report, unsuppressed, keyed as `flatten` keys the report."""
    chosen = [r for r in history.referrals if in_scope(r, first, last, pcn, practice)]
    figures: dict[str, float | int | None] = {"referrals": len(chosen)}
    total = len(chosen)

    def share(count: int, base: int) -> float | None:
        return count / base if base else None

    sources = Counter(r.source for r in chosen)
    for source in ReferralSource:
        figures[f"source:{source.value}"] = sources[source.value]
    needs = Counter(n for r in chosen for n in r.needs)
    for need in {n.value for n in NeedCategory} | set(needs):
        figures[f"need:{need}"] = needs[need]
    statuses = Counter(status(r) for r in chosen)
    for key in (*OPEN, "completed", "cancelled", "failed", "rejected"):
        figures[f"status:{key}"] = statuses[key]

    contacted = [r for r in chosen if r.first_contact_at is not None or r.plan is not None]
    planned = [r for r in contacted if r.plan is not None]
    followed = [r for r in planned if r.followed_up]
    closed_after = [r for r in followed if r.closure_status is not None]
    stages = [
        ("referred", chosen),
        ("contacted", contacted),
        ("plan-agreed", planned),
        ("followed-up", followed),
        ("closed", closed_after),
    ]
    for index, (stage, group) in enumerate(stages):
        figures[f"funnel:{stage}"] = len(group)
        previous = stages[index - 1][1] if index else chosen
        figures[f"funnel:{stage}:from_previous"] = share(len(group), len(previous))
        figures[f"funnel:{stage}:from_referred"] = share(len(group), total)

    days = [(local(r.first_contact_at) - local(r.created_at)).days for r in chosen if r.first_contact_at]
    figures["first_contact:referrals"] = len(days)
    figures["first_contact:median_days"] = float(statistics.median(days)) if days else None
    figures["first_contact:p90_days"] = _quantile(days, 9) if days else None
    figures["first_contact:on_time"] = sum(d <= 14 for d in days)  # published only as a share
    figures["first_contact:within_target"] = share(sum(d <= 14 for d in days), len(days))
    counts = [r.contacts_made for r in chosen if r.contacts_made > 0]
    figures["contacts:referrals"] = len(counts)
    figures["contacts:mean_per_person"] = statistics.fmean(counts) if counts else None
    figures["contacts:median_per_person"] = float(statistics.median(counts)) if counts else None

    _uptake(history, chosen, figures)
    _outcomes(chosen, figures)
    reasons = Counter(r.closure_reason for r in chosen if r.closure_status is not None)
    closed = sum(reasons.values())
    figures["closures:closed"] = closed
    for reason in ClosureReason:
        figures[f"closure:{reason.value}"] = reasons[reason.value]
        figures[f"closure:{reason.value}:share"] = share(reasons[reason.value], closed)
    _gaps(history, first, last, pcn, practice, figures)
    _equity(chosen, figures)
    return figures


def _uptake(history: History, chosen: list[TrueReferral], figures: dict[str, float | int | None]) -> None:
    planned: Counter[str] = Counter(s for r in chosen if r.plan for s in r.plan)
    attended: Counter[str] = Counter(s for r in chosen for s in r.attended)
    for service_id, count in planned.items():
        figures[f"activity:{service_id}:planned"] = count
        figures[f"activity:{service_id}:attended"] = attended[service_id]
        figures[f"activity:{service_id}:attendance_rate"] = attended[service_id] / count
    by_provider: dict[str, list[str]] = defaultdict(list)
    for service in history.services:
        if str(service.service_id) in planned:
            by_provider[str(service.provider_id)].append(str(service.service_id))
    for provider, services in by_provider.items():
        places = sum(planned[s] for s in services)
        went = sum(attended[s] for s in services)
        figures[f"provider:{provider}:planned"] = places
        figures[f"provider:{provider}:attended"] = went
        figures[f"provider:{provider}:attendance_rate"] = went / places


def _outcomes(chosen: list[TrueReferral], figures: dict[str, float | int | None]) -> None:
    for score, rule in OUTCOME_SCORES.items():
        changes, improved = [], 0
        for r in chosen:
            mine = [m for m in r.measures if m.score == score]
            baselines = [m for m in mine if m.timepoint == "baseline"]
            if not baselines:
                continue
            baseline = min(baselines, key=lambda m: (m.recorded_at, m.value))
            later = [m for m in mine if m.timepoint != "baseline" and m.recorded_at >= baseline.recorded_at]
            if not later:
                continue
            latest = max(later, key=lambda m: (m.recorded_at, m.value))
            change = latest.value - baseline.value
            changes.append(change)
            better = change if rule.higher_is_better else -change
            improved += round(better, 6) >= rule.threshold
        n = len(changes)
        figures[f"outcome:{score}:pairs"] = n
        figures[f"outcome:{score}:improved"] = improved
        figures[f"outcome:{score}:improved_share"] = improved / n if n else None
        figures[f"outcome:{score}:mean_change"] = statistics.fmean(changes) if n else None
        if n >= 2:
            half = _t_upper(n - 1) * statistics.stdev(changes) / math.sqrt(n)
            figures[f"outcome:{score}:ci_lower"] = statistics.fmean(changes) - half
            figures[f"outcome:{score}:ci_upper"] = statistics.fmean(changes) + half
        else:
            figures[f"outcome:{score}:ci_lower"] = figures[f"outcome:{score}:ci_upper"] = None


def _gaps(
    history: History,
    first: date,
    last: date,
    pcn: str | None,
    practice: str | None,
    figures: dict[str, float | int | None],
) -> None:
    areas = None
    if pcn is not None or practice is not None:
        areas = {
            r.district
            for r in history.referrals
            if (pcn is None or r.pcn == pcn) and (practice is None or r.practice == practice)
        }
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for gap in history.gaps:
        if not first <= local(gap.window_start).replace(day=1) <= last:
            continue
        if areas is not None and gap.district not in areas:
            continue
        cells[(gap.need, gap.district)][0] += gap.unmet
        cells[(gap.need, gap.district)][1] += gap.with_need
    for (need, district), (unmet, with_need) in cells.items():
        figures[f"gap:{need}:{district}:unmet"] = unmet
        figures[f"gap:{need}:{district}:with_need"] = with_need
    figures["gaps:total"] = sum(unmet for unmet, _ in cells.values())
    for need in {n for n, _ in cells}:
        figures[f"gap-need:{need}"] = sum(u for (n, _), (u, _) in cells.items() if n == need)
    for district in {d for _, d in cells}:
        figures[f"gap-area:{district}"] = sum(u for (_, d), (u, _) in cells.items() if d == district)


def _equity(chosen: list[TrueReferral], figures: dict[str, float | int | None]) -> None:
    dimensions: dict[str, Callable[[TrueReferral], str]] = {
        "imd-decile": lambda r: str(r.imd_decile) if r.imd_decile else "unknown",
        "age-band": lambda r: r.age_band,
        "sex": lambda r: r.sex,
        "ethnic-category": lambda r: r.ethnic_category,
    }
    codes = {
        "imd-decile": {str(d) for d in range(1, 11)},
        "age-band": {b.value for b in AgeBand},
        "sex": {s.value for s in Sex},
        "ethnic-category": {e.value for e in EthnicCategory},
    }
    for dimension, value_of in dimensions.items():
        everyone = Counter(value_of(r) for r in chosen)
        with_plan = Counter(value_of(r) for r in chosen if r.plan is not None)
        for value in codes[dimension] | set(everyone):
            count = everyone[value]
            figures[f"equity:{dimension}:{value}:referrals"] = count
            figures[f"equity:{dimension}:{value}:plan_agreed"] = with_plan[value]
            figures[f"equity:{dimension}:{value}:plan_rate"] = with_plan[value] / count if count else None


def flatten(report: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    """The report's figures keyed like `expected`: {key: {"value": ..., "suppressed": ...}}."""
    out: dict[str, dict] = {"referrals": report["referrals"]}  # type: ignore[type-arg]
    for row in report["by_source"]:
        out[f"source:{row['key']}"] = row["count"]
    for row in report["by_need"]:
        out[f"need:{row['key']}"] = row["count"]
    for row in report["by_status"]:
        out[f"status:{row['key']}"] = row["count"]
    for stage in report["funnel"]:
        out[f"funnel:{stage['stage']}"] = stage["count"]
        out[f"funnel:{stage['stage']}:from_previous"] = stage["conversion_from_previous"]
        out[f"funnel:{stage['stage']}:from_referred"] = stage["conversion_from_referred"]
    for name, figure in report["first_contact"].items():
        out[f"first_contact:{name}"] = figure
    for name, figure in report["contacts"].items():
        out[f"contacts:{name}"] = figure
    for row in report["activities"]:
        for name in ("planned", "attended", "attendance_rate"):
            out[f"activity:{row['service_id']}:{name}"] = row[name]
    for row in report["providers"]:
        for name in ("planned", "attended", "attendance_rate"):
            out[f"provider:{row['provider_id']}:{name}"] = row[name]
    for row in report["outcomes"]:
        for name in ("pairs", "mean_change", "ci_lower", "ci_upper", "improved", "improved_share"):
            out[f"outcome:{row['score']}:{name}"] = row[name]
    out["closures:closed"] = report["closures"]["closed"]
    for row in report["closures"]["reasons"]:
        out[f"closure:{row['key']}"] = row["count"]
        out[f"closure:{row['key']}:share"] = row["share"]
    out["gaps:total"] = report["gaps"]["total_unmet"]
    for cell in report["gaps"]["cells"]:
        out[f"gap:{cell['need']}:{cell['postcode_district']}:unmet"] = cell["unmet"]
        out[f"gap:{cell['need']}:{cell['postcode_district']}:with_need"] = cell["with_need"]
    for row in report["gaps"]["by_need"]:
        out[f"gap-need:{row['key']}"] = row["count"]
    for row in report["gaps"]["by_area"]:
        out[f"gap-area:{row['key']}"] = row["count"]
    for breakdown in report["equity"]:
        for row in breakdown["rows"]:
            for name in ("referrals", "plan_agreed", "plan_rate"):
                out[f"equity:{breakdown['dimension']}:{row['key']}:{name}"] = row[name]
    return out
