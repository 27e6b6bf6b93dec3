"""The persona evaluation of eligibility (issue 21): no ineligible option offered, no eligible one missed.

The personas and their expected services are written by hand in bench/matching/eligibility_personas.py,
apart from the ranker; `python -m bench.matching --eligibility` reports the same figures beside nDCG."""

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
# bench/ is a folder of the repository, not an installed package: load the module from its file.
_PATH = Path(__file__).resolve().parents[4] / "bench" / "matching" / "eligibility_personas.py"
_SPEC = importlib.util.spec_from_file_location("eligibility_personas", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
personas = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = personas  # dataclasses look their module up while the file runs
_SPEC.loader.exec_module(personas)
DIRECTORY, PERSONAS, evaluate = personas.DIRECTORY, personas.PERSONAS, personas.evaluate


def test_the_personas_cover_every_kind_of_rule() -> None:
    assert len(PERSONAS) >= 30
    names = {event.name for event in DIRECTORY}
    for persona in PERSONAS:
        assert persona.eligible | persona.ineligible <= names, persona.name
        assert not persona.eligible & persona.ineligible, persona.name


def test_no_persona_is_offered_an_ineligible_service_or_misses_an_eligible_one() -> None:
    result = evaluate()
    assert result.violations == []
    assert result.misses == []
    assert result.gap_errors == []
