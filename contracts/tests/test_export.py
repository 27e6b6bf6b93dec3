"""The committed artefacts are exactly what the models generate; stale ones are caught."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from linkwork_contracts import topics
from linkwork_contracts.asyncapi import asyncapi_document
from linkwork_contracts.catalogue import END, START
from linkwork_contracts.export import main, stale_artefacts, write
from linkwork_contracts.registry import EVENT_CLASSES
from linkwork_contracts.schema_walk import resolve

pytestmark = pytest.mark.unit


@pytest.fixture
def copy_of_contracts(contracts_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "contracts"
    target.mkdir()
    for name in ("schemas", "released"):
        shutil.copytree(contracts_dir / name, target / name)
    for name in ("asyncapi.json", "README.md"):
        shutil.copy(contracts_dir / name, target / name)
    return target


def test_committed_artefacts_are_up_to_date(contracts_dir: Path) -> None:
    problems = stale_artefacts(contracts_dir)
    assert problems == [], "run `python -m linkwork_contracts.export`:\n" + "\n".join(problems)


def test_check_passes_on_the_repository(contracts_dir: Path) -> None:
    assert main(["--check", "--dir", str(contracts_dir)]) == 0


def test_an_edited_schema_is_caught_and_regenerated(copy_of_contracts: Path) -> None:
    path = copy_of_contracts / "schemas" / "uk.linkwork.referral.created.v1.json"
    schema = json.loads(path.read_text())
    del schema["properties"]["version"]
    path.write_text(json.dumps(schema, indent=2) + "\n")

    assert stale_artefacts(copy_of_contracts) == [
        "schemas/uk.linkwork.referral.created.v1.json: differs from what the models generate"
    ]
    assert main(["--check", "--dir", str(copy_of_contracts)]) == 1
    assert write(copy_of_contracts) == [Path("schemas/uk.linkwork.referral.created.v1.json")]
    assert stale_artefacts(copy_of_contracts) == []


def test_missing_and_orphaned_files_are_caught(copy_of_contracts: Path) -> None:
    (copy_of_contracts / "asyncapi.json").unlink()
    orphan = copy_of_contracts / "schemas" / "uk.linkwork.referral.deleted.v1.json"
    orphan.write_text("{}\n")
    assert stale_artefacts(copy_of_contracts) == [
        "asyncapi.json: missing",
        "schemas/uk.linkwork.referral.deleted.v1.json: no model generates it any more",
    ]
    write(copy_of_contracts)
    assert not orphan.exists()
    assert stale_artefacts(copy_of_contracts) == []


def test_an_edited_catalogue_is_caught(copy_of_contracts: Path) -> None:
    readme = copy_of_contracts / "README.md"
    text = readme.read_text()
    readme.write_text(text.replace("| `referral-created` | referral id |", "| `referral-created` | ? |"))
    assert stale_artefacts(copy_of_contracts) == ["README.md: differs from what the models generate"]
    readme.write_text(text.replace(START, "").replace(END, ""))
    with pytest.raises(ValueError, match="must contain the markers"):
        stale_artefacts(copy_of_contracts)


def test_committed_schemas_are_valid_json_schema(contracts_dir: Path) -> None:
    for path in sorted((contracts_dir / "schemas").glob("*.json")):
        Draft202012Validator.check_schema(json.loads(path.read_text()))


# --- the AsyncAPI document -----------------------------------------------------------------


def all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in all_refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in all_refs(value)]
    return []


def test_asyncapi_refs_all_resolve() -> None:
    document = asyncapi_document()
    refs = all_refs(document)
    assert len(refs) > 100
    for ref in refs:
        assert resolve({"$ref": ref}, document), ref


def test_asyncapi_describes_every_topic_message_and_service() -> None:
    document = asyncapi_document()
    assert document["asyncapi"] == "3.0.0"
    channels, operations = document["channels"], document["operations"]
    for spec in topics.TOPICS.values():
        channel = channels[spec.name]
        assert channel["address"] == spec.name
        policy = channel["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"]
        assert policy == (["compact"] if spec.compacted else ["delete"])
        assert topics.dlq(spec.name) in channels
        assert operations[f"{spec.producer}-sends-{spec.name}"]["action"] == "send"
        for consumer in spec.consumers:
            assert operations[f"{consumer}-receives-{spec.name}"]["action"] == "receive"
    messages = document["components"]["messages"]
    for cls in EVENT_CLASSES:
        message = messages[cls.__name__]
        assert message["title"] == cls.TYPE
        data_ref = message["payload"]["allOf"][1]["properties"]["data"]["$ref"]
        assert resolve({"$ref": data_ref}, document)["title"] == cls.__name__


def test_asyncapi_examples_validate_against_their_payload_schemas() -> None:
    document = asyncapi_document()
    for cls in EVENT_CLASSES:
        message = document["components"]["messages"][cls.__name__]
        payload_schema = {**message["payload"], "components": document["components"]}
        validator = Draft202012Validator(payload_schema)
        for example in message["examples"]:
            validator.validate(example["payload"])


def test_array_bounds_are_item_counts(contracts_dir: Path) -> None:
    """Length bounds on tuples must come out as minItems/maxItems, which validators enforce.

    pydantic emits minLength/maxLength (ignored on arrays) when a Field's bounds follow an
    AfterValidator inside Annotated; this keeps that mistake from coming back.
    """

    def misplaced(node: Any, path: str) -> list[str]:
        if isinstance(node, dict):
            found = []
            if node.get("type") == "array" and {"minLength", "maxLength"} & set(node):
                found.append(path)
            return found + [p for k, v in node.items() for p in misplaced(v, f"{path}/{k}")]
        if isinstance(node, list):
            return [p for i, v in enumerate(node) for p in misplaced(v, f"{path}/{i}")]
        return []

    for path in sorted((contracts_dir / "schemas").glob("*.json")):
        assert misplaced(json.loads(path.read_text()), path.name) == []
