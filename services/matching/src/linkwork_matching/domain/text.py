"""Words: a tokeniser with light English stemming, and a BM25 index over service texts.

Interests are short tags ("gardening", "bird watching"); services describe themselves in prose.
Stemming lets "gardening" meet "garden" and "walks" meet "walking" without a language library.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from linkwork_matching.domain.columns import Columns

_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    {
        "a",
        "about",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "for",
        "from",
        "get",
        "group",
        "groups",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "join",
        "local",
        "more",
        "of",
        "on",
        "or",
        "our",
        "people",
        "session",
        "sessions",
        "that",
        "the",
        "their",
        "them",
        "this",
        "to",
        "up",
        "us",
        "we",
        "week",
        "weekly",
        "welcome",
        "who",
        "with",
        "you",
        "your",
    }
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip common suffixes so inflections share a stem. Crude, but the same on both sides."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ers", "er", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            word = word[: -len(suffix)]
            # "running" -> "runn" -> "run", but keep "ll"/"ss" ("walls", "class").
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            return word
    return word


def tokens(text: str) -> list[str]:
    return [stem(word) for word in _WORD.findall(text.lower()) if word not in STOPWORDS]


class TextIndex:
    """BM25 (k1=1.2, b=0.75) over documents numbered by the caller; documents can be removed.

    Postings are never rewritten: removing a document only updates document frequencies and
    the average length, and the caller ignores scores of numbers it no longer uses.
    """

    K1 = 1.2
    B = 0.75

    def __init__(self) -> None:
        self._terms: dict[str, int] = {}
        self._postings: list[Columns] = []
        self._df: list[int] = []
        self._length = Columns({"length": np.float32})
        self._live_docs = 0
        self._live_length = 0

    def add(self, doc: int, text: str) -> None:
        """Index `text` as document `doc`; numbers must be given in increasing order from 0."""
        if doc != self._length.size:
            raise ValueError(f"documents are numbered in order: expected {self._length.size}")
        counts = Counter(tokens(text))
        length = sum(counts.values())
        self._length.append(length=length)
        self._live_docs += 1
        self._live_length += length
        for term, tf in counts.items():
            term_id = self._terms.get(term)
            if term_id is None:
                term_id = self._terms[term] = len(self._postings)
                self._postings.append(Columns({"doc": np.int32, "tf": np.float32}))
                self._df.append(0)
            self._postings[term_id].append(doc=doc, tf=tf)
            self._df[term_id] += 1

    def remove(self, text: str) -> None:
        """Forget a document's contribution to the statistics (give the text it was added with)."""
        counts = Counter(tokens(text))
        self._live_docs -= 1
        self._live_length -= sum(counts.values())
        for term in counts:
            self._df[self._terms[term]] -= 1

    def scores(self, query_terms: list[str]) -> npt.NDArray[np.float64] | None:
        """BM25 score of every document for the (already tokenised) query; None if no term is known."""
        known = [self._terms[t] for t in dict.fromkeys(query_terms) if t in self._terms]
        if not known or not self._live_docs:
            return None
        total = np.zeros(self._length.size, dtype=np.float64)
        lengths = self._length["length"]
        average = max(self._live_length / self._live_docs, 1.0)
        for term_id in known:
            df = self._df[term_id]
            if df <= 0:
                continue
            idf = math.log(1 + (self._live_docs - df + 0.5) / (df + 0.5))
            postings = self._postings[term_id]
            docs, tf = postings["doc"], postings["tf"]
            norm = self.K1 * (1 - self.B + self.B * lengths[docs] / average)
            # One posting per (term, document), so plain fancy-index addition is exact.
            total[docs] += idf * tf * (self.K1 + 1) / (tf + norm)
        return total

    @property
    def nbytes(self) -> int:
        return self._length.nbytes + sum(p.nbytes for p in self._postings)
