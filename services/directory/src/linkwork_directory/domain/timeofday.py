"""Times of day as ORUK writes them: "HH:MM", "HH:MM:SS", optionally with "Z" or a UTC offset."""

from __future__ import annotations

import re
from datetime import time

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?$")


def parse_time_of_day(text: str) -> time:
    """The wall-clock time of an ORUK opens_at/closes_at value.

    The directory serves one country's local services, so a time is kept as the local wall-clock
    time the provider published; a zone suffix is accepted and not converted.
    """
    match = _TIME.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time of day (HH:MM or HH:MM:SS, optionally with Z or an offset)")
    hours, minutes, seconds = match.group(1), match.group(2), match.group(3) or "0"
    return time(int(hours), int(minutes), int(seconds))


def format_time_of_day(value: time) -> str:
    return value.strftime("%H:%M:%S")
