"""What an import is made of and what it reports, record by record."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

Kind = Literal["taxonomy", "taxonomy_term", "organization", "location", "service", "service_at_location"]


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass
class ImportItem:
    """One record read from a file, in ORUK JSON shape, with any problem found while reading it."""

    kind: Kind
    source: str
    document: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Where nested parts came from, by path inside the record ("schedules[0]" -> "schedule.csv line 2").
    origins: dict[str, str] = field(default_factory=dict)

    def locate(self, path: str) -> str:
        """An error path rewritten to name the file and line of the nested part it is in."""
        best = max(
            (
                prefix
                for prefix in self.origins
                if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")
            ),
            key=len,
            default=None,
        )
        if best is None:
            return path
        rest = path[len(best) :].lstrip(".")
        return f"{self.origins[best]}" + (f" ({rest})" if rest else "")

    @property
    def record_id(self) -> str | None:
        value = self.document.get("id")
        return str(value) if value is not None else None


@dataclass
class RecordReport:
    source: str
    kind: Kind
    id: str | None
    outcome: Outcome
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"source": self.source, "kind": self.kind, "id": self.id, "outcome": self.outcome.value}
        if self.errors:
            body["errors"] = self.errors
        if self.warnings:
            body["warnings"] = self.warnings
        return body


@dataclass
class ImportReport:
    records: list[RecordReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = Counter(record.outcome.value for record in self.records)
        return {outcome.value: found.get(outcome.value, 0) for outcome in Outcome}

    @property
    def rejected(self) -> list[RecordReport]:
        return [record for record in self.records if record.outcome is Outcome.REJECTED]

    def as_dict(self) -> dict[str, Any]:
        return {"summary": self.counts(), "notes": self.notes, "records": [r.as_dict() for r in self.records]}
