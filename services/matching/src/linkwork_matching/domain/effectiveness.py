"""What actually works: attendance and wellbeing change per service and need, shrunk to a prior.

A service with one glowing outcome has not shown much; one with forty has. Both rates are
posterior means under a prior worth `strength` pseudo-outcomes (Beta-binomial for attendance,
a normal prior on the mean change for wellbeing), so a new or small provider starts at the prior,
neither buried under established ones nor lifted above them by a single lucky outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

# What one self-reported attendance (a follow-up with the person or link worker) counts for beside one a
# provider confirmed (issue 17): people over-report attending, and a provider's register is first-hand.
SELF_REPORTED_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class OutcomeTally:
    """Outcomes of people who took up a service for a need.

    `outcomes` counts people with a reported attendance, `attended` those who attended or
    completed; `measured` counts those with a wellbeing change, summed in `wellbeing_change`
    (SWEMWBS metric points, follow-up minus baseline).
    """

    outcomes: int = 0
    attended: int = 0
    measured: int = 0
    wellbeing_change: float = 0.0
    # The same two counts with each outcome weighted by who reported it: 1 for a provider's
    # confirmation, SELF_REPORTED_WEIGHT for a self-report. None: every outcome counts 1.
    weighted_outcomes: float | None = None
    weighted_attended: float | None = None

    @property
    def evidence(self) -> tuple[float, float]:
        """(outcomes, attended) as the estimate weighs them."""
        if self.weighted_outcomes is None or self.weighted_attended is None:
            return float(self.outcomes), float(self.attended)
        return self.weighted_outcomes, self.weighted_attended

    def __add__(self, other: OutcomeTally) -> OutcomeTally:
        (mine, mine_attended), (theirs, theirs_attended) = self.evidence, other.evidence
        return OutcomeTally(
            self.outcomes + other.outcomes,
            self.attended + other.attended,
            self.measured + other.measured,
            self.wellbeing_change + other.wellbeing_change,
            mine + theirs,
            mine_attended + theirs_attended,
        )


@dataclass(frozen=True, slots=True)
class EffectPrior:
    # Roughly the share of referred people who take up an activity, from link workers'
    # reports; a deployment with its own history should set it from that.
    attendance_rate: float = 0.6
    # Pseudo-outcomes the prior is worth: an observed rate needs about this many outcomes
    # to carry half the weight.
    strength: float = 8.0
    # Expected mean wellbeing change for an average service: none beyond the average.
    wellbeing_change: float = 0.0
    # SWEMWBS metric points treated as a full-scale effect (1-3 is "meaningful" for a person).
    wellbeing_scale: float = 3.0


@dataclass(frozen=True, slots=True)
class Effect:
    """Posterior estimates, and `score` in [-1, 1]: 0 is the prior (no evidence either way)."""

    attendance_rate: float
    wellbeing_change: float
    score: float


def estimate(tally: OutcomeTally, prior: EffectPrior = EffectPrior()) -> Effect:
    k = prior.strength
    p0 = prior.attendance_rate
    outcomes, attended = tally.evidence
    rate = (attended + p0 * k) / (outcomes + k)
    # Scale each side to [-1, 1]: a perfect record is +1, a record of nobody attending is -1.
    attendance = (rate - p0) / (1 - p0) if rate >= p0 else (rate - p0) / p0
    change = (tally.wellbeing_change + prior.wellbeing_change * k) / (tally.measured + k)
    wellbeing = max(-1.0, min(1.0, (change - prior.wellbeing_change) / prior.wellbeing_scale))
    return Effect(rate, change, 0.5 * attendance + 0.5 * wellbeing)
