"""How the report's pages print a shown figure; each page marks suppressed and empty figures its own way."""

from __future__ import annotations


def number(value: int | float, *, percent_decimals: int | None = None, decimals: int = 1, signed: bool = False) -> str:
    """A share as a percentage (to `percent_decimals` places, when given), a count with thousands separators,
    any other number to `decimals` places (with its sign when `signed`)."""
    if percent_decimals is not None:
        return f"{value * 100:.{percent_decimals}f}%"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
