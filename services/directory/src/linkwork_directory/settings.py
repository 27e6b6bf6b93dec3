"""Settings of the directory service (environment variables `LINKWORK_*`; see the shared ServiceSettings)."""

from __future__ import annotations

from linkwork_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    database_url: str = "postgresql://postgres@127.0.0.1:55432/directory"
    http_port: int = 8002
