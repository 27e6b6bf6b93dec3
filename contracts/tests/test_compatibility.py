"""The compatibility gate passes today's schemas and fails deliberately broken ones."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from linkwork_contracts.compatibility import breaking_changes, compare_sets, load_schemas
from linkwork_contracts.events import Event
from linkwork_contracts.export import compatibility_findings, main, release
from linkwork_contracts.schemas import all_event_schemas, event_schema
from pydantic import Field

pytestmark = pytest.mark.unit

CREATED = "uk.linkwork.referral.created.v1"


def test_current_schemas_can_read_everything_released(contracts_dir: Path) -> None:
    released = load_schemas(contracts_dir / "released")
    assert released, "contracts/released/ holds no schemas"
    assert compatibility_findings(contracts_dir) == []


@pytest.fixture
def current() -> dict[str, Any]:
    return copy.deepcopy(all_event_schemas()[CREATED])


def problems_after(current: dict[str, Any]) -> list[str]:
    return breaking_changes(all_event_schemas()[CREATED], current)


def test_removing_a_field_breaks(current: dict[str, Any]) -> None:
    del current["properties"]["urgency"]
    current["required"].remove("urgency")
    assert problems_after(current) == ["urgency: field removed (old events carrying it are rejected)"]


def test_removing_a_nested_field_breaks(current: dict[str, Any]) -> None:
    del current["$defs"]["PersonProfile"]["properties"]["lsoa"]
    assert problems_after(current) == ["person.lsoa: field removed (old events carrying it are rejected)"]


def test_changing_a_type_breaks(current: dict[str, Any]) -> None:
    current["properties"]["version"] = {"type": "string"}
    assert problems_after(current) == ["version: type changed from integer to string"]


def test_making_a_nullable_field_non_null_breaks(current: dict[str, Any]) -> None:
    current["properties"]["request_id"] = current["properties"]["request_id"]["anyOf"][0]
    assert problems_after(current) == ["request_id: type changed from null to string"]


def test_adding_a_required_field_breaks(current: dict[str, Any]) -> None:
    current["properties"]["priority"] = {"type": "integer"}
    current["required"].append("priority")
    assert problems_after(current) == ["priority: new required field without a default"]


def test_making_an_optional_field_required_breaks(current: dict[str, Any]) -> None:
    current["required"].append("preferences")
    assert problems_after(current) == ["preferences: was optional, now required"]


def test_removing_a_code_breaks(current: dict[str, Any]) -> None:
    current["$defs"]["NeedCategory"]["enum"].remove("housing")
    assert problems_after(current) == ["needs[]: values no longer accepted: ['housing']"]


def test_tightening_bounds_and_patterns_breaks(current: dict[str, Any]) -> None:
    preferences = current["$defs"]["Preferences"]["properties"]
    preferences["max_travel_minutes"]["anyOf"][0]["maximum"] = 60
    preferences["interests"]["maxItems"] = 5
    current["properties"]["pcn_code"]["pattern"] = "^U[0-9]{6}$"
    assert problems_after(current) == [
        "pcn_code: pattern changed from '^U[0-9]{5}$' to '^U[0-9]{6}$'",
        "preferences.interests: maxItems lowered from 20 to 5",
        "preferences.max_travel_minutes: maximum lowered from 180 to 60",
    ]


def test_compatible_changes_pass(current: dict[str, Any]) -> None:
    current["properties"]["channel"] = {"type": "string", "default": "web"}  # optional field
    current["$defs"]["NeedCategory"]["enum"].append("food-insecurity")  # wider value set
    current["$defs"]["Preferences"]["properties"]["interests"]["maxItems"] = 40  # looser bound
    current["properties"]["version"]["description"] = "reworded"
    del current["properties"]["pcn_code"]["pattern"]  # looser string
    assert problems_after(current) == []


def test_union_branches_are_matched_not_just_compared_in_order(current: dict[str, Any]) -> None:
    """Reordering the measures of a discriminated union changes nothing a reader cares about."""
    schemas = all_event_schemas()
    old = schemas["uk.linkwork.plan.agreed.v1"]
    new = copy.deepcopy(old)
    union = new["properties"]["baseline_measures"]["items"]["oneOf"]
    union.reverse()
    assert breaking_changes(old, new) == []
    union.pop()  # drop one measure altogether
    assert breaking_changes(old, new)


def test_a_released_type_must_stay_readable() -> None:
    schemas = all_event_schemas()
    current = {t: s for t, s in schemas.items() if t != CREATED}
    assert compare_sets(schemas, current) == [
        f"{CREATED}: released type is no longer readable; keep its model registered"
    ]


# --- the whole gate, end to end, with real models ------------------------------------------


class _Thing(Event):
    """What every version of the test event shares; each subclass below is one edit of it."""

    TYPE: ClassVar[str] = "uk.linkwork.test.thing.v1"
    TOPIC: ClassVar[str] = "test-thing"
    KEY_FIELD: ClassVar[str] = "thing_id"

    thing_id: str


class _ThingV1(_Thing):
    size: int


class _ThingV1Broken(_Thing):
    """v1 edited in place: size became a string and colour is new and required."""

    size: str
    colour: str


class _ThingV1Extended(_Thing):
    size: int
    colour: str = "blue"  # optional: fine within v1


class _ThingV2(_Thing):
    TYPE: ClassVar[str] = "uk.linkwork.test.thing.v2"

    size: str = Field(description="now a label")
    colour: str


def _write(directory: Path, *classes: type[Event]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for cls in classes:
        (directory / f"{cls.TYPE}.json").write_text(json.dumps(event_schema(cls)))


def gate(tmp_path: Path, *current: type[Event]) -> list[str]:
    _write(tmp_path / "released", _ThingV1)
    return compare_sets(load_schemas(tmp_path / "released"), {c.TYPE: event_schema(c) for c in current})


def test_breaking_v1_in_place_fails(tmp_path: Path) -> None:
    assert gate(tmp_path, _ThingV1Broken) == [
        "uk.linkwork.test.thing.v1: size: type changed from integer to string",
        "uk.linkwork.test.thing.v1: colour: new required field without a default",
    ]


def test_adding_an_optional_field_to_v1_passes(tmp_path: Path) -> None:
    assert gate(tmp_path, _ThingV1Extended) == []


def test_bumping_the_version_and_keeping_v1_passes(tmp_path: Path) -> None:
    assert gate(tmp_path, _ThingV1, _ThingV2) == []


def test_bumping_the_version_but_dropping_v1_fails(tmp_path: Path) -> None:
    assert gate(tmp_path, _ThingV2) == [
        "uk.linkwork.test.thing.v1: released type is no longer readable; keep its model registered"
    ]


def test_export_check_fails_on_a_broken_released_baseline(contracts_dir: Path, tmp_path: Path) -> None:
    """A released schema the current model cannot read makes `export --check` exit 1."""
    import shutil

    target = tmp_path / "contracts"
    for name in ("schemas", "released"):
        shutil.copytree(contracts_dir / name, target / name)
    for name in ("asyncapi.json", "README.md"):
        shutil.copy(contracts_dir / name, target / name)
    path = target / "released" / f"{CREATED}.json"
    released = json.loads(path.read_text())
    released["properties"]["legacy_flag"] = {"type": "boolean"}  # a field v1 once had
    path.write_text(json.dumps(released))

    assert compatibility_findings(target) == [
        f"{CREATED}: legacy_flag: field removed (old events carrying it are rejected)"
    ]
    assert main(["--check", "--dir", str(target)]) == 1
    assert main(["--release", "--dir", str(target)]) == 1  # no release over a broken gate
    path.unlink()
    assert release(target) == [Path("released") / f"{CREATED}.json"]
    assert main(["--check", "--dir", str(target)]) == 0
