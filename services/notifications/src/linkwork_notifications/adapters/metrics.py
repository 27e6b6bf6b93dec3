"""The service's own metrics: messages sent, delivered, failed and suppressed, by channel."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class NotificationMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.messages = Counter(
            "linkwork_notifications_messages",
            "Messages to people by channel and outcome (sent, delivered, failed, retried, suppressed)",
            ["channel", "outcome"],
            registry=registry,
        )
        for channel in ("sms", "email", "letter"):
            for outcome in ("sent", "delivered", "failed", "retried"):
                self.messages.labels(channel, outcome)  # present at zero, so rate() works from the start

    def count(self, channel: str | None, outcome: str) -> None:
        self.messages.labels(channel or "none", outcome).inc()
