"""Every kind of problem a linkwork service answers with, each with its own `type` URI and meaning.

RFC 9457 makes `type` the identifier a client branches on; `title` is for people. A problem whose title is
just its HTTP status phrase ("Not Found", "Forbidden") says nothing beyond the status, so its type is
`about:blank`, as the RFC prescribes. Every other title is a kind of its own, listed here: its type is
`/problems/<slug>`, a relative reference that every service serves (`GET /problems/{slug}`) with the meaning
below, so a developer who meets one in a response can look it up at the same address.
`tests/repository/test_problem_types.py` fails when a service raises a title that is not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    meaning: str

    @property
    def uri(self) -> str:
        return f"/problems/{self.slug}"


_KINDS = [
    ProblemType(
        "invalid-request",
        422,
        "Invalid request",
        "A field breaks a rule; `errors` names each field and rule (never its value).",
    ),
    ProblemType("invalid-search", 400, "Invalid search", "A search or filter parameter cannot be understood."),
    ProblemType(
        "invalid-service",
        422,
        "Invalid service",
        "A directory service record breaks an ORUK or linkwork rule; `errors` lists them.",
    ),
    ProblemType(
        "invalid-period",
        422,
        "Invalid period",
        "A report period is not one of the fixed calendar bins (month, quarter, year).",
    ),
    ProblemType(
        "invalid-pair", 422, "Invalid pair", "The two directory services named cannot be compared or merged as a pair."
    ),
    ProblemType("not-json", 400, "Not JSON", "The body is not valid JSON."),
    ProblemType("not-utf-8", 400, "Not UTF-8", "The body or an uploaded file is not UTF-8 text."),
    ProblemType("not-a-zip-file", 400, "Not a zip file", "An import package must be a zip file of ORUK CSV files."),
    ProblemType("unknown-kind", 400, "Unknown kind", "The kind of item asked for is not one this service knows."),
    ProblemType(
        "unauthorised",
        401,
        "Unauthorised",
        "No bearer token, or one that is expired, forged, or from another issuer or audience.",
    ),
    ProblemType("already-exists", 409, "Already exists", "Something with this identifier exists already."),
    ProblemType(
        "cannot-merge",
        409,
        "Cannot merge",
        "These directory services cannot be merged (withdrawn, merged already, or the same).",
    ),
    ProblemType(
        "not-allowed-in-this-state",
        409,
        "Not allowed in this state",
        "The step is not allowed from the record's current state; `current_state` and `allowed_states` say which are.",
    ),
    ProblemType(
        "changed-since-you-read-it",
        412,
        "Changed since you read it",
        "If-Match named a version that is no longer current: read it again, then make the change.",
    ),
    ProblemType(
        "version-required",
        428,
        "Version required",
        "A change to an existing record must send If-Match with the ETag it was read at.",
    ),
    ProblemType(
        "request-body-too-large",
        413,
        "Request body too large",
        "The body is larger than this route accepts; refused before it was read in full.",
    ),
    ProblemType(
        "too-large", 413, "Too large", "An upload, or the files inside it, is larger than this service accepts."
    ),
    ProblemType(
        "suspicious-compression",
        413,
        "Suspicious compression",
        "A zip file expands far more than real CSV files do (a zip bomb is refused unread).",
    ),
    ProblemType("too-many-files", 413, "Too many files", "An import package holds more files than ORUK defines."),
    ProblemType(
        "unsupported-media-type", 415, "Unsupported media type", "The Content-Type is not one this route takes."
    ),
    ProblemType(
        "unprocessable-content",
        422,
        "Unprocessable content",
        "The body is well formed but cannot be acted on; `detail` says why.",
    ),
    ProblemType(
        "idempotency-key-reused",
        422,
        "Idempotency-Key reused",
        "The Idempotency-Key was used before with a different request body.",
    ),
    ProblemType(
        "no-pcn-for-this-referral",
        422,
        "No PCN for this referral",
        "The person's practice belongs to no PCN linkwork knows, so the referral has nowhere to go.",
    ),
    ProblemType(
        "imports-unavailable",
        503,
        "Imports unavailable",
        "The directory cannot take imports at the moment; try again later.",
    ),
    ProblemType("not-ready", 503, "Not ready", "The service cannot reach its database; `checks` says what is down."),
]
BY_TITLE = {kind.title: kind for kind in _KINDS}
BY_SLUG = {kind.slug: kind for kind in _KINDS}


def is_status_phrase(status: int, title: str) -> bool:
    try:
        return HTTPStatus(status).phrase.casefold() == title.casefold()
    except ValueError:
        return False


def type_uri(status: int, title: str) -> str:
    """`about:blank` for a bare status phrase, else the listed kind's URI (`about:blank` if not listed)."""
    kind = BY_TITLE.get(title)
    return kind.uri if kind is not None and not is_status_phrase(status, title) else "about:blank"
