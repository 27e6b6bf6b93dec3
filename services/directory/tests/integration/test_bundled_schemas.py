"""The schemas shipped with the service are the standard's own, unmodified."""

from __future__ import annotations

from pathlib import Path

import pytest
from linkwork_directory.adapters.oruk_schemas import BUNDLED

pytestmark = pytest.mark.integration


def test_bundled_schemas_match_the_standard(oruk_root: Path) -> None:
    bundled = sorted((BUNDLED / "schema").rglob("*.json"))
    assert bundled, "no schemas bundled"
    for path in bundled:
        relative = path.relative_to(BUNDLED)
        assert path.read_bytes() == (oruk_root / relative).read_bytes(), relative
