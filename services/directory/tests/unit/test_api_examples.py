"""The service example in the OpenAPI document passes the directory's own ORUK and linkwork rules."""

from __future__ import annotations

import pytest
from linkwork_directory.adapters.oruk_format import OrukFormat
from linkwork_directory.api import examples
from linkwork_directory.domain.versions import merge_patch
from linkwork_directory.service_layer.imports import service_from_document

pytestmark = pytest.mark.unit


def test_the_service_example_is_a_valid_service() -> None:
    service = service_from_document(OrukFormat(), examples.SERVICE)
    assert service.name == "Telephone befriending"


def test_the_patch_example_applied_to_the_service_example_is_still_valid() -> None:
    (patch,) = examples.PATCH_BODY.values()
    patched = merge_patch(examples.SERVICE, patch["value"])
    assert service_from_document(OrukFormat(), patched).description.endswith("Thursdays.")
