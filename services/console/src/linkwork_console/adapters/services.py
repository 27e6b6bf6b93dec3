"""The services' HTTP APIs, called with the signed-in person's own access token (so each read is audited
as that person). The console keeps no copy of what it reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class UpstreamError(Exception):
    """A service answered with a problem (4xx/5xx); `detail` is its problem-details text."""

    def __init__(self, status: int, title: str, detail: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.body = body or {}


@dataclass
class Services:
    """One pooled HTTP client for every upstream call; base URLs per service."""

    client: httpx.AsyncClient
    urls: dict[str, str]

    async def call(
        self,
        token: str,
        service: str,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        accept: str = "application/json",
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """`headers` add to the call's own (If-Match, Content-Type of a raw `content` body)."""
        response = await self.client.request(
            method,
            f"{self.urls[service]}{path}",
            params=params,
            json=json,
            content=content,
            headers={"Authorization": f"Bearer {token}", "Accept": accept, **(headers or {})},
        )
        if response.status_code >= 400:
            body: dict[str, Any] = {}
            try:
                parsed = response.json()
                if isinstance(parsed, dict):
                    body = parsed
            except ValueError:
                pass
            raise UpstreamError(
                response.status_code,
                str(body.get("title", response.reason_phrase)),
                str(body.get("detail", "")),
                body,
            )
        return response

    async def get(self, token: str, service: str, path: str, params: Any = None) -> Any:
        return (await self.call(token, service, "GET", path, params=params)).json()

    async def post(self, token: str, service: str, path: str, body: Any) -> Any:
        return (await self.call(token, service, "POST", path, json=body)).json()

    async def put(self, token: str, service: str, path: str, body: Any) -> Any:
        return (await self.call(token, service, "PUT", path, json=body)).json()
