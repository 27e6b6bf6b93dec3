"""What one referral adds to the report aggregates, and how an update changes them.

The aggregates are additive cells keyed by (month, PCN, practice, section, key, subkey), kept at
three levels (all PCNs, one PCN, one practice) so that a report for any scope reads a few
hundred cells however many referrals lie behind them. A referral's contribution is a pure
function of its summary; when a new fact changes the summary, the aggregates receive the new
contribution minus the old one. The aggregates therefore always equal the sum of the current
contributions, whatever order the facts came in, which is what makes rebuild equal live.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from linkwork_outcomes.domain.referral_summary import ReferralSummary
from linkwork_outcomes.domain.statistics import ChangeSums

ALL = "*"  # the PCN or practice of a cell that covers every PCN or practice
UNKNOWN = "unknown"


class Section(StrEnum):
    REFERRALS = "referrals"
    SOURCE = "source"
    NEED = "need"
    STATUS = "status"
    FUNNEL = "funnel"
    FIRST_CONTACT_DAYS = "first-contact-days"  # key: whole days; a histogram
    CONTACTS = "contacts"  # key: contacts in the episode; a histogram of contacted referrals
    PLANNED = "planned"  # key: service id in the current plan
    ATTENDED = "attended"  # key: service id attended (attending or completed)
    CLOSURE = "closure"  # key: closure reason
    EQUITY = "equity"  # key: dimension, subkey: value
    EQUITY_PLAN = "equity-plan"  # as EQUITY, for referrals with a plan agreed


class Stage(StrEnum):
    """Funnel stages, nested: each counts referrals that reached it and every stage before."""

    REFERRED = "referred"
    CONTACTED = "contacted"
    PLAN_AGREED = "plan-agreed"
    FOLLOWED_UP = "followed-up"
    CLOSED = "closed"


class Dimension(StrEnum):
    IMD_DECILE = "imd-decile"
    AGE_BAND = "age-band"
    SEX = "sex"
    ETHNIC_CATEGORY = "ethnic-category"


TallyKey = tuple[date, str, str, str, str, str]  # month, pcn, practice, section, key, subkey
OutcomeKey = tuple[date, str, str, str]  # month, pcn, practice, score


def stages_reached(summary: ReferralSummary) -> tuple[Stage, ...]:
    reached = [Stage.REFERRED]
    for stage, done in (
        (Stage.CONTACTED, summary.contacted),
        (Stage.PLAN_AGREED, summary.plan_agreed),
        (Stage.FOLLOWED_UP, summary.followed_up),
        (Stage.CLOSED, summary.closed),
    ):
        if not done:
            break
        reached.append(stage)
    return tuple(reached)


def equity_values(summary: ReferralSummary) -> dict[Dimension, str]:
    return {
        Dimension.IMD_DECILE: str(summary.imd_decile) if summary.imd_decile else UNKNOWN,
        Dimension.AGE_BAND: summary.age_band or UNKNOWN,
        Dimension.SEX: summary.sex or UNKNOWN,
        Dimension.ETHNIC_CATEGORY: summary.ethnic_category or UNKNOWN,
    }


def _cells(summary: ReferralSummary) -> Iterator[tuple[str, str, str]]:
    yield Section.REFERRALS, "", ""
    yield Section.SOURCE, summary.source or UNKNOWN, ""
    yield Section.STATUS, summary.status, ""
    for need in summary.needs:
        yield Section.NEED, need, ""
    for stage in stages_reached(summary):
        yield Section.FUNNEL, stage, ""
    if summary.first_contact_days is not None:
        yield Section.FIRST_CONTACT_DAYS, str(summary.first_contact_days), ""
    if summary.contacts > 0:
        yield Section.CONTACTS, str(summary.contacts), ""
    for service_id in summary.planned:
        yield Section.PLANNED, service_id, ""
    for service_id in summary.attended:
        yield Section.ATTENDED, service_id, ""
    if summary.closure_reason is not None:
        yield Section.CLOSURE, summary.closure_reason, ""
    for dimension, value in equity_values(summary).items():
        yield Section.EQUITY, dimension, value
        if summary.plan_agreed:
            yield Section.EQUITY_PLAN, dimension, value


def _levels(summary: ReferralSummary) -> list[tuple[str, str]]:
    assert summary.pcn is not None
    levels = [(ALL, ALL), (summary.pcn, ALL)]
    if summary.practice:
        levels.append((summary.pcn, summary.practice))
    return levels


@dataclass
class Contribution:
    """Additive cells: counts, and paired-change sums per outcome score."""

    tally: Counter[TallyKey] = field(default_factory=Counter)
    outcomes: dict[OutcomeKey, ChangeSums] = field(default_factory=dict)

    def include(self, summary: ReferralSummary, sign: int = 1) -> None:
        """Add a referral's contribution (sign 1) or take it away (sign -1), in place."""
        if not summary.counted:
            return
        assert summary.month is not None
        month, cells = summary.month, list(_cells(summary))
        levels = _levels(summary)
        keys = [
            (month, pcn, practice, section, key, subkey) for pcn, practice in levels for section, key, subkey in cells
        ]
        # Counter's update and subtract count in C: this is the projector's hottest loop.
        if sign > 0:
            self.tally.update(keys)
        else:
            self.tally.subtract(keys)
        for pcn, practice in levels:
            for change in summary.changes:
                outcome_key = (month, pcn, practice, change.score)
                sums = ChangeSums.of(change.change, change.improved)
                current = self.outcomes.get(outcome_key, ChangeSums())
                self.outcomes[outcome_key] = current + sums if sign > 0 else current - sums

    def add(self, other: Contribution) -> None:
        self.tally.update(other.tally)
        for outcome_key, sums in other.outcomes.items():
            self.outcomes[outcome_key] = self.outcomes.get(outcome_key, ChangeSums()) + sums

    def without_zeros(self) -> Contribution:
        return Contribution(
            Counter({k: v for k, v in self.tally.items() if v != 0}),
            {k: v for k, v in self.outcomes.items() if not v.is_zero},
        )


def contribution(summary: ReferralSummary) -> Contribution:
    """The cells a referral adds to the aggregates (nothing until it is known and counted)."""
    result = Contribution()
    result.include(summary)
    return result


def change_between(old: ReferralSummary | None, new: ReferralSummary) -> Contribution:
    """What the aggregates must receive when a referral's summary goes from `old` to `new`."""
    delta = Contribution()
    delta.include(new)
    if old is not None:
        delta.include(old, sign=-1)
    return delta.without_zeros()
