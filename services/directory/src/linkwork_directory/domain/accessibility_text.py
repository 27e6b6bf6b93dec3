"""Accessibility features named in ORUK's free-text accessibility notes.

ORUK describes a venue's accessibility in prose ("The building is equipped with induction loops
for hearing aids"); matching compares coded features. A sentence that names a feature gives it,
unless the sentence is a negation ("no wheelchair access", "not step-free"), which gives nothing:
a missed feature costs a link worker a phone call, a wrong one costs the person a wasted trip.
"""

from __future__ import annotations

import re

from linkwork_contracts.codes import Accessibility

A = Accessibility
_PHRASES: tuple[tuple[Accessibility, tuple[str, ...]], ...] = (
    (A.STEP_FREE_ACCESS, ("step-free", "step free", "level access", "ramp", "lift to all")),
    (A.WHEELCHAIR_ACCESSIBLE, ("wheelchair",)),
    (A.ACCESSIBLE_TOILET, ("accessible toilet", "disabled toilet", "accessible wc")),
    (A.CHANGING_PLACES, ("changing places",)),
    (A.HEARING_LOOP, ("hearing loop", "induction loop")),
    (A.BSL_INTERPRETER, ("bsl", "british sign language")),
    (A.LARGE_PRINT, ("large print",)),
    (A.EASY_READ, ("easy read", "easy-read")),
    (A.QUIET_SPACE, ("quiet space", "quiet room")),
    (A.SEATING_AVAILABLE, ("seating", "seats available", "chairs available")),
    (A.ACCESSIBLE_PARKING, ("accessible parking", "disabled parking", "blue badge")),
    (A.ASSISTANCE_DOGS_WELCOME, ("assistance dog", "guide dog")),
    (A.CARER_ATTENDS_FREE, ("carers go free", "carer attends free", "carers free", "carers attend free")),
)
_NEGATION = re.compile(r"\b(no|not|none|without|unfortunately|isn't|is not|aren't|cannot|can't)\b")
_SENTENCE = re.compile(r"[.;!?\n]+")


def features_in_text(*texts: str | None) -> list[Accessibility]:
    found: list[Accessibility] = []
    for text in texts:
        for sentence in _SENTENCE.split((text or "").lower()):
            if not sentence.strip() or _NEGATION.search(sentence):
                continue
            for feature, phrases in _PHRASES:
                if feature not in found and any(phrase in sentence for phrase in phrases):
                    found.append(feature)
    order = list(Accessibility)
    return sorted(found, key=order.index)
