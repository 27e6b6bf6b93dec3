"""A local stand-in for GOV.UK Notify: the endpoints this service uses, with Notify's error responses.

For tests and `make run` (so a newcomer can see the messages); never for production. The contract it
implements is written down in the service README ("Local Notify contract"). Run it alone with
`python -m linkwork_notifications.entrypoints.local_notify --port 8916 --api-key KEY`.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlparse

import jwt

_UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PLACEHOLDER = re.compile(r"\(\(([a-z_]+)\)\)")


@dataclass
class Template:
    id: str
    type: str  # sms | email
    body: str
    subject: str | None = None


@dataclass
class LocalNotifyState:
    service_id: str
    secret: str
    templates: dict[str, Template]
    rate_limit: int = 3000  # per rolling 60 s, like a live key
    sent: list[dict[str, Any]] = field(default_factory=list)
    forced: deque[int] = field(default_factory=deque)  # status codes to answer next, whatever the request
    requests: deque[float] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Cleared by a test to hold answers after a message is recorded: the sender is then killed "mid-send".
    answering: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.answering.set()


def _error(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"errors": [{"error": error, "message": message}], "status_code": status}


_FORCED = {
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
    503: ("Exception", "Service unavailable"),
    403: ("AuthError", "Invalid token: API key not found"),
}


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet handler that answers JSON: the base of this stand-in and of the tests' other stand-ins."""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines carry references; the test output stays quiet

    def answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Handler(JsonHandler):
    server: _Server

    def _authorised(self) -> tuple[int, dict[str, Any]] | None:
        state = self.server.state
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            claims = jwt.decode(header[7:], state.secret, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.PyJWTError:
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        if claims.get("iss") != state.service_id:
            return _error(403, "AuthError", "Invalid token: service not found")
        if abs(time.time() - float(claims.get("iat", 0))) > 30:
            return _error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        return None

    def _limited(self) -> tuple[int, dict[str, Any]] | None:
        state = self.server.state
        with state.lock:
            if state.forced:
                status = state.forced.popleft()
                error, message = _FORCED.get(status, ("Exception", "Internal server error"))
                return _error(status, error, message)
            now = time.monotonic()
            while state.requests and now - state.requests[0] > 60:
                state.requests.popleft()
            if len(state.requests) >= state.rate_limit:
                return _error(429, *_FORCED[429])
            state.requests.append(now)
        return None

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == "/_local/messages":  # what was "sent", for tests and for people watching `make run`
            with self.server.state.lock:
                self.answer(200, {"messages": list(self.server.state.sent)})
            return
        problem = self._authorised() or self._limited()
        if problem is not None:
            self.answer(*problem)
            return
        if url.path == "/v2/notifications":
            reference = parse_qs(url.query).get("reference", [None])[0]
            with self.server.state.lock:
                found = [m for m in self.server.state.sent if reference is None or m["reference"] == reference]
            self.answer(200, {"notifications": found, "links": {"current": self.path}})
            return
        self.answer(*_error(404, "NotFound", "Not found"))

    def do_POST(self) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        if url.path == "/_local/fail-next":
            with self.server.state.lock:
                self.server.state.forced.extend(int(s) for s in body.get("statuses", []))
            self.answer(200, {})
            return
        problem = self._authorised() or self._limited()
        if problem is not None:
            self.answer(*problem)
            return
        kind = {"/v2/notifications/sms": "sms", "/v2/notifications/email": "email"}.get(url.path)
        if kind is None:
            self.answer(*_error(404, "NotFound", "Not found"))
            return
        self.answer(*self._send(kind, body))

    def _send(self, kind: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        state = self.server.state
        template = state.templates.get(str(body.get("template_id")))
        if template is None or template.type != kind:
            return _error(400, "BadRequestError", "Template not found")
        recipient_field = "phone_number" if kind == "sms" else "email_address"
        recipient = str(body.get(recipient_field, ""))
        valid = _UK_MOBILE.match(recipient.replace(" ", "")) if kind == "sms" else _EMAIL.match(recipient)
        if not valid:
            what = "Not a UK mobile number" if kind == "sms" else "Not a valid email address"
            return _error(400, "ValidationError", f"{recipient_field} {what}")
        values = body.get("personalisation") or {}
        missing = sorted(set(_PLACEHOLDER.findall(template.body)) - set(values))
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        content = _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template.body)
        notification_id = str(uuid.uuid4())
        record = {
            "id": notification_id,
            "reference": body.get("reference"),
            "type": kind,
            recipient_field: recipient,
            "template": {"id": template.id, "version": 1},
            "personalisation": values,
            "body": content,
            "status": "created",
        }
        with state.lock:
            state.sent.append(record)
        state.answering.wait(timeout=120)
        answer: dict[str, Any] = {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": {"body": content},
            "uri": f"/v2/notifications/{notification_id}",
            "template": {"id": template.id, "version": 1, "uri": f"/v2/templates/{template.id}"},
        }
        if kind == "email":
            answer["content"]["subject"] = template.subject or ""
        return 201, answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: LocalNotifyState) -> None:
        super().__init__(address, _Handler)
        self.state = state


class BackgroundServer:
    """An HTTP server serving on a daemon thread for the length of a `with` block; `url` is where it listens.
    Shared by this stand-in and the tests' other stand-ins (the referral service's contact routes)."""

    def __init__(self, server: ThreadingHTTPServer, name: str) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True, name=name)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class LocalNotify(BackgroundServer):
    """Runs the server on a background thread: `with LocalNotify(...) as notify: notify.url`."""

    def __init__(self, state: LocalNotifyState, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        super().__init__(_Server((host, port), state), "local-notify")

    def fail_next(self, *statuses: int) -> None:
        with self.state.lock:
            self.state.forced.extend(statuses)

    def messages(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.sent)


def api_key(service_id: str, secret: str, name: str = "local") -> str:
    """A key in Notify's format: `<name>-<service id>-<secret>` (the client reads the last 73 characters)."""
    return f"{name}-{service_id}-{secret}"


DEFAULT_TEMPLATES = {
    "first-contact/sms": Template(
        "5d3e1c6a-0001-4000-8000-000000000001",
        "sms",
        "You have been referred to a link worker from ((pcn_name)). They will contact you in the next few days.",
    ),
    "follow-up-reminder/sms": Template(
        "5d3e1c6a-0002-4000-8000-000000000002", "sms", "Your link worker from ((pcn_name)) will call you ((when))."
    ),
    "first-contact/email": Template(
        "5d3e1c6a-0003-4000-8000-000000000003",
        "email",
        "You have been referred to a link worker from ((pcn_name)). They will contact you in the next few days.",
        "Your link worker will contact you",
    ),
    "follow-up-reminder/email": Template(
        "5d3e1c6a-0004-4000-8000-000000000004",
        "email",
        "Your link worker from ((pcn_name)) will call you ((when)).",
        "Your link worker will call you",
    ),
}


def default_state(service_id: str, secret: str) -> LocalNotifyState:
    return LocalNotifyState(service_id, secret, {t.id: t for t in DEFAULT_TEMPLATES.values()})


def template_ids() -> dict[str, str]:
    """The `LINKWORK_NOTIFY_TEMPLATES` value matching the default templates."""
    return {key: template.id for key, template in DEFAULT_TEMPLATES.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8916)
    parser.add_argument("--api-key", required=True, help="a key in Notify's format: name-<uuid>-<uuid>")
    args = parser.parse_args()
    key = args.api_key
    server = _Server((args.host, args.port), default_state(key[-73:-37], key[-36:]))
    print(f"local Notify on http://{args.host}:{args.port} (messages at /_local/messages)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
