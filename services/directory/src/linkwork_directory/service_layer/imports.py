"""Bulk import: check each record against the ORUK schema and our rules, then upsert it by id.

Records are applied in batches of one transaction each, every record in its own savepoint: a
rejected record leaves nothing behind and does not stop the rest. The report lists each record
with its outcome and, when rejected, its reasons (naming the file and line for CSV packages).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.errors import FieldError, RecordRejected
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.domain.importing import ImportItem, ImportReport, Outcome, RecordReport
from linkwork_directory.domain.oruk import Location, Organization, Service, Taxonomy, TaxonomyTerm
from linkwork_directory.service_layer.bulk import create_new_services
from linkwork_directory.service_layer.changes import (
    Applied,
    ChangeSink,
    apply_location,
    apply_organization,
    apply_service,
    apply_terms,
)
from linkwork_directory.service_layer.ports import Acting, Progress, RecordFormat, UnitOfWork, UnitOfWorkFactory


def _pydantic_reasons(item: ImportItem, error: ValidationError) -> list[str]:
    reasons = []
    for problem in error.errors():
        path = _path_of(problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        reasons.append(f"{item.locate(path) if path else '(record)'}: {message}")
    return reasons


def _pydantic_errors(error: ValidationError) -> list[FieldError]:
    return [
        {
            "field": _path_of(problem["loc"]) or "(record)",
            "rule": problem["type"],
            "message": problem["msg"].removeprefix("Value error, "),
        }
        for problem in error.errors()
    ]


def _path_of(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _located(item: ImportItem, reasons: list[str]) -> list[str]:
    located = []
    for reason in reasons:
        path, _, message = reason.partition(": ")
        located.append(f"{item.locate(path)}: {message}" if path != "(record)" else reason)
    return located


def _location_warnings(locations: Sequence[Location]) -> list[str]:
    return [
        f"location {location.id}: latitude {location.latitude}, longitude {location.longitude} are not on the"
        " globe; kept as published but not used for distances"
        for location in locations
        if location.latitude is not None and location.longitude is not None and not location.on_the_globe
    ]


def oversized_lists(document: dict[str, Any]) -> list[FieldError]:
    """Each list of the document longer than the Service model allows (rule `too_long`)."""
    found: list[FieldError] = []
    for name, field in Service.model_fields.items():
        bound = next((m.max_length for m in field.metadata if getattr(m, "max_length", None) is not None), None)
        value = document.get(name)
        if bound is not None and isinstance(value, list) and len(value) > bound:
            found.append({"field": name, "rule": "too_long", "message": f"at most {bound} items"})
    return found


def service_from_document(oruk: RecordFormat, document: dict[str, Any]) -> Service:
    """A service record checked against the ORUK schema and our rules; raises RecordRejected."""
    item = ImportItem("service", "request body", document)
    if too_long := oversized_lists(document):  # before the schema walks thousands of items
        raise RecordRejected(*(f"{e['field']}: {e['message']} ({e['rule']})" for e in too_long), errors=too_long)
    errors = oruk.field_errors("service", document)
    if errors:
        raise RecordRejected(*(f"{e['field']}: {e['message']}" for e in errors), errors=errors)
    try:
        return Service.model_validate(document)
    except ValidationError as error:
        raise RecordRejected(*_pydantic_reasons(item, error), errors=_pydantic_errors(error)) from error


class Importer:
    def __init__(
        self, units: UnitOfWorkFactory, *, clock: Clock, sink: ChangeSink, oruk: RecordFormat, batch_size: int = 100
    ) -> None:
        self.units, self.clock, self.sink, self.oruk = units, clock, sink, oruk
        self.batch_size = batch_size

    async def run(self, items: Sequence[ImportItem], *, on_progress: Progress | None = None) -> ImportReport:
        report = ImportReport()
        for start in range(0, len(items), self.batch_size):
            batch = items[start : start + self.batch_size]
            async with self.units() as uow, uow.transaction():
                reports = await self._new_services_in_bulk(uow, batch)
                for position, item in enumerate(batch):
                    if position not in reports:
                        reports[position] = await self._one(uow, item)
            report.records.extend(reports[position] for position in range(len(batch)))
            if on_progress is not None:
                await on_progress(start + len(batch), len(items))
        return report

    async def _new_services_in_bulk(self, uow: UnitOfWork, batch: Sequence[ImportItem]) -> dict[int, RecordReport]:
        """Reports for the records of a batch of services that the bulk path settled (see bulk.py)."""
        reports: dict[int, RecordReport] = {}
        if not all(item.kind == "service" for item in batch):
            return reports  # other kinds come first in a package and are applied in order
        parsed: dict[int, Service] = {}
        for position, item in enumerate(batch):
            if item.problems:
                continue
            try:
                parsed[position] = self._service(item)
            except RecordRejected as rejection:
                reports[position] = RecordReport(
                    item.source, item.kind, item.record_id, Outcome.REJECTED, rejection.reasons, list(item.warnings)
                )
        outcome = await create_new_services(uow, parsed, Acting(self.clock.now(), self.sink))
        for position, warnings in outcome.created.items():
            item = batch[position]
            found = [*item.warnings, *_location_warnings(parsed[position].locations()), *warnings]
            reports[position] = RecordReport(item.source, item.kind, item.record_id, Outcome.CREATED, [], found)
        for position in outcome.unchanged:
            item = batch[position]
            reports[position] = RecordReport(
                item.source, item.kind, item.record_id, Outcome.UNCHANGED, [], list(item.warnings)
            )
        return reports

    def _service(self, item: ImportItem) -> Service:
        """The record checked against the ORUK schema and our rules; raises RecordRejected."""
        errors = self.oruk.errors("service", item.document)
        if errors:
            raise RecordRejected(*_located(item, errors))
        try:
            return Service.model_validate(item.document)
        except ValidationError as error:
            raise RecordRejected(*_pydantic_reasons(item, error)) from error

    async def _one(self, uow: UnitOfWork, item: ImportItem) -> RecordReport:
        warnings = list(item.warnings)
        try:
            if item.problems:
                raise RecordRejected(*item.problems)
            document = await self._service_document(uow, item) if item.kind == "service_at_location" else item.document
            kind = "service" if item.kind == "service_at_location" else item.kind
            schema_errors = self.oruk.errors(kind, document)
            if schema_errors:
                raise RecordRejected(*_located(item, schema_errors))
            applied = await self._apply(uow, kind, document, item, warnings)
        except RecordRejected as rejection:
            return RecordReport(item.source, item.kind, item.record_id, Outcome.REJECTED, rejection.reasons, warnings)
        except ValidationError as error:
            return RecordReport(
                item.source, item.kind, item.record_id, Outcome.REJECTED, _pydantic_reasons(item, error), warnings
            )
        return RecordReport(item.source, item.kind, item.record_id, applied.outcome, [], warnings + applied.warnings)

    async def _apply(
        self, uow: UnitOfWork, kind: str, document: dict[str, Any], item: ImportItem, warnings: list[str]
    ) -> Applied:
        acting = Acting(self.clock.now(), self.sink)
        if kind == "service":
            service = Service.model_validate(document)
            warnings.extend(_location_warnings(service.locations()))
            return await apply_service(uow, service, acting)
        if kind == "organization":
            return await apply_organization(uow, Organization.model_validate(document), acting)
        if kind == "location":
            location = Location.model_validate(document)
            warnings.extend(_location_warnings([location]))
            return await apply_location(uow, location, acting)
        if kind == "taxonomy":
            taxonomy = Taxonomy.model_validate(document)
            terms = [
                t if t.taxonomy_id else t.model_copy(update={"taxonomy_id": taxonomy.id})
                for t in taxonomy.taxonomy_terms
            ]
            return await apply_terms(uow, terms, taxonomy, acting)
        term = TaxonomyTerm.model_validate(document)
        return await apply_terms(uow, [term], None, acting)

    async def _service_document(self, uow: UnitOfWork, item: ImportItem) -> dict[str, Any]:
        """A service_at_location record as a service record adding (or replacing) that one link."""
        body = item.document
        service = body.get("service")
        service_id = service.get("id") if isinstance(service, dict) else body.get("service_id")
        if service_id is None:
            raise RecordRejected("a service_at_location needs its service or a service_id")
        link: dict[str, Any] = {"id": body.get("id")}
        if isinstance(body.get("location"), dict):
            link["location"] = body["location"]
        elif body.get("location_id") is not None:
            link["location_id"] = body["location_id"]
        existing = await uow.services.links_of(str(service_id))
        links = [r for r in existing if r["id"] != str(link["id"])]
        if isinstance(service, dict):
            document = {key: value for key, value in service.items() if key != "service_at_locations"}
        else:
            try:
                wanted = UUID(str(service_id))
            except ValueError as error:
                raise RecordRejected(f"service_id {service_id!r} is not a UUID") from error
            stored = await uow.services.load([wanted], week=week_starting(self.clock.now()))
            if not stored:
                raise RecordRejected(f"service_id {service_id} is not a known service")
            document = self.oruk.service_summary(next(iter(stored.values())).service)
        document["service_at_locations"] = [*links, link]
        return document
