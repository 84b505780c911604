"""Does a decoded text read as Chinese?  Used to choose the encoding of short inputs.

A charset detector needs a few hundred bytes to be right: on a 10-byte GBK
file it may answer cp949 or UTF-16 and produce Korean-looking text.  For
short inputs :mod:`pipeline.io.decoding` instead decodes with each encoding
this news comes in and asks which reading is plausible Chinese.

The measure is character frequency, derived (not written by hand) from the
dictionary that ships inside jieba: a character's weight is the summed
frequency of the dictionary words that contain it.  The most frequent
:data:`COMMON_SIZE` characters cover 99 % of that weight and of ordinary
news text; a wrong decoding scatters over rare characters, kana, hangul,
symbols and private-use code points.  Traditional text is measured through
its simplified view, so Big5 news scores like GB news.
"""
from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["COMMON_SIZE", "Reading", "common_characters", "reading_of"]

COMMON_SIZE = 3500
_FLOOR = 1e-7  # probability of a character the dictionary never uses
_ENTRY = re.compile(r"^(\S+) (\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Reading:
    """How Chinese a text reads.

    ``letters``: non-ASCII letters (ideographs, kana, hangul, Latin with
    accents …; punctuation and symbols are not counted); ``common``: the share
    of them among the common Chinese characters; ``log_likelihood``: their mean
    log probability under the dictionary's character frequencies (higher is
    more ordinary text).
    """

    letters: int
    common: float
    log_likelihood: float

    def plausible(self, threshold: float) -> bool:
        """At least one letter, and at least ``threshold`` of them common Chinese."""
        return self.letters > 0 and self.common >= threshold


@lru_cache(maxsize=1)
def _frequencies() -> tuple[dict[str, float], frozenset[str]]:
    """Character probabilities and the :data:`COMMON_SIZE` most frequent ideographs."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as fh:
        entries = _ENTRY.findall(fh.read())
    weight: dict[str, int] = {}
    get = weight.get
    for word, freq in entries:
        n = int(freq)
        for c in word:
            weight[c] = get(c, 0) + n
    hanzi = {c: w for c, w in weight.items() if "\u4e00" <= c <= "\u9fff"}
    total = sum(hanzi.values())
    ranked = sorted(hanzi, key=hanzi.__getitem__, reverse=True)
    return {c: w / total for c, w in hanzi.items()}, frozenset(ranked[:COMMON_SIZE])


def common_characters() -> frozenset[str]:
    """The :data:`COMMON_SIZE` most frequent ideographs of jieba's dictionary."""
    return _frequencies()[1]


def reading_of(text: str) -> Reading:
    """Measure ``text`` (see :class:`Reading`)."""
    from ..simplified import to_simplified

    probability, common = _frequencies()
    letters = [c for c in to_simplified(text) if ord(c) > 127 and unicodedata.category(c).startswith("L")]
    if not letters:
        return Reading(0, 0.0, -math.inf)
    share = sum(1 for c in letters if c in common) / len(letters)
    log_likelihood = sum(math.log(probability.get(c, 0.0) + _FLOOR) for c in letters) / len(letters)
    return Reading(len(letters), share, log_likelihood)
