"""Handlers whose topics carry a prefix, so tests and shared clusters can keep topics apart."""

from __future__ import annotations

from linkwork_runtime import messaging


class PrefixedHandlers(messaging.Handlers):
    """Subscribes to `<prefix><topic>` for each event type; dispatch by type is unchanged."""

    def __init__(self, prefix: str = "") -> None:
        super().__init__()
        self.prefix = prefix

    def topics(self) -> set[str]:
        return {f"{self.prefix}{topic}" for topic in super().topics()}
