"""Running the referral service as a real process (`python -m linkwork_referral`) in tests."""

from __future__ import annotations

import os
import subprocess
import sys
from uuid import uuid4

from linkwork_contracts import topics
from linkwork_referral.settings import Settings
from linkwork_stack.ports import free_port

from .conftest import JWT_SECRET, PERSON_REF_SECRET
from .kafka_support import start_group_at_end


async def fresh_group_prefix(settings: Settings) -> str:
    """Consumer groups that start at the end of the shared topics (see start_group_at_end)."""
    prefix = f"referral-process-{uuid4().hex[:8]}"
    for suffix, topic in (("requests", topics.REFERRAL_REQUESTED), ("suggestions", topics.MATCHES_SUGGESTED)):
        await start_group_at_end(settings.kafka_bootstrap_servers, f"{prefix}-{suffix}", [topic])
    return prefix


def start_service(settings: Settings, prefix: str, port: int | None = None, **extra: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LINKWORK_DATABASE_URL": settings.database_url,
        "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "LINKWORK_HTTP_PORT": str(port or free_port()),
        "LINKWORK_JWT_SECRET": JWT_SECRET,
        "LINKWORK_PERSON_REF_SECRET": PERSON_REF_SECRET,
        "LINKWORK_CONSUMER_GROUP_PREFIX": prefix,
        "LINKWORK_LOG_LEVEL": "WARNING",
        **extra,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "linkwork_referral"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
