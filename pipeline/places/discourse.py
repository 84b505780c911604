"""One place name per discourse: a suffix-found name that swallowed the word before it.

A place found by its suffix (村, 社区 …) takes as its stem the characters before
the suffix, and a verb or preposition written right before the name can become
part of it (回玉海村 from …说服某人回玉海村担任…).  When the same article also
writes the name without that character (玉海村), the longer form is the one in
doubt: the article says what the village is called.  Only one character is
trimmed and the remaining stem keeps at least two, so a name such as 回龙村 is
never cut to 龙村.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..entities.mention import Mention

SUFFIX_RULE = "place.suffix."


def trim_to_written_names(places: Sequence[Mention]) -> list[Mention]:
    """``places`` with each suffix-found name that is one character plus another name of
    the article (written alone elsewhere, with the same suffix) cut to that name."""
    written = {p.text for p in places if not p.anaphor}
    out = []
    for p in places:
        tail = p.text[1:]
        suffix = p.rule[len(SUFFIX_RULE):] if p.rule.startswith(SUFFIX_RULE) else ""
        if (suffix and not p.anaphor and tail in written and tail.endswith(suffix)
                and len(tail) - len(suffix) >= 2):
            p = replace(p, start=p.start + 1, text=tail)
        out.append(p)
    return out
