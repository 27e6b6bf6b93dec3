"""ORUK's JSON format as the import and the curation routes check it (service_layer/ports.py `RecordFormat`):
the bundled schemas (oruk_schemas.py) by the kind of record, and a stored service rendered as the API writes
it (oruk_render.py)."""

from __future__ import annotations

from typing import Any

from linkwork_directory.adapters import oruk_render, oruk_schemas
from linkwork_directory.adapters.oruk_schemas import OrukSchemas
from linkwork_directory.domain.errors import FieldError
from linkwork_directory.domain.oruk import Service

# A location record is checked against the location schema within the service schema.
_SCHEMAS = {
    "service": oruk_schemas.SERVICE,
    "organization": oruk_schemas.ORGANIZATION,
    "taxonomy": oruk_schemas.TAXONOMY,
    "taxonomy_term": oruk_schemas.TAXONOMY_TERM,
    "location": oruk_schemas.SERVICE + "#/properties/service_at_locations/items/properties/location",
}


class OrukFormat:
    def __init__(self, schemas: OrukSchemas | None = None) -> None:
        self.schemas = schemas or oruk_schemas.bundled()

    def errors(self, kind: str, document: object) -> list[str]:
        return self.schemas.errors(_SCHEMAS[kind], document)

    def field_errors(self, kind: str, document: object) -> list[FieldError]:
        return self.schemas.field_errors(_SCHEMAS[kind], document)

    def service_summary(self, service: Service) -> dict[str, Any]:
        return oruk_render.service_summary(service)
