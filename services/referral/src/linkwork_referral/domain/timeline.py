"""A line of a referral's timeline: a plain value, so use cases build entries without knowing how they are stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    kind: str
    summary: str
    detail: dict[str, Any]
