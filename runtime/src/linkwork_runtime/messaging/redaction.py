"""Error text that names the field and the rule, never the value: for dead-letter headers and logs.

A message failing its schema is reported by pydantic with the offending input (`input_value='1990-02-30'`),
and other errors quote what they choke on. `referral-requested` carries names, NHS numbers, dates of birth,
postcodes and contact details, so nothing an error says about a value may leave the process: validation
errors are rebuilt from their locations and rule names, and any other message has whatever looks like a
person's data (NHS number, date, postcode, email address, phone number, quoted text) replaced.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

REDACTED = "[redacted]"
_MAX = 2000

_QUOTED = re.compile(r"""(['"])(.*?)\1""", re.DOTALL)  # a repr of some input...
# ...except a dotted lower-case name such as an event type (uk.linkwork.referral.requested.v1): no person's
# name, date, postcode or email address has that shape, and the operator needs it.
_DOTTED_NAME = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+")
_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # email addresses
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"),  # dates
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),  # full postcodes
    # NHS numbers, phone numbers: long runs of digits (not the digit groups inside a UUID or a word)
    re.compile(r"(?<![\w-])\+?\d[\d ()-]{7,}\d(?![\w-])"),
]


def safe_message(error: BaseException) -> str:
    """What went wrong, without any value from the input."""
    if isinstance(error, ValidationError):
        return _rules(error)
    cause = error.__cause__ or error.__context__
    if isinstance(cause, ValidationError):  # e.g. the contract's decode error wrapping pydantic's
        return f"{scrub(str(error).splitlines()[0] if str(error) else '')}: {_rules(cause)}"[:_MAX]
    return scrub(str(error) or repr(error))[:_MAX]


def _quoted(match: re.Match[str]) -> str:
    return match.group(0) if _DOTTED_NAME.fullmatch(match.group(2)) else REDACTED


def scrub(text: str) -> str:
    text = _QUOTED.sub(_quoted, text)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def _rules(error: ValidationError) -> str:
    rules = [f"{'.'.join(str(part) for part in e['loc']) or '(root)'}: {e['type']}" for e in error.errors()]
    return f"{error.title} failed {len(rules)} rule(s): " + "; ".join(rules)


def describe(error: BaseException) -> str:
    """`TypeName: safe message`, for a log line."""
    return f"{type(error).__name__}: {safe_message(error)}"
