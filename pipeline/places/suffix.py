"""Find place mentions: a name stem followed by an administrative suffix.

Generic "XX镇" patterns over-generate (为全镇, 业农村), so the stem is chosen
with care: it is scanned back from the suffix over name-like characters
(never over stop characters or into an earlier place), it may not end in a
blocker word (贫困村, 示范村), and it may not start inside a common word
(目前小留镇 → 小留镇).  Anaphora (该镇, 全村 …) are returned as mentions
with ``anaphor=True`` and the level they name.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from ..entities.lexicon import (PlaceRules, PlaceSuffix, all_words, boundary_words, common_words, descriptive_words,
                                frequent_verbs, function_words, known_place_names, very_common_words)
from ..rulefiles import alternation
from ..entities.mention import Mention

_CJK = re.compile(r"[\u3400-\u9fff]")
# Characters that are administrative suffixes themselves never sit inside a stem.
_SUFFIX_CHARS = frozenset("省县区镇乡村")


@dataclass
class PlaceFinder:
    """Compiled place rules; call :meth:`find` on a text."""

    rules: PlaceRules

    @cached_property
    def _suffix_re(self) -> re.Pattern[str]:
        return re.compile(alternation(s.text for s in self.rules.suffixes))

    @cached_property
    def _suffix_by_text(self) -> dict[str, PlaceSuffix]:
        return {s.text: s for s in self.rules.suffixes}

    @cached_property
    def _stop(self) -> frozenset[str]:
        return frozenset(self.rules.stop_chars) | _SUFFIX_CHARS

    @cached_property
    def _hard_stop(self) -> frozenset[str]:
        return frozenset(self.rules.stop_chars)

    @cached_property
    def _not_before(self) -> frozenset[str]:
        return frozenset(self.rules.not_before)

    @cached_property
    def _not_before_unless(self) -> tuple[str, ...]:
        return tuple(self.rules.not_before_unless)

    @cached_property
    def _not_places(self) -> frozenset[str]:
        return frozenset(self.rules.not_places)

    @cached_property
    def _bad_endings(self) -> tuple[str, ...]:
        return tuple(self.rules.bad_endings)

    @cached_property
    def _anaphor_re(self) -> re.Pattern[str]:
        return re.compile(alternation(a.text for a in self.rules.anaphora))

    @cached_property
    def _anaphor_level(self) -> dict[str, str]:
        return {a.text: a.level for a in self.rules.anaphora}

    def find(self, text: str) -> list[Mention]:
        """All place and anaphor mentions in ``text``, in order of start."""
        places = self._find_named(text)
        named, ends = len(places), [m.end for m in places]  # in order and disjoint: ends ascend too
        for m in self._anaphor_re.finditer(text):
            first_after = bisect_right(ends, m.start())  # the only named place that may overlap it
            if first_after == named or places[first_after].start >= m.end():
                places.append(Mention(m.start(), m.end(), "PLACE", m.group(), "place.anaphor",
                                      level=self._anaphor_level[m.group()], anaphor=True))
        places.sort(key=lambda m: (m.start, -m.end))
        return places

    def _find_named(self, text: str) -> list[Mention]:
        found: list[Mention] = []
        barrier = 0
        inside: set[int] = set()  # suffix characters that made no place: a later stem may hold them (新乡仔村)
        for m in self._suffix_re.finditer(text):
            suffix = self._suffix_by_text[m.group()]
            if text[m.end():m.end() + 1] in self._not_before \
                    and not text.startswith(self._not_before_unless, m.end()):
                inside.add(m.start())
                continue
            start = self._stem_start(text, m.start(), barrier, suffix, inside)
            if start is None:
                if m.end() - m.start() == 1:
                    inside.add(m.start())
                else:
                    barrier = m.end()  # 各村委会|因村: a longer suffix word is a boundary even unplaced
                continue
            name = text[start:m.end()]
            stem = text[start:m.start()]
            if (name in self._not_places or name.endswith(self._bad_endings)
                    or (len(stem) > 2 and stem[-2:] in frequent_verbs())
                    or (self._inside_phrase(text, start) and self._is_common_stem(stem))):
                continue
            found.append(Mention(start, m.end(), "PLACE", name, f"place.suffix.{suffix.text}",
                                 level=suffix.level))
            barrier = m.end()
        return found

    def _inside_phrase(self, text: str, start: int) -> bool:
        """True when the stem continues a run of words (软弱涣散村, 带领部分区)."""
        return start > 0 and bool(_CJK.match(text[start - 1])) and text[start - 1] not in self._stop

    @staticmethod
    def _is_common_stem(stem: str) -> bool:
        """Adjectives/adverbs/idioms, or very frequent common words (部分, 涣散)."""
        return stem in descriptive_words() or stem in very_common_words()

    def _stem_start(self, text: str, pos: int, barrier: int, suffix: PlaceSuffix,
                    inside: set[int] = frozenset()) -> int | None:
        """Where the stem before ``pos`` starts, or None if there is no valid stem.

        ``inside``: offsets of suffix characters that ended no place, which a
        stem may run through (the 乡 of 新乡仔村)."""
        start = pos
        limit = max(barrier, pos - suffix.max_stem)
        stop = self._stop
        while start > limit and _CJK.match(text[start - 1]) and (text[start - 1] not in stop or (
                start - 1 in inside and start < pos and text[start - 1] not in self._hard_stop)):
            start -= 1
        while start < pos and start in inside:
            start += 1  # a stem never opens with a suffix character: 村|马坑村, 乡|雷胜村
        if start == pos - suffix.max_stem and start > barrier and text[start - 1] in self.rules.long_stem_openers \
                and (start - 1 == barrier or start == 1 or not _CJK.match(text[start - 2])
                     or text[start - 2] in self._hard_stop):
            start -= 1  # 阿|土列尔村: a transliterated name one longer than the usual stem
        start = self._after_blockers(text, start, pos)
        if start is None:
            return None
        start = self._avoid_word_crossing(text, start, pos, suffix.min_stem)
        start = self._skip_leading(text, start, pos, suffix.min_stem)
        start = self._prefer_known_name(text, start, pos)
        length = pos - start
        if length < suffix.min_stem:
            return None
        if length == 1 and not self._single_ok(text, start, suffix):
            return None
        return start

    @cached_property
    def _blocker_re(self) -> re.Pattern[str]:
        return re.compile(alternation(self.rules.stem_blockers))

    def _after_blockers(self, text: str, start: int, pos: int) -> int | None:
        """``start`` moved past the blocker words in ``text[start:pos]`` (in rule order),
        or None when one ends the stem (贫困|村)."""
        if not self._blocker_re.search(text, start, pos):
            return start  # most stems hold none: one search instead of a find per blocker
        stem = text[start:pos]
        for blocker in self.rules.stem_blockers:
            cut = stem.rfind(blocker)
            if cut >= 0 and cut + len(blocker) == len(stem):
                return None
            if cut >= 0:
                start += cut + len(blocker)
                stem = text[start:pos]
        return start

    def _avoid_word_crossing(self, text: str, start: int, pos: int, min_stem: int) -> int:
        """Move ``start`` right while a common word straddles it."""
        words = boundary_words()
        while pos - start > min_stem:
            crossing = any(
                text[a:a + n] in words
                for n in (2, 3, 4)
                for a in range(max(0, start - n + 1), start)
                if a + n <= pos
            )
            if not crossing:
                break
            start += 1
        return start

    def _skip_leading(self, text: str, start: int, pos: int, min_stem: int) -> int:
        """Drop a leading conjunction or common word from an over-long stem."""
        while start < pos and text[start] in self.rules.initial_stop_chars:
            start += 1
        if pos - start > min_stem and text[start] in "年月日" and start and text[start - 1].isdigit():
            start += 1
        if self.rules.check_leading_words:
            words = common_words()
            for n in (3, 2):
                if pos - start - n >= min_stem and text[start:start + n] in words:
                    return start + n
            verbs = function_words()
            for n in (3, 2):
                if text[start:start + n] in verbs and n <= pos - start:
                    return start + n if pos - start - n >= min_stem else pos
        if pos - start == 1 and text[start] in self.rules.initial_stop_chars:
            return pos
        return start

    @staticmethod
    def _prefer_known_name(text: str, start: int, pos: int) -> int:
        """Cut an over-long stem to a known place name that ends it (组员兰州 → 兰州)."""
        known, words = known_place_names(), all_words()
        for a in range(start + 1, pos - 1):
            if text[a:pos] in known and text[start:a] in words:
                return a
        return start

    def _single_ok(self, text: str, start: int, suffix: PlaceSuffix) -> bool:
        if suffix.text not in self.rules.single_char_stem_suffixes:
            return False
        before = text[start - 1] if start else "\n"
        return not _CJK.match(before) or before in self._stop
