"""Refuse request bodies over a size limit (413) before anything parses or authenticates them.

Every service gets it from `create_app`: without it, any client (signed in or not) could make a service
buffer an arbitrarily large body, since parsing happens before the route's own checks run. Checks
Content-Length when given, and counts the bytes of chunked bodies as they arrive, so a client cannot get
round the limit by leaving the header out. A path prefix may have its own, larger limit (bulk imports), and
its own way of saying no (FHIR clients read only an OperationOutcome, never problem details).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import TypeVar

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from linkwork_runtime.problems import problem_response


class BodyTooLarge(Exception):
    pass


T = TypeVar("T")

# (limit in bytes, request path) -> the 413 response for a path prefix that answers in its own format.
Refusal = Callable[[int, str], Response]


def _longest_first(by_prefix: Mapping[str, T] | None) -> list[tuple[str, T]]:
    # Longest prefix first, so "/imports/x" picks "/imports" over "/".
    return sorted((by_prefix or {}).items(), key=lambda item: -len(item[0]))


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def problem_refusal(limit: int, path: str) -> Response:
    return problem_response(413, "Request body too large", f"request bodies are limited to {limit} bytes", path)


class BodySizeLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        per_path: Mapping[str, int] | None = None,
        refusals: Mapping[str, Refusal] | None = None,
    ) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.per_path = _longest_first(per_path)
        self.refusals = _longest_first(refusals)

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.per_path if _under(path, prefix)), self.max_bytes)

    def refusal_for(self, path: str) -> Refusal:
        return next((refusal for prefix, refusal in self.refusals if _under(path, prefix)), problem_refusal)

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
        response = self.refusal_for(scope["path"])(limit, scope["path"])
        await response(scope, receive, send)
