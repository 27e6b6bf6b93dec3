"""Settings of the matching service, each read from `LINKWORK_<FIELD NAME IN CAPITALS>`.

Shared ones (database, Kafka, HTTP, JWT) are in `linkwork_runtime.settings.ServiceSettings`, the consumed
topics' prefix in its `TopicPrefixSettings`.
"""

from __future__ import annotations

from linkwork_runtime.settings import Port, TopicPrefixSettings
from pydantic import Field


class Settings(TopicPrefixSettings):
    database_url: str = "postgresql://postgres@127.0.0.1:55432/matching"
    http_port: Port = 8003
    consumer_group_prefix: str = Field(
        default="matching",
        description="LINKWORK_CONSUMER_GROUP_PREFIX: Kafka consumer groups are <prefix>-events and "
        "<prefix>-read-model-<generation>",
    )
    event_source: str = Field(
        default="urn:linkwork:matching", description="LINKWORK_EVENT_SOURCE: CloudEvents `source` of our events"
    )
    ranker_version: str = Field(
        default="linkwork-ranker-1",
        min_length=1,
        max_length=40,
        description="LINKWORK_RANKER_VERSION: named in every suggestion set; change it with the weights",
    )
    options_per_need: int = Field(
        default=3,
        ge=1,
        le=20,
        description="LINKWORK_OPTIONS_PER_NEED: options suggested for each need of a referral",
    )
    index_sync_seconds: float = Field(
        default=0.5,
        gt=0,
        description="LINKWORK_INDEX_SYNC_SECONDS: how often the in-memory index picks up read model changes",
    )
    read_model_catch_up_seconds: float = Field(
        default=120.0,
        ge=0,
        description="LINKWORK_READ_MODEL_CATCH_UP_SECONDS: longest start-up wait for the read model to "
        "replay service-changed before referrals are matched",
    )
    gap_report_seconds: float = Field(
        default=60.0,
        gt=0,
        description="LINKWORK_GAP_REPORT_SECONDS: how often due gaps in provision are reported",
    )
    gap_report_interval_hours: float = Field(
        default=24.0,
        gt=0,
        description="LINKWORK_GAP_REPORT_INTERVAL_HOURS: at most one provision-gap per area and need in this period",
    )
