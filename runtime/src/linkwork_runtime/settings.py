"""Settings every service shares, read from `LINKWORK_*` environment variables (pydantic-settings)."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from linkwork_runtime.kafka_connection import KafkaConnection, SaslMechanism, SecurityProtocol

# A service overriding a field's default must keep its rules: `http_port: Port = 8002`, not `int = 8002`
# (a bare override drops the constraints; tests/repository/test_service_settings.py checks every service).
Port = Annotated[int, Field(ge=1, le=65535)]


class ServiceSettings(BaseSettings):
    """Each field is read from `LINKWORK_<FIELD NAME IN CAPITALS>`, e.g. `LINKWORK_DATABASE_URL`."""

    model_config = SettingsConfigDict(env_prefix="LINKWORK_", extra="ignore")

    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:55432/postgres",
        description="PostgreSQL URL of this service's own database",
    )
    database_migration_url: str | None = Field(
        default=None,
        description="LINKWORK_DATABASE_MIGRATION_URL: URL of the schema owner, used only to migrate; the service "
        "then connects with LINKWORK_DATABASE_URL as a least-privilege role (unset: one URL for both)",
    )
    database_command_timeout: float = Field(
        default=60.0,
        gt=0,
        description="LINKWORK_DATABASE_COMMAND_TIMEOUT: seconds before a stuck statement is cancelled",
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092", description="comma-separated host:port")
    kafka_security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT",
        description="LINKWORK_KAFKA_SECURITY_PROTOCOL: SASL_PLAINTEXT or SASL_SSL for a broker with authentication "
        "(each service is its own Kafka user with ACLs; docs/decisions/16-kafka-auth.md)",
    )
    kafka_sasl_mechanism: SaslMechanism = Field(default="SCRAM-SHA-512", description="LINKWORK_KAFKA_SASL_MECHANISM")
    kafka_sasl_username: str | None = Field(
        default=None, description="LINKWORK_KAFKA_SASL_USERNAME: this service's user"
    )
    kafka_sasl_password: SecretStr | None = Field(default=None, description="LINKWORK_KAFKA_SASL_PASSWORD")
    kafka_ssl_cafile: str | None = Field(
        default=None, description="LINKWORK_KAFKA_SSL_CAFILE: PEM file of the cluster CA (with SSL or SASL_SSL)"
    )
    http_host: str = "127.0.0.1"
    http_port: Port = 8000
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = Field(
        default="json",
        description="json: one JSON object per line, for log collectors (deployments); "
        "console: one readable line per record, for people (`make run` sets it)",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="LINKWORK_MAX_BODY_BYTES: larger request bodies get 413"
    )
    env: str = Field(
        default="production",
        description="LINKWORK_ENV: `development` allows the shipped default secrets on a non-loopback address",
    )
    jwt_secret: SecretStr = Field(
        default=SecretStr("linkwork-development-secret-change-me"),
        description="HS256 secret for local development tokens",
    )
    jwks_url: str | None = Field(
        default=None, description="the sign-in provider's RS256 key set (JWKS) URL; when set, HS256 is refused"
    )
    jwt_audience: str = Field(default="linkwork", description="the audience (aud) every token must carry")
    jwt_issuer: str | None = Field(default=None, description="the issuer (iss) every token must carry; with jwks_url")

    @model_validator(mode="after")
    def _issuer_with_key_set(self) -> Self:
        # Keys alone would accept a token from any realm or tenant the same provider serves.
        if self.jwks_url and not self.jwt_issuer:
            raise ValueError("LINKWORK_JWT_ISSUER is required when LINKWORK_JWKS_URL is set")
        return self

    @property
    def kafka(self) -> KafkaConnection:
        """Every Kafka client of the service is built from this (linkwork_runtime.kafka_connection)."""
        return KafkaConnection(
            self.kafka_bootstrap_servers,
            self.kafka_security_protocol,
            self.kafka_sasl_mechanism,
            self.kafka_sasl_username,
            self.kafka_sasl_password,
            self.kafka_ssl_cafile,
        )


class TopicPrefixSettings(ServiceSettings):
    """A service that reads Kafka topics, under an optional prefix."""

    topic_prefix: str = Field(
        default="",
        description="LINKWORK_TOPIC_PREFIX: read `<prefix><topic>` instead of the contract's topic names "
        "(isolated test runs on a shared broker, side-by-side deployments); dead letters follow the prefix, and "
        "the events the service publishes keep their contract topics",
    )


class ConsumerSettings(TopicPrefixSettings):
    """A service whose Kafka consumer reads its topics under an optional prefix, and can be switched off."""

    consume: bool = Field(
        default=True, description="LINKWORK_CONSUME: run the Kafka consumer (off: the service works from what it has)"
    )
