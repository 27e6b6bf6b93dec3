"""Settings of the outcomes service (environment variables `LINKWORK_*`; see the shared ServiceSettings)."""

from __future__ import annotations

from pathlib import Path

from linkwork_runtime.settings import ConsumerSettings, Port
from pydantic import Field

from linkwork_outcomes.adapters.area_table import SAMPLE as AREA_SAMPLE


class Settings(ConsumerSettings):
    database_url: str = "postgresql://postgres@127.0.0.1:55432/outcomes"
    http_port: Port = 8004
    consumer_group: str = Field(
        default="outcomes", description="LINKWORK_CONSUMER_GROUP: Kafka consumer group and inbox name"
    )
    projection_interval_seconds: float = Field(
        default=0.5, gt=0, le=60, description="LINKWORK_PROJECTION_INTERVAL_SECONDS: how often the projector polls"
    )
    projection_batch_size: int = Field(
        default=2000, ge=1, le=100_000, description="LINKWORK_PROJECTION_BATCH_SIZE: referrals per projector batch"
    )
    metrics_refresh_seconds: float = Field(
        default=15.0, gt=0, le=3600, description="LINKWORK_METRICS_REFRESH_SECONDS: business gauges' refresh period"
    )
    stale_service_days: int = Field(
        default=365, ge=1, description="LINKWORK_STALE_SERVICE_DAYS: a service not verified for longer is stale"
    )
    area_hierarchy_table: Path = Field(
        default=AREA_SAMPLE,
        description="LINKWORK_AREA_HIERARCHY_TABLE: CSV practice,pcn,sub_icb,icb; reports are published for these "
        "areas only, and a commissioner sees their own ICB's (default: the synthetic sample)",
    )
