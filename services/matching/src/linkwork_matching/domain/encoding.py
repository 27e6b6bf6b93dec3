"""Bit encodings of small code sets, so the index can test sets against sets in one numpy step."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from linkwork_contracts.codes import Accessibility, DeliveryMode, NeedCategory

from linkwork_matching.domain.person import Slot
from linkwork_matching.domain.service import DAYS, PARTS, Session

C = TypeVar("C", Accessibility, DeliveryMode, NeedCategory)

ACCESS_BITS = {feature: 1 << i for i, feature in enumerate(Accessibility)}
MODE_BITS = {mode: 1 << i for i, mode in enumerate(DeliveryMode)}
NEED_BITS = {need: 1 << i for i, need in enumerate(NeedCategory)}


def slot_bit(slot: Slot) -> int:
    day, part = slot
    return 1 << (DAYS.index(day) * len(PARTS) + PARTS.index(part))


def slots_mask(slots: Iterable[Slot]) -> int:
    mask = 0
    for slot in slots:
        mask |= slot_bit(slot)
    return mask


def session_slots(sessions: Iterable[Session]) -> int:
    """Day-and-part-of-day slots the sessions start in (sessions in the small hours fit none)."""
    mask = 0
    for session in sessions:
        part = session.part_of_day
        if part is not None:
            mask |= slot_bit((session.day, part))
    return mask


def _mask(bits: Mapping[C, int], codes: Iterable[C]) -> int:
    mask = 0
    for code in codes:
        mask |= bits[code]
    return mask


def access_mask(features: Iterable[Accessibility]) -> int:
    return _mask(ACCESS_BITS, features)


def mode_mask(modes: Iterable[DeliveryMode]) -> int:
    return _mask(MODE_BITS, modes)


def need_mask(needs: Iterable[NeedCategory]) -> int:
    return _mask(NEED_BITS, needs)


class LanguageBits:
    """Gives each language code seen a bit of a 64-bit mask; the last bit stands for all others.

    A directory rarely lists more than a few dozen languages. Past 63, codes share the overflow
    bit, and offers matched only through it are checked exactly against the service's languages.
    """

    OVERFLOW = 1 << 63
    CAPACITY = 63

    def __init__(self) -> None:
        self._bits: dict[str, int] = {}

    def assign(self, codes: Iterable[str]) -> int:
        mask = 0
        for code in codes:
            bit = self._bits.get(code)
            if bit is None:
                if len(self._bits) == self.CAPACITY:
                    mask |= self.OVERFLOW
                    continue
                bit = self._bits[code] = 1 << len(self._bits)
            mask |= bit
        return mask

    def lookup(self, codes: Iterable[str]) -> tuple[int, bool]:
        """The mask of known codes, and whether some code may be hiding behind the overflow bit."""
        mask, unknown = 0, False
        for code in codes:
            bit = self._bits.get(code)
            if bit is None:
                unknown = True
            else:
                mask |= bit
        overflowed = unknown and len(self._bits) == self.CAPACITY
        return mask, overflowed
