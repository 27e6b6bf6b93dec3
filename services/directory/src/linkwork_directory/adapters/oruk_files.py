"""ORUK JSON documents (`*_full.json`, `*_list.json`, single records, arrays) to import items.

A file's kind comes from its name as the ORUK examples are named (`service_full.json`,
`taxonomy_term_list.json`), or is given by the caller; failing both, each record's fields decide.
An organization's nested services become service records of their own, so that one bad service
does not take its organization down with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast, get_args

from linkwork_directory.domain.importing import ImportItem, Kind

KINDS: tuple[str, ...] = get_args(Kind)
# Longest first so that "taxonomy_term_list" is not read as "taxonomy".
_BY_PREFIX = sorted(KINDS, key=len, reverse=True)


def kind_from_name(name: str) -> Kind | None:
    stem = Path(name).name.removesuffix(".json")
    for kind in _BY_PREFIX:
        if stem == kind or stem.startswith(kind + "_") or stem == kind + "s":
            return cast(Kind, kind)
    return None


def guess_kind(record: dict[str, Any]) -> Kind:
    if "status" in record:
        return "service"
    if "location" in record or "service" in record:
        return "service_at_location"
    if "taxonomy_terms" in record or "version" in record:
        return "taxonomy"
    if any(key in record for key in ("term", "term_uri", "taxonomy", "taxonomy_id", "parent_id")):
        return "taxonomy_term"
    if "location_type" in record:
        return "location"
    return "organization"


def items_from_document(document: Any, *, name: str, kind: Kind | None = None) -> list[ImportItem]:
    kind = kind or kind_from_name(name)
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        records = [(f"{name} contents[{n}]", record) for n, record in enumerate(document["contents"])]
    elif isinstance(document, list):
        records = [(f"{name} [{n}]", record) for n, record in enumerate(document)]
    else:
        records = [(name, document)]
    items: list[ImportItem] = []
    for source, record in records:
        if not isinstance(record, dict):
            items.append(ImportItem(kind or "service", source, {}, problems=["the record is not a JSON object"]))
            continue
        record_kind = kind or guess_kind(record)
        if record_kind == "organization" and isinstance(record.get("services"), list):
            organization = {key: value for key, value in record.items() if key != "services"}
            items.append(ImportItem("organization", source, organization))
            for n, service in enumerate(record["services"]):
                if isinstance(service, dict) and "organization_id" not in service and "organization" not in service:
                    service = {**service, "organization_id": record.get("id")}
                items.append(
                    ImportItem(
                        "service",
                        f"{source} services[{n}]",
                        service if isinstance(service, dict) else {},
                        problems=[] if isinstance(service, dict) else ["not an object"],
                    )
                )
        else:
            items.append(ImportItem(record_kind, source, record))
    return items


def items_from_file(path: Path, *, kind: Kind | None = None) -> list[ImportItem]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [ImportItem(kind or "service", path.name, {}, problems=[f"not valid JSON: {error}"])]
    return items_from_document(document, name=path.name, kind=kind)
