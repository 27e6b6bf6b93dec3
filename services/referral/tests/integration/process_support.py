"""Running the referral service as a real process (`python -m linkwork_referral`) in tests."""

from __future__ import annotations

import os
import subprocess
import sys

from linkwork_referral.settings import Settings
from linkwork_stack.ports import free_port

from .conftest import JWT_SECRET, PERSON_REF_SECRET


def start_service(settings: Settings, port: int | None = None, **extra: str) -> subprocess.Popen[bytes]:
    """The service as a process with the test's settings: its database, consumer groups and topics."""
    env = {
        **os.environ,
        "LINKWORK_DATABASE_URL": settings.database_url,
        "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "LINKWORK_HTTP_PORT": str(port or free_port()),
        "LINKWORK_JWT_SECRET": JWT_SECRET,
        "LINKWORK_PERSON_REF_SECRET": PERSON_REF_SECRET,
        "LINKWORK_CONSUMER_GROUP_PREFIX": settings.consumer_group_prefix,
        "LINKWORK_TOPIC_PREFIX": settings.topic_prefix,
        "LINKWORK_LOG_LEVEL": "WARNING",
        **extra,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "linkwork_referral"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
