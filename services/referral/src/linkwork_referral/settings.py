"""Settings of the referral service, each read from `LINKWORK_<FIELD NAME IN CAPITALS>`.

Shared ones (database, Kafka, HTTP, JWT) are in `linkwork_runtime.settings.ServiceSettings`, the consumed
topics' prefix in its `TopicPrefixSettings`.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from linkwork_runtime.settings import Port, TopicPrefixSettings
from pydantic import Field, SecretStr, field_validator

DATA = Path(__file__).parent / "data"


class Settings(TopicPrefixSettings):
    database_url: str = "postgresql://postgres@127.0.0.1:55432/referral"
    http_port: Port = 8001
    person_ref_secret: SecretStr = Field(
        default=SecretStr("linkwork-development-person-ref-secret-change-me"),
        description="LINKWORK_PERSON_REF_SECRET: HMAC-SHA256 key of person_ref (32+ bytes); one "
        "per deployment, never shared with other services",
        min_length=32,
    )
    postcode_table: Path = Field(
        default=DATA / "postcode_districts.csv",
        description="LINKWORK_POSTCODE_TABLE: CSV of postcode district centroids "
        "(district,latitude,longitude) or the ONS Postcode Directory (pcds,lat,long[,lsoa21])",
    )
    postcode_lsoa_table: Path | None = Field(
        default=DATA / "onspd_demo_sample.csv",
        description="LINKWORK_POSTCODE_LSOA_TABLE: more postcodes with their LSOA (ONSPD columns pcds,lat,long,lsoa21) "
        "on top of the postcode table; default: the synthetic demo postcodes; empty when the table is the full ONSPD",
    )
    deprivation_table: Path | None = Field(
        default=DATA / "imd_deciles_sample.csv",
        description="LINKWORK_DEPRIVATION_TABLE: CSV lsoa,imd_decile written by `python -m "
        "linkwork_referral.entrypoints.deprivation load` from the English Indices of Deprivation; "
        "default: the synthetic sample",
    )
    practice_pcn_table: Path = Field(
        default=DATA / "practice_pcns.csv",
        description="LINKWORK_PRACTICE_PCN_TABLE: CSV practice_ods_code,pcn_code used to route "
        "inbound referral requests to a PCN",
    )
    default_pcn: str | None = Field(
        default=None,
        pattern=r"^U[0-9]{5}$",
        description="LINKWORK_DEFAULT_PCN: PCN for inbound requests whose practice is not in the "
        "table (a single-PCN deployment); unset: such requests go to the DLQ",
    )
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="LINKWORK_MAX_BODY_BYTES: larger bodies get 413 (runtime's limit)"
    )
    follow_up_poll_seconds: float = Field(
        default=30.0,
        gt=0,
        description="LINKWORK_FOLLOW_UP_POLL_SECONDS: how often the "
        "scheduler looks for follow-ups that have fallen due",
    )
    follow_up_batch_size: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="LINKWORK_FOLLOW_UP_BATCH_SIZE: follow-ups claimed per scheduler transaction",
    )
    follow_up_max_per_second: float = Field(
        default=500.0,
        gt=0,
        description="LINKWORK_FOLLOW_UP_MAX_PER_SECOND: rate limit per "
        "replica, so a backlog after an outage does not flood notification systems",
    )
    follow_up_time_zone: str = Field(
        default="Europe/London",
        description="LINKWORK_FOLLOW_UP_TIME_ZONE: a follow-up falls due at the start of its due day in this zone",
    )
    consumer_group_prefix: str = Field(
        default="referral",
        description="LINKWORK_CONSUMER_GROUP_PREFIX: Kafka consumer groups "
        "are <prefix>-requests, <prefix>-suggestions and <prefix>-services",
    )
    contact_route_token: SecretStr | None = Field(
        default=None,
        description="LINKWORK_CONTACT_ROUTE_TOKEN: the notifications service's credential for "
        "/internal/contact-routes (32+ bytes); unset: that endpoint refuses everyone",
    )
    event_source: str = Field(default="urn:linkwork:referral", description="CloudEvents `source` of events we publish")
    # Issue 17: closing the loop with providers.
    provider_response_days: int = Field(
        default=14,
        ge=1,
        le=90,
        description="LINKWORK_PROVIDER_RESPONSE_DAYS: a provider that has not answered an activity referral "
        "within this many days is taken to decline it (reason no-response), and the link worker gets a task",
    )
    provider_reminder_days: int = Field(
        default=7, ge=1, le=89, description="LINKWORK_PROVIDER_REMINDER_DAYS: the provider is emailed a reminder then"
    )
    provider_deadline_poll_seconds: float = Field(
        default=60.0, gt=0, description="LINKWORK_PROVIDER_DEADLINE_POLL_SECONDS: how often deadlines are checked"
    )
    provider_email_poll_seconds: float = Field(
        default=5.0, gt=0, description="LINKWORK_PROVIDER_EMAIL_POLL_SECONDS: how often pending provider emails go"
    )
    provider_emails: dict[UUID, str] = Field(
        default_factory=dict,
        description="LINKWORK_PROVIDER_EMAILS: JSON object of ORUK organization id -> the organisation's referral "
        "inbox; an organisation without one sees its referrals in the console only",
    )
    smtp_host: str | None = Field(
        default=None, description="LINKWORK_SMTP_HOST: mail server for provider emails; unset: none are sent"
    )
    smtp_port: Port = Field(default=25, description="LINKWORK_SMTP_PORT")
    smtp_sender: str = Field(
        default="linkwork@localhost", description="LINKWORK_SMTP_SENDER: the From address of provider emails"
    )
    console_url: str = Field(
        default="http://127.0.0.1:8005",
        description="LINKWORK_CONSOLE_URL: the console's public address, for the links in provider emails",
    )

    @field_validator("postcode_lsoa_table", "deprivation_table", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # LINKWORK_POSTCODE_LSOA_TABLE= (empty) turns the demo sample off.
        return None if value == "" else value
