"""Finding the same service listed by several directories (issue 18).

Councils, charity networks and the NHS each publish a directory; imported together they list many services
twice, with the name spelt differently, the phone written another way, the website with or without `www`.
Each pair of services from different directories that shares a blocking key (a postcode, a phone number, a
website host or an uncommon word of the name) is scored on four signals, each from 0 to 1:

- name: the larger of the character-trigram similarity (as pg_trgm computes it) and the word-set overlap of
  the organisation's and service's names together ("&" is "and", punctuation, case and repeats ignored), so
  "Lunch club" of two different charities is not the same name;
- postcode: 1 when they share a full postcode, 0.5 when only the district (the outward code), else 0;
- phone: 1 when they share a number (digits only, +44 read as 0), else 0;
- website: 1 for the same host and path (scheme, `www.` and trailing slashes ignored), 0.6 for the same host
  only (one charity's site serves several services), else 0.

A signal missing on either side says nothing, so the score is the weighted mean of the signals both have
(name 0.45, postcode 0.2, phone 0.2, website 0.15). A pair is offered as a duplicate when the score is at
least THRESHOLD and the names are at least NAME_FLOOR alike: two services of one charity share its address,
phone and website but not their names. docs/decisions/18-duplicates.md says how these were chosen.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from urllib.parse import urlsplit
from uuid import UUID

WEIGHTS = {"name": 0.4, "organisation": 0.15, "postcode": 0.15, "phone": 0.15, "website": 0.15}
THRESHOLD = 0.7
NAME_FLOOR = 0.5
ORGANISATION_FLOOR = 0.5
# A blocking key shared by more services than this (a council switchboard, "group") pairs nothing by itself.
MAX_BLOCK = 50
_STOPWORDS = {"the", "and", "for", "of", "in", "at", "with", "group", "club", "service", "services", "leeds", "uk"}
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})$")


@dataclass(frozen=True)
class Listing:
    """What duplicate detection reads of a service."""

    id: UUID
    name: str
    directory: str
    organization: str | None = None
    postcodes: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    first: Listing
    second: Listing
    score: float
    signals: dict[str, float]


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9 ]+", " ", text.lower().replace("&", " and ")).split()


def normal_name(name: str, organization: str | None = None) -> str:
    """The service's own name: lower case, "&" as "and", no punctuation, without the organisation's words
    (one directory writes "Age UK Leeds: Lunch club", another "Lunch club" run by "Age UK Leeds")."""
    return " ".join(_without(_words(name), set(_words(organization or ""))))


def _without(words: list[str], dropped: set[str]) -> list[str]:
    kept = [word for word in words if word not in dropped]
    return kept or words


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in text.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def text_similarity(first: str, second: str) -> float:
    words = _jaccard(set(first.split()) - _STOPWORDS, set(second.split()) - _STOPWORDS)
    return max(_jaccard(trigrams(first), trigrams(second)), words)


def normal_postcode(value: str) -> str | None:
    match = _POSTCODE.match(value.upper().strip())
    return f"{match.group(1)} {match.group(2)}" if match else None


def normal_phone(value: str) -> str | None:
    digits = re.sub(r"\D", "", value)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits if len(digits) >= 10 else None


def normal_website(value: str) -> tuple[str, str] | None:
    """(host, path) of a web address, without scheme, `www.`, query or trailing slash."""
    text = value.strip().lower()
    if not text:
        return None
    parts = urlsplit(text if "//" in text else f"//{text}")
    host = (parts.hostname or "").removeprefix("www.")
    return (host, parts.path.rstrip("/")) if host else None


@dataclass(frozen=True, slots=True)
class _Features:
    """A listing's normal forms, worked out once: a pair is then compared with set operations only."""

    listing: Listing
    name_words: tuple[str, ...]
    name_grams: frozenset[str]
    org_words: frozenset[str]
    org_text: str
    postcodes: frozenset[str]
    phones: frozenset[str]
    websites: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, listing: Listing) -> _Features:
        org = _words(listing.organization or "")
        name = tuple(_without(_words(listing.name), set(org)))
        return cls(
            listing,
            name,
            frozenset(trigrams(" ".join(name))),
            frozenset(org),
            " ".join(org),
            frozenset(p for p in (normal_postcode(v) for v in listing.postcodes) if p),
            frozenset(p for p in (normal_phone(v) for v in listing.phones) if p),
            frozenset(w for w in (normal_website(v) for v in listing.websites) if w),
        )

    def name_against(self, other: _Features) -> tuple[frozenset[str], set[str]]:
        """Trigrams and key words of the name with the other listing's organisation's words taken out too."""
        words = self.name_words
        if other.org_words and not other.org_words.isdisjoint(words):
            words = tuple(_without(list(words), set(other.org_words)))
            return frozenset(trigrams(" ".join(words))), set(words) - _STOPWORDS
        return self.name_grams, set(words) - _STOPWORDS


def _name_similarity(a: _Features, b: _Features) -> float:
    # Both organisations' words come out of both names, so "Age UK Leeds: Lunch club" meets "Lunch club".
    grams_a, words_a = a.name_against(b)
    grams_b, words_b = b.name_against(a)
    return max(_jaccard(grams_a, grams_b), _jaccard(words_a, words_b))


def name_similarity(a: Listing, b: Listing) -> float:
    return _name_similarity(_Features.of(a), _Features.of(b))


def _signals(a: _Features, b: _Features) -> dict[str, float]:
    found = {"name": _name_similarity(a, b)}
    if a.org_text and b.org_text:
        found["organisation"] = text_similarity(a.org_text, b.org_text)
    if a.postcodes and b.postcodes:
        if a.postcodes & b.postcodes:
            found["postcode"] = 1.0
        else:
            same_district = {p.split()[0] for p in a.postcodes} & {p.split()[0] for p in b.postcodes}
            found["postcode"] = 0.5 if same_district else 0.0
    if a.phones and b.phones:
        found["phone"] = 1.0 if a.phones & b.phones else 0.0
    if a.websites and b.websites:
        same_host = {h for h, _ in a.websites} & {h for h, _ in b.websites}
        found["website"] = 1.0 if a.websites & b.websites else 0.6 if same_host else 0.0
    return found


def signals(a: Listing, b: Listing) -> dict[str, float]:
    """Each signal both listings have, from 0 to 1."""
    return _signals(_Features.of(a), _Features.of(b))


def score(found: dict[str, float]) -> float:
    total = sum(WEIGHTS[name] for name in found)
    return sum(WEIGHTS[name] * value for name, value in found.items()) / total


def _plausible(measured: dict[str, float]) -> bool:
    """Alike names, and the same provider: by the organisation's name, or an exact postcode, phone or website.
    Many charities run a "Lunch club"; the name alone proves nothing."""
    same_provider = measured.get("organisation", 0.0) >= ORGANISATION_FLOOR or any(
        measured.get(signal) == 1.0 for signal in ("postcode", "phone", "website")
    )
    return measured["name"] >= NAME_FLOOR and same_provider


def _keys(features: _Features) -> set[str]:
    keys = {f"p:{p}" for p in features.postcodes} | {f"t:{p}" for p in features.phones}
    keys |= {f"w:{host}" for host, _ in features.websites}
    keys |= {f"n:{word}" for word in set(features.name_words) - _STOPWORDS if len(word) >= 3}
    return keys


def find_duplicates(
    listings: Sequence[Listing], *, dismissed: Iterable[tuple[UUID, UUID]] = (), threshold: float = THRESHOLD
) -> list[Candidate]:
    """Pairs from different directories that are probably the same service, most alike first."""
    features = [_Features.of(listing) for listing in listings]
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, feature in enumerate(features):
        for key in _keys(feature):
            blocks[key].append(index)
    skip = {tuple(sorted(pair)) for pair in dismissed}
    seen: set[tuple[int, int]] = set()
    found: list[Candidate] = []
    for members in blocks.values():
        if len(members) > MAX_BLOCK:
            continue
        for i, j in combinations(members, 2):
            a, b = features[i], features[j]
            if a.listing.directory == b.listing.directory or (i, j) in seen:
                continue
            seen.add((i, j))
            # Cheap rejection first: the name floor is required, and most pairs in a block fail it.
            measured = {"name": _name_similarity(a, b)}
            if measured["name"] < NAME_FLOOR:
                continue
            if tuple(sorted((a.listing.id, b.listing.id))) in skip:
                continue
            measured = _signals(a, b)
            value = score(measured)
            if value >= threshold and _plausible(measured):
                first, second = sorted((a.listing, b.listing), key=lambda listing: str(listing.id))
                found.append(Candidate(first, second, round(value, 3), {k: round(v, 3) for k, v in measured.items()}))
    return sorted(found, key=lambda c: (-c.score, str(c.first.id), str(c.second.id)))
