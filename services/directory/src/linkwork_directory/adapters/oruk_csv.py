"""An ORUK v3 CSV package (one CSV file per table) to import items in ORUK JSON shape.

Rows are assembled into the same nested records the JSON import reads, so both go through one
validation and one upsert: a service with its schedules, contacts, phones, costs and links to
locations is one record, and a bad schedule row rejects its service, not half of it. Each nested
row remembers its file and line so that errors name them.

File names are those of the ORUK schemas (`address.csv`, `schedule.csv`, `taxonomies.csv`, ...);
the variants the example package also contains (`addresses.csv`, `schedules.csv`, `taxonomy.csv`)
are read as well, a row whose id was already read being skipped with a note. A table whose file
is absent leaves that collection of existing services untouched; a present file replaces it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkwork_directory.domain.importing import ImportItem

FILES: dict[str, tuple[str, ...]] = {
    "taxonomies": ("taxonomies.csv", "taxonomy.csv"),
    "taxonomy_terms": ("taxonomy_terms.csv",),
    "organizations": ("organizations.csv",),
    "organization_identifiers": ("organization_identifiers.csv",),
    "locations": ("locations.csv",),
    "addresses": ("address.csv", "addresses.csv"),
    "accessibility": ("accessibility.csv",),
    "services": ("services.csv",),
    "service_at_locations": ("service_at_location.csv", "service_at_locations.csv"),
    "schedules": ("schedule.csv", "schedules.csv"),
    "service_areas": ("service_areas.csv",),
    "languages": ("languages.csv",),
    "funding": ("funding.csv",),
    "cost_options": ("cost_options.csv",),
    "contacts": ("contacts.csv",),
    "phones": ("phones.csv",),
    "attributes": ("attribute.csv", "attributes.csv"),
}
_NUMBERS = {"minimum_age", "maximum_age", "latitude", "longitude", "amount", "interval"}
# Links to a parent, dropped from the nested record (the nesting says it).
_PARENT_KEYS = {"service_id", "location_id", "organization_id", "contact_id", "link_id"}


@dataclass
class Row:
    source: str
    values: dict[str, Any]

    @property
    def id(self) -> str | None:
        value = self.values.get("id")
        return str(value) if value else None

    def nested(self, *keep: str) -> dict[str, Any]:
        return {k: v for k, v in self.values.items() if k not in _PARENT_KEYS or k in keep}


@dataclass
class Package:
    tables: dict[str, list[Row]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def has(self, table: str) -> bool:
        return table in self.tables

    def rows(self, table: str) -> list[Row]:
        return self.tables.get(table, [])

    def by(self, table: str, key: str) -> dict[str, list[Row]]:
        grouped: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows(table):
            grouped[str(row.values.get(key) or "")].append(row)
        return grouped


def _number(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text  # left as text so the schema check names the field
    return int(number) if number.is_integer() and "." not in text else number


def _read_rows(name: str, text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    rows: list[Row] = []
    if header is None:
        return rows
    columns = [column.strip() for column in header]
    while True:
        line = reader.line_num + 1  # where the next record starts (blank lines are reported as [])
        record = next(reader, None)
        if record is None:
            return rows
        if not any(cell.strip() for cell in record):
            continue
        values: dict[str, Any] = {}
        for key, value in zip(columns, record, strict=False):
            if key and value.strip():
                values[key] = _number(value.strip()) if key in _NUMBERS else value.strip()
        rows.append(Row(f"{name} line {line}", values))


def read_package(files: Mapping[str, str]) -> Package:
    """Read the CSV texts of a package, keyed by file name."""
    package = Package()
    known = {name for names in FILES.values() for name in names}
    for name in sorted(set(files) - known):
        if name.endswith(".csv"):
            package.notes.append(f"{name}: not a table the directory imports (outside the ORUK v3 service model)")
    for table, names in FILES.items():
        present = [name for name in names if name in files]
        if not present:
            continue
        seen: dict[str, str] = {}
        rows: list[Row] = []
        for name in present:
            for row in _read_rows(name, files[name]):
                if row.id is not None and row.id in seen:
                    package.notes.append(f"{row.source}: id {row.id} already read from {seen[row.id]}; skipped")
                    continue
                if row.id is not None:
                    seen[row.id] = row.source
                rows.append(row)
        package.tables[table] = rows
    return package


def read_folder(folder: Path) -> Package:
    return read_package({path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.csv"))})


class _Assembler:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.used: set[str] = set()  # sources of rows placed in some record
        self.attributes = package.by("attributes", "link_id")

    def take(self, item: ImportItem, key: str, rows: list[Row], builder: Any = None) -> None:
        nested = []
        for n, row in enumerate(rows):
            self.used.add(row.source)
            path = f"{key}[{n}]"
            item.origins[path] = row.source
            nested.append(builder(row, path) if builder else row.nested())
        item.document[key] = nested

    def with_attributes(self, item: ImportItem, owner: Row, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.package.has("attributes"):
            rows = self.attributes.get(owner.id or "", [])
            attributes = []
            for n, row in enumerate(rows):
                self.used.add(row.source)
                item.origins[f"{path}attributes[{n}]"] = row.source
                attributes.append(row.nested("link_id"))
            body["attributes"] = attributes
        return body

    def start(self, kind: Any, row: Row) -> ImportItem:
        self.used.add(row.source)
        item = ImportItem(kind, row.source, row.nested("organization_id"))
        return item


def items_from_package(package: Package) -> list[ImportItem]:
    """Records in dependency order: taxonomies, terms, organizations, locations, services."""
    assembler = _Assembler(package)
    items: list[ImportItem] = []
    for row in package.rows("taxonomies"):
        items.append(assembler.start("taxonomy", row))
    for row in package.rows("taxonomy_terms"):
        item = assembler.start("taxonomy_term", row)
        item.document = row.nested()
        items.append(item)

    identifiers = package.by("organization_identifiers", "organization_id")
    for row in package.rows("organizations"):
        item = assembler.start("organization", row)
        item.document = row.nested()
        if package.has("organization_identifiers"):
            assembler.take(item, "organization_identifiers", identifiers.get(row.id or "", []))
        assembler.with_attributes(item, row, "", item.document)
        items.append(item)

    addresses, notes = package.by("addresses", "location_id"), package.by("accessibility", "location_id")
    for row in package.rows("locations"):
        item = assembler.start("location", row)
        item.document = row.nested()
        for table, key, grouped in (("addresses", "addresses", addresses), ("accessibility", "accessibility", notes)):
            if package.has(table):
                assembler.take(item, key, grouped.get(row.id or "", []))
        assembler.with_attributes(item, row, "", item.document)
        items.append(item)

    items.extend(_services(package, assembler))
    for table, rows in package.tables.items():
        for row in rows:
            if row.source not in assembler.used:
                package.notes.append(f"{row.source}: {_orphan_reason(table, row)}; not imported")
    return items


def _services(package: Package, assembler: _Assembler) -> list[ImportItem]:
    children = {
        table: package.by(table, "service_id")
        for table in (
            "service_at_locations",
            "schedules",
            "service_areas",
            "languages",
            "funding",
            "cost_options",
            "contacts",
        )
    }
    phones = package.by("phones", "contact_id")
    items = []
    for row in package.rows("services"):
        item = assembler.start("service", row)
        service_id = row.id or ""
        for table, grouped in children.items():
            if not package.has(table):
                continue
            rows = grouped.get(service_id, [])
            if table == "service_at_locations":
                assembler.take(item, table, rows, lambda r, _p: r.nested("location_id"))
            elif table == "contacts":

                def contact(r: Row, path: str, item: ImportItem = item) -> dict[str, Any]:
                    body = r.nested()
                    if package.has("phones"):
                        own = phones.get(r.id or "", [])
                        for n, phone in enumerate(own):
                            assembler.used.add(phone.source)
                            item.origins[f"{path}.phones[{n}]"] = phone.source
                        body["phones"] = [p.nested() for p in own]
                    return assembler.with_attributes(item, r, f"{path}.", body)

                assembler.take(item, table, rows, contact)
            else:
                assembler.take(item, table, rows)
        assembler.with_attributes(item, row, "", item.document)
        items.append(item)
    return items


def _orphan_reason(table: str, row: Row) -> str:
    for key in ("service_id", "location_id", "organization_id", "contact_id", "link_id"):
        if key in row.values:
            return f"{key} {row.values[key]} is not the id of any record in the package"
    return f"the row does not say which record it belongs to ({table})"
