"""Known answers for the provider figures (issue 17), suppression included, worked out by hand below."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from linkwork_outcomes.domain.provider_figures import ActivityReferralRow, Figures, provider_report

pytestmark = pytest.mark.unit
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
NONE_DECLINED = {"no-capacity": 0, "not-eligible": 0, "could-not-contact": 0, "person-declined": 0, "other": 0}


def rows(
    org: str,
    service: str,
    n: int,
    *,
    decision: str = "accepted",
    reason: str | None = None,
    days: float = 2,
    attended: int = 0,
    missed: int = 0,
    completed: bool = False,
) -> list[ActivityReferralRow]:
    return [
        ActivityReferralRow(
            organization_id=org,
            organization_name=f"{org} CIO",
            service_id=service,
            service_name=service.title(),
            referred_at=T0,
            responded_at=T0 + timedelta(days=days),
            decision=decision,
            decline_reason=reason,
            sessions_attended=attended,
            sessions_missed=missed,
            completed=completed,
        )
        for _ in range(n)
    ]


def test_figures_by_provider_and_service_with_suppression() -> None:
    history = [
        # Provider p1, service s1: 20 referred; 15 accepted (5 completed, 5 started and not completed, 5 not
        # started), 5 declined for no capacity (answered in 14 days). 40 sessions attended, 10 missed.
        *rows("p1", "s1", 5, attended=4, completed=True),
        *rows("p1", "s1", 5, attended=4, missed=2),
        *rows("p1", "s1", 5),
        *rows("p1", "s1", 5, decision="declined", reason="no-capacity", days=14),
        # Service s2 of the same provider: 3 accepted in a day, 1 session each.
        *rows("p1", "s2", 3, days=1, attended=1),
        # Provider p2, one service: 10 referred, 5 accepted and started (2 sessions each, 1 missed each),
        # 5 declined because the person declined; all answered in 3 days.
        *rows("p2", "s3", 5, days=3, attended=2, missed=1),
        *rows("p2", "s3", 5, decision="declined", reason="person-declined", days=3),
    ]
    report = provider_report(history, start="2025-03", end="2025-03", area="icb:QWO")
    p1, p2 = report.providers
    s1, s2 = p1.services
    assert (p1.name, s1.name) == ("p1 CIO", "S1")

    # p2: every count is 0 or at least 5, its one service's counts equal its totals: nothing is hidden.
    expected_p2 = Figures(
        referred=10,
        accepted=5,
        declined=5,
        declined_by_reason={**NONE_DECLINED, "person-declined": 5, "no-response": 0},
        acceptance_rate=0.5,
        decline_rate=0.5,
        median_response_days=3.0,
        started=5,
        completed=0,
        completion_rate=0.0,
        sessions_attended=10,
        sessions_missed=5,
        did_not_attend_rate=0.3333,
    )
    assert p2.figures == expected_p2 == p2.services[0].figures

    # p1: s2's counts of 3 are hidden (primary: referred, accepted, started, sessions attended). Each of p1's
    # counts is s1's plus s2's, so each of those four margins has one hidden member, and the smaller shown
    # one goes too (secondary): s1's 20 referred, 15 accepted, 10 started and 40 sessions attended. In s1,
    # referred = accepted + declined and the rest then have two hidden members each: nothing more goes.
    # p1's own counts all stay; only a provider's services can be differenced against it.
    # Both services lose the same figures: those four counts and every rate or median built on them.
    counts = ("referred", "accepted", "started", "sessions_attended")
    hidden = dict.fromkeys(
        (*counts, "acceptance_rate", "decline_rate", "median_response_days", "completion_rate", "did_not_attend_rate")
    )
    assert s2.figures == Figures(
        **hidden, declined=0, declined_by_reason={**NONE_DECLINED, "no-response": 0}, completed=0, sessions_missed=0
    )
    assert s1.figures == Figures(
        **hidden,
        declined=5,
        declined_by_reason={**NONE_DECLINED, "no-capacity": 5, "no-response": 0},
        completed=5,
        sessions_missed=10,
    )
    # p1's 23 answers: 3 in 1 day, 15 in 2 days, 5 in 14 days: the median (12th) is 2 days. 18 of 23
    # accepted, 5 of 18 completed, 10 of 53 sessions missed.
    assert p1.figures == Figures(
        referred=23,
        accepted=18,
        declined=5,
        declined_by_reason={**NONE_DECLINED, "no-capacity": 5, "no-response": 0},
        acceptance_rate=0.7826,
        decline_rate=0.2174,
        median_response_days=2.0,
        started=13,
        completed=5,
        completion_rate=0.2778,
        sessions_attended=43,
        sessions_missed=10,
        did_not_attend_rate=0.1887,
    )
