"""Optimistic concurrency for curators (issue 18): a service's entity tag, and what a change records.

The ETag is a hash of what a curator can see and edit (the ORUK record, the social prescribing settings,
verification and withdrawal), not of the derived figures beside it. Places taken this week or the revision
counter move whenever a plan is agreed somewhere; a tag over those would refuse a curator's edit for a change
they could never see. Two documents with the same editable content have the same tag, so it is strong.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from linkwork_directory.domain.oruk import Service
from linkwork_directory.domain.state import ServiceState

# Stamped by the store on every change, including changes to shared records the curator did not make.
_NOT_EDITED = {"last_modified"}
_SHOWN_LIMIT = 200


def editable(service: Service, state: ServiceState) -> dict[str, Any]:
    """The curator's view of a service: every field a curator edits or acts on, as JSON values."""
    body: dict[str, Any] = service.model_dump(mode="json", exclude=_NOT_EDITED | {"social_prescribing"})
    body["social_prescribing"] = state.settings.model_dump(mode="json")
    body["verification"] = {
        "last_verified_at": state.last_verified_at.isoformat() if state.last_verified_at else None,
        "verified_by": state.verified_by,
        "withdrawn_at": state.withdrawn_at.isoformat() if state.withdrawn_at else None,
        "withdrawal_reason": state.withdrawal_reason,
    }
    return body


def etag(service: Service, state: ServiceState) -> str:
    """A quoted strong entity tag (RFC 9110 section 8.8.3) of the editable content."""
    canonical = json.dumps(editable(service, state), sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def if_match_allows(header: str, current: str | None) -> bool:
    """RFC 9110 If-Match with strong comparison: `*` matches any existing service; weak tags never match."""
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if current is None:
        return False
    return "*" in tags or current in tags


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, str]]:
    """What differs between two editable documents, field by field (nested fields as dotted paths; a list
    that changed is one entry). Values are shortened: the history says what changed, the record says what is."""
    flat_before, flat_after = _flatten(before or {}), _flatten(after)
    found = []
    for path in sorted(set(flat_before) | set(flat_after)):
        old, new = flat_before.get(path), flat_after.get(path)
        if old != new:
            found.append({"field": path, "before": _shown(old), "after": _shown(new)})
    return found


def _flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in document.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        elif value not in (None, [], ""):
            flat[path] = value
    return flat


def _shown(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= _SHOWN_LIMIT else text[: _SHOWN_LIMIT - 1] + "…"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
