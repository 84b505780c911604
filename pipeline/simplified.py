"""A simplified-script view of traditional Chinese text, one character for one.

OpenCC ``t2s`` (phrases first, then characters) turns 縣政府 into 县政府.
Offsets must not move, so the view must have exactly as many characters as
the text: the shipped dictionaries map every entry to one of the same
length, and each line is checked anyway; a line whose conversion changes
length (a future dictionary) is converted character by character instead.
"""
from __future__ import annotations

from functools import lru_cache

import opencc

__all__ = ["to_simplified"]

_CHUNK = 1 << 16


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _char(c: str) -> str:
    out = _converter().convert(c)
    return out if len(out) == 1 else c


def to_simplified(text: str) -> str:
    """``text`` in simplified characters, exactly as long as ``text``.

    Text that needs no change is returned as is (the same object).
    """
    if text.isascii():
        return text
    convert = _converter().convert
    whole = convert(text)
    if whole == text:
        return text
    if len(whole) == len(text) and whole.count("\n") == text.count("\n"):
        # Same length overall; confirm line by line that no change cancels another.
        if all(len(a) == len(b) for a, b in zip(whole.split("\n"), text.split("\n"), strict=True)):
            return whole
    return "\n".join(_line(line, convert) for line in text.split("\n"))


def _line(line: str, convert) -> str:
    out = convert(line)
    if len(out) == len(line):
        return out
    return "".join(_char(c) for c in line)
