"""Settings of the directory service, each read from `LINKWORK_<NAME>` (see the shared ServiceSettings, and
TopicPrefixSettings for the consumed topics' prefix)."""

from __future__ import annotations

from linkwork_runtime.settings import Port, TopicPrefixSettings
from pydantic import Field


class Settings(TopicPrefixSettings):
    database_url: str = "postgresql://postgres@127.0.0.1:55432/directory"
    http_port: Port = 8002
    review_period_months: int = Field(
        default=6,
        ge=1,
        le=60,
        description="LINKWORK_REVIEW_PERIOD_MONTHS: a service not verified for this long needs review",
    )
    event_source: str = Field(
        default="urn:linkwork:directory",
        description="LINKWORK_EVENT_SOURCE: CloudEvents `source` of the events we publish",
    )
    consumer_group: str = Field(
        default="directory-plans",
        description="LINKWORK_CONSUMER_GROUP: Kafka consumer group reading plan-agreed and activity referrals' answers",
    )
    service_changed_partitions: int = Field(
        default=4, ge=1, description="LINKWORK_SERVICE_CHANGED_PARTITIONS: partitions when creating service-changed"
    )
    stale_gauge_seconds: float = Field(
        default=60.0, gt=0, description="LINKWORK_STALE_GAUGE_SECONDS: how often the stale-services gauge is recounted"
    )
    week_rollover_seconds: float = Field(
        default=300.0, gt=0, description="LINKWORK_WEEK_ROLLOVER_SECONDS: how often to look for a new week's places"
    )
    import_batch_size: int = Field(
        default=200, ge=1, le=10_000, description="LINKWORK_IMPORT_BATCH_SIZE: records per import transaction"
    )
    max_import_uncompressed_bytes: int = Field(
        default=1024 * 1024 * 1024,
        ge=1024,
        description="LINKWORK_MAX_IMPORT_UNCOMPRESSED_BYTES: largest total of the CSV files inside an imported zip",
    )
    max_import_bytes: int = Field(
        default=200 * 1024 * 1024, ge=1024, description="LINKWORK_MAX_IMPORT_BYTES: largest import accepted over HTTP"
    )
