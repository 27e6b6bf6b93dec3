"""NHS number check digit (modulus 11), as described in `standards/social-prescribing.md`."""

from __future__ import annotations

_WEIGHTS = range(10, 1, -1)  # digit 1 is weighted 10, digit 9 is weighted 2


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine leading digits, or None when no valid number can start this way."""
    if len(first_nine) != 9 or not first_nine.isascii() or not first_nine.isdigit():
        raise ValueError("expected nine digits")
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    result = 11 - total % 11
    if result == 11:
        return 0
    if result == 10:
        return None
    return result


def normalise_nhs_number(s: str) -> str:
    """Strip the spaces people type ("943 476 5919"); the result is not necessarily valid."""
    return s.replace(" ", "")


def is_valid_nhs_number(s: str) -> bool:
    """True for a 10-digit NHS number (spaces allowed, as written) whose check digit is right."""
    digits = normalise_nhs_number(s)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    return check_digit(digits[:9]) == int(digits[9])
