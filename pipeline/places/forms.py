"""Surface forms of a division, derived by the rules of ``gazetteer.yaml``.

For 凉山彝族自治州 the forms are the full name, the stem 凉山 (ethnic names
and 自治州 stripped) and 凉山州; for 赤城县 the stem 赤城 and, as a variant
for a renamed county, 赤城区 and 赤城市.  Short forms are offered only for the
levels the rules allow, when they keep enough characters, and when they are
not ordinary words (the tokenizer's dictionary says how common a word is).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from ..rulefiles import alternation

if TYPE_CHECKING:
    from .gazetteer import Division, GazetteerRules


def split_name(name: str, level: int, rules: GazetteerRules) -> tuple[str, str]:
    """(stem, suffix) of a division name; the suffix is '' when none of the level's applies."""
    for suffix in rules.suffixes.get(level, []):
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return (strip_ethnic(stem, rules) if suffix.startswith("自治") else stem), suffix
    return name, ""


@lru_cache(maxsize=4)
def _ethnic_tail(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(f"(?:{alternation(names)})+$")


def strip_ethnic(stem: str, rules: GazetteerRules) -> str:
    """Drop ethnic names from the end of a stem, repeatedly (黔东南苗族侗族 → 黔东南)."""
    m = _ethnic_tail(tuple(rules.ethnic_names)).search(stem)
    if m is None:
        return stem
    # keep at least two characters of stem, giving back the leading ethnic names if needed
    while m.start() < 2 and m.start() < len(stem):
        nxt = _ethnic_tail(tuple(rules.ethnic_names)).search(stem, m.start() + 1)
        if nxt is None:
            return stem
        m = nxt
    return stem[: m.start()]


@lru_cache(maxsize=1)
def _word_freq() -> dict[str, tuple[int, str]]:
    from ..entities.lexicon import _jieba_entries

    return {w: (f, t) for w, f, t in _jieba_entries()}


def word_kind(word: str, level: int, rules: GazetteerRules) -> str | None:
    """How ordinary a stem is as a word: 'blocked' (a verb, adjective … or listed),
    'weak' (a place only with support: every county stem, and frequent words),
    or None (a name that stands on its own)."""
    if word in rules.blocked_short_forms:
        return "blocked"
    entry = _word_freq().get(word)
    freq, tag = entry if entry is not None else (0, "")
    if tag != "ns" and tag in rules.function_tags and freq >= rules.short_form_max_word_freq:
        return "blocked"
    if level in rules.weak_short_levels:
        return "weak"
    if freq >= rules.weak_short_form_freq and (tag != "ns" or level not in rules.strong_short_levels):
        return "weak"
    return None


# Form kinds, best first: the official name, an older suffix, a derived short
# form, and a short form that is also an ordinary word (恩施, 资源): matched
# only when the article names a related division too.
FULL, VARIANT, SHORT, WEAK = "full", "variant", "short", "weak"
KIND_RANK = {FULL: 0, VARIANT: 1, SHORT: 2, WEAK: 3}


class FormDeriver:
    """``derive(level, name)`` → [(surface, kind, stem)], with the rules read once."""

    def __init__(self, rules: GazetteerRules) -> None:
        self.rules = rules
        self.suffixes = {lvl: tuple(sfx) for lvl, sfx in rules.suffixes.items()}
        self.blocked_full = frozenset(rules.blocked_full_names)
        self.blocked_short = frozenset(rules.blocked_short_forms)
        self.auto = dict(rules.autonomous_short_suffix)
        self.groups = {lvl: tuple(g) for lvl, g in rules.interchangeable_suffixes.items()}
        self.short_levels = frozenset(rules.short_form_levels)
        self.min_short = rules.min_short_chars

    def derive(self, level: int, name: str) -> list[tuple[str, str, str]]:
        stem, suffix = name, ""
        for sfx in self.suffixes.get(level, ()):
            if name.endswith(sfx) and len(name) > len(sfx):
                stem, suffix = name[: -len(sfx)], sfx
                if sfx.startswith("自治"):
                    stem = strip_ethnic(stem, self.rules)
                break
        out = [] if name in self.blocked_full else [(name, FULL, stem)]
        if not suffix or len(stem) < 2:
            return out
        if suffix in self.auto:
            out.append((stem + self.auto[suffix], SHORT, stem))
        group = self.groups.get(level, ())
        if suffix in group:
            # an older suffix, unless listed as an ordinary word (大城县 → 大城市 "big city")
            out += [(stem + other, VARIANT, stem) for other in group
                    if other != suffix and stem + other not in self.blocked_short]
        if level in self.short_levels and len(stem) >= self.min_short:
            kind = word_kind(stem, level, self.rules)
            if kind != "blocked":
                out.append((stem, WEAK if kind == "weak" else SHORT, stem))
        return out


def derive_forms(d: Division, rules: GazetteerRules) -> list[tuple[str, str, str]]:
    """(surface, kind, stem) for every form of ``d``."""
    return FormDeriver(rules).derive(d.level, d.name)
