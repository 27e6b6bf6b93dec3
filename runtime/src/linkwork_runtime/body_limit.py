"""Refuse request bodies over a size limit (413) before anything parses or authenticates them.

Every service gets it from `create_app`: without it, any client (signed in or not) could make a service
buffer an arbitrarily large body, since parsing happens before the route's own checks run. Checks
Content-Length when given, and counts the bytes of chunked bodies as they arrive, so a client cannot get
round the limit by leaving the header out. A path prefix may have its own, larger limit (bulk imports).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from linkwork_runtime.problems import problem_response


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, per_path: Mapping[str, int] | None = None) -> None:
        self.app, self.max_bytes = app, max_bytes
        # Longest prefix first, so "/imports/x" picks "/imports" over "/".
        self.per_path = sorted((per_path or {}).items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.per_path:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received, too_large, answered = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Frameworks turn an error while reading the body into their own answer (FastAPI: 400 "error
            # parsing the body"); the client must learn the real reason, so ours replaces it.
            nonlocal answered
            if too_large:
                if not answered:
                    answered = True
                    await self._refuse(scope, receive, send, limit)
                return
            await send(message)

        with contextlib.suppress(BodyTooLarge):  # raised through the app when it did not catch it
            await self.app(scope, counting_receive, guarded_send)
        if too_large and not answered:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            413, "Request body too large", f"request bodies are limited to {limit} bytes", scope["path"]
        )
        await response(scope, receive, send)
