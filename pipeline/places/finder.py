"""Place recognition: gazetteer names first, suffix patterns for what it lacks.

:class:`GazetteerMatcher` finds every surface form of the national gazetteer
(full names, older suffixes, short forms) through a :class:`SurfaceIndex`,
keeps the longest non-overlapping matches, and checks their boundaries: a
short form inside a longer word (交通城市 holds 通城) or one followed by an
administrative suffix (赤城镇 is not 赤城) does not fire, and a name ending in
a one-character suffix is not a place before 场/级/域 … (上海市场).

:class:`PlaceRecognizer` merges these with the suffix finder
(:mod:`.suffix`), which finds villages, communities, zones and anaphors
(该镇): where both find a place the gazetteer wins, except that a longer
name holding a gazetteer form (茂南村 holds 茂南) stays whole.  A place found
by suffix at a level the gazetteer covers completely (province to county) is
dropped when the gazetteer lacks it, and a township or village whose stem is
a verb or function word (返乡, 撤换村) is dropped.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from ..entities.lexicon import PlaceRules, _jieba_entries, all_words, common_words
from ..entities.mention import Mention
from .forms import FULL, KIND_RANK, SHORT, WEAK
from .gazetteer import LEVEL_NAMES, Gazetteer
from .suffix import PlaceFinder

Match = tuple[int, int, str, str, str]  # start, end, surface, kind, level name

_HASH_BITS = 20


def _bigram_hash(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Slots of character pairs (code points as uint32; the product wraps)."""
    return ((first * np.uint32(0x9E3779B1)) ^ second) & np.uint32((1 << _HASH_BITS) - 1)


@dataclass(frozen=True)
class SurfaceIndex:
    """Every surface form of a gazetteer, looked up by its first two characters.

    An Aho-Corasick automaton (pyahocorasick) scans its nodes' children one
    by one, and the root of 60k Chinese names has ~2,500 of them: ~0.6 µs a
    character.  Here one numpy pass marks the offsets whose two characters
    hash to a slot some surface opens with (~4 % of a news text), and only
    there are the surfaces of those two characters looked up.
    """

    forms: dict[str, tuple[str, str, str]]  # surface -> (surface, kind, level name)
    lengths: dict[str, tuple[int, ...]]  # first two characters -> lengths of their surfaces, ascending
    slots: np.ndarray  # bool per hash slot: some surface's first two characters hash there

    @classmethod
    def build(cls, gazetteer: Gazetteer) -> SurfaceIndex:
        forms = {s: (s, kind, LEVEL_NAMES[level]) for s, kind, level in gazetteer.surfaces()}
        short = [s for s in forms if len(s) < 2]
        if short:  # no division has a one-character name; such a form would be every such character
            raise ValueError(f"gazetteer surface forms must have two or more characters: {short[:5]}")
        lengths: dict[str, set[int]] = {}
        for surface in forms:
            lengths.setdefault(surface[:2], set()).add(len(surface))
        pairs = np.array([[ord(c) for c in pair] for pair in lengths], dtype=np.uint32).reshape(-1, 2)
        slots = np.zeros(1 << _HASH_BITS, dtype=bool)
        slots[_bigram_hash(pairs[:, 0], pairs[:, 1])] = True
        return cls(forms, {pair: tuple(sorted(n)) for pair, n in lengths.items()}, slots)

    def matches(self, text: str) -> list[Match]:
        """Every occurrence of every surface form in ``text``, overlapping ones included."""
        if len(text) < 2:
            return []
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        candidates = np.flatnonzero(self.slots[_bigram_hash(codes[:-1], codes[1:])]).tolist()
        forms, lengths, size = self.forms, self.lengths, len(text)
        out = []
        for i in candidates:
            for n in lengths.get(text[i:i + 2], ()):  # () where the slot is another pair's
                if i + n > size:
                    break
                form = forms.get(text[i:i + n])
                if form is not None:
                    out.append((i, i + n, *form))
        return out


@lru_cache(maxsize=4)
def _surface_index(gazetteer: Gazetteer) -> SurfaceIndex:
    """One index per gazetteer, shared by every stage that finds places."""
    return SurfaceIndex.build(gazetteer)


@lru_cache(maxsize=4)
def _words_tagged(tags: frozenset[str], floor: int) -> frozenset[str]:
    """Dictionary words with one of ``tags`` and frequency ``floor`` or more."""
    return frozenset(w for w, f, t in _jieba_entries() if t in tags and f >= floor)


_QUOTES = {"“": "”", "「": "」", "『": "』", '"': '"', "‘": "’"}


def _quoted(text: str, m: Mention) -> bool:
    """True when the mention is exactly what a pair of quotes holds."""
    opening = text[m.start - 1:m.start] if m.start else ""
    return opening in _QUOTES and text[m.end:m.end + 1] == _QUOTES[opening]


_CJK = re.compile(r"[\u3400-\u9fff]")
_SUFFIX_CHARS = frozenset("省市县区镇乡村州旗盟")


@dataclass
class GazetteerMatcher:
    """Longest-match gazetteer forms in a text, with boundary checks."""

    gazetteer: Gazetteer
    not_before: frozenset[str] = frozenset()
    stop_chars: frozenset[str] = frozenset()

    @property
    def surfaces(self) -> SurfaceIndex:
        return _surface_index(self.gazetteer)

    @cached_property
    def _words(self) -> frozenset[str]:
        return common_words()

    @cached_property
    def _not_after_short(self) -> tuple[str, ...]:
        rules = self.gazetteer.rules
        return tuple(rules.short_not_before) if rules is not None else ()

    def find(self, text: str) -> list[Mention]:
        if not text:
            return []
        raw = self.surfaces.matches(text)
        # where a full name ends or starts, a chained name may start or end
        # (镇坪县|城关镇, 陕西|镇坪县) whatever words the dictionary sees across it
        ends = {end for _, end, _, kind, _ in raw if kind == FULL}
        starts = {start for start, _, _, kind, _ in raw if kind == FULL}
        named_ends = ends | {end for _, end, _, kind, _ in raw if kind == SHORT}
        found = [f for f in raw if self._fits(text, f[0], f[1], f[3], ends, starts, named_ends)]
        # longest first, then the better kind of form, then leftmost
        found.sort(key=lambda f: (f[0] - f[1], KIND_RANK[f[3]], f[0]))
        taken: list[tuple[int, int]] = []
        out = []
        for start, end, surface, kind, level in found:
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            out.append(Mention(start, end, "PLACE", surface, f"place.gazetteer.{kind}", level=level))
        out.sort(key=lambda m: m.start)
        return out

    def _fits(self, text: str, start: int, end: int, kind: str, ends: set[int], starts: set[int],
              named_ends: set[int]) -> bool:
        nxt = text[end:end + 1]
        left_ok = start in ends or not self._straddled(text, start)
        if kind in (SHORT, WEAK):
            if nxt in _SUFFIX_CHARS and end not in starts:  # 赤城镇 is not 赤城; 陕西镇坪县 holds 陕西
                return False
            if end not in starts and text.startswith(self._not_after_short, end):  # 澜沧江, 新华社
                return False
            return left_ok and (end in starts or not self._straddled(text, end))
        if text[end - 1] in _SUFFIX_CHARS and nxt in self.not_before:
            return False
        if end - start == 2 and start > 0 and _CJK.match(text[start - 1]) and start not in named_ends \
                and text[start - 1] not in self.stop_chars:
            return False  # a one-character stem (和县, 雄县) only after a boundary or a chained name
        return left_ok

    def _straddled(self, text: str, pos: int) -> bool:
        """True when a common word crosses offset ``pos`` (目前|小留镇 is fine, 交|通城 is not)."""
        if pos <= 0 or pos >= len(text) or not _CJK.match(text[pos - 1]) or not _CJK.match(text[pos]):
            return False
        words = self._words
        for n in (2, 3, 4):
            for a in range(pos - n + 1, pos):
                if a >= 0 and a + n <= len(text) and text[a:a + n] in words:
                    return True
        return False


_MEMO_CHARS = 80  # texts up to this long are memoised by PlaceRecognizer.find
_MEMO_SIZE = 4096  # entries; the memo starts afresh when full


@dataclass
class PlaceRecognizer:
    """Gazetteer matches plus suffix-found places, validated; see the module doc."""

    rules: PlaceRules
    gazetteer: Gazetteer
    suffix: PlaceFinder = field(init=False)
    matcher: GazetteerMatcher = field(init=False)
    # find's answers for short texts, by (text, context)
    _memo: dict[tuple[str, str], tuple[Mention, ...]] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.suffix = PlaceFinder(self.rules)
        self.matcher = GazetteerMatcher(self.gazetteer, frozenset(self.rules.not_before),
                                        frozenset(self.rules.stop_chars))

    @cached_property
    def _bad_words(self) -> frozenset[str]:
        return _words_tagged(frozenset(self.rules.bad_stem_tags), self.rules.bad_stem_min_freq)

    @cached_property
    def _org_followers(self) -> tuple[str, ...]:
        return tuple(self.rules.unlisted_org_followers)

    @cached_property
    def _checked_levels(self) -> frozenset[str]:
        return frozenset(self.rules.gazetteer_levels)

    def find(self, text: str, context: str = "") -> list[Mention]:
        """Place and anaphor mentions in ``text``, in order of start.

        ``context`` is more of the article (its title and source line): a name
        the gazetteer lacks counts as repeated when it recurs there.  Short
        texts (titles, source lines, breadcrumb items, which recur across
        articles and stages) are answered from a bounded memo.
        """
        if len(text) > _MEMO_CHARS:
            return self._find(text, context)
        key = (text, context)
        got = self._memo.get(key)
        if got is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            got = self._memo[key] = tuple(self._find(text, context))
        return list(got)

    def _find(self, text: str, context: str) -> list[Mention]:
        named = self.matcher.find(text)
        starts, ends = [g.start for g in named], [g.end for g in named]  # disjoint: both ascend
        out = list(named)
        for m in self.suffix.find(text):
            clash = named[bisect_right(ends, m.start):bisect_left(starts, m.end)]
            if m.anaphor:
                if not clash:
                    out.append(m)
                continue
            if clash:
                if all(m.start <= g.start and g.end < m.end for g in clash) and self._valid_unlisted(m, text, context):
                    out = [p for p in out if p not in clash]
                    out.append(m)
                continue
            if self._valid_unlisted(m, text, context):
                out.append(m)
        out.sort(key=lambda m: (m.start, -m.end))
        return out

    def _valid_unlisted(self, m: Mention, text: str, context: str = "") -> bool:
        """A place the gazetteer lacks: allowed below county level, as a zone, or
        when the article repeats it, and only with a stem that is a name (not 返乡, 撤换村)."""
        suffix = m.rule.rsplit(".", 1)[-1]
        stem = m.text[: len(m.text) - len(suffix)] if m.text.endswith(suffix) else m.text
        if m.level in self._checked_levels and suffix not in self.rules.unlisted_suffixes:
            repeats = self.rules.unlisted_min_repeats
            recurs = bool(repeats) and text.count(m.text) + context.count(m.text) >= repeats
            if not recurs and not text.startswith(self._org_followers, m.end):
                return False
        if stem in self.gazetteer.stems:
            return True
        if _quoted(text, m) and stem in all_words():
            return False  # a nickname in quotes (“悬崖村”, “空壳村”), not a village's name
        bad = self._bad_words
        if stem in bad or (len(stem) <= 3 and stem[-2:] in bad):
            return False
        # a township whose last stem character and suffix make a word: 返乡, 城镇, 家乡
        tail = stem[-1:] + suffix
        return not (m.level == "镇" and len(suffix) == 1 and tail in all_words() and not self.gazetteer.lookup(tail))


_SHARED: dict[tuple[int, int], PlaceRecognizer] = {}


def shared_recognizer(rules: PlaceRules, gazetteer: Gazetteer) -> PlaceRecognizer:
    """One recognizer per (rules, gazetteer) pair, shared by the stages that find places
    (entities, place linking, scope), so their caches and memo are built once."""
    key = (id(rules), id(gazetteer))
    got = _SHARED.get(key)
    if got is None or got.rules is not rules or got.gazetteer is not gazetteer:
        if len(_SHARED) >= 8:  # rules reloaded many times (`rules learn` trials): keep the newest only
            _SHARED.clear()
        got = _SHARED[key] = PlaceRecognizer(rules, gazetteer)
    return got
