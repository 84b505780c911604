"""Find position titles (职务): [organisation …] [modifier] head.

A title is grown leftwards from its head over closed organisation words
(党委, 村委会, 人大常委会 …), open organisation names ending in an
organisation suffix (黔农农机专业合作社, 农技推广站), and one level
character (镇委书记, 县长).  It never grows into a place mention, except
for the shared level character of 月城镇委书记, where 镇 belongs to both
the place and the title.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .lexicon import TitleRules
from ..rulefiles import alternation
from .mention import Mention

_CJK = re.compile(r"[\u3400-\u9fff]")
_TITLE_STOP = frozenset("的了在和与及或为是对把被将从向到于给以由等各每该本全我其此这那共有个多万亿元户人名第年月日号之并也都还又已再所让使而至赴去来经据如若当距近约、，。；：！？“”‘’《》（）()【】,.:;!?| \n\t省县市")


@dataclass
class TitleFinder:
    """Compiled title rules; call :meth:`find` with the text and its places."""

    rules: TitleRules

    @cached_property
    def _head_re(self) -> re.Pattern[str]:
        heads = alternation(h.text for h in self.rules.heads)  # none: nothing is a title
        return re.compile(f"(?:{alternation(self.rules.modifiers)})?(?:{heads})")

    @cached_property
    def _head_level(self) -> dict[str, str | None]:
        return {h.text: h.level for h in self.rules.heads}

    @cached_property
    def _prefixes(self) -> list[str]:
        return sorted(self.rules.org_prefixes, key=len, reverse=True)

    @cached_property
    def _org_suffixes(self) -> list[str]:
        return sorted(self.rules.org_suffixes, key=len, reverse=True)

    def find(self, text: str, places: list[Mention]) -> list[Mention]:
        """Title mentions in ``text``; ``places`` bound how far a title grows."""
        place_ends = {p.end: p for p in places if not p.anaphor}
        out: list[Mention] = []
        for m in self._head_re.finditer(text):
            if any(text.startswith(bad, m.start() - i) for bad in self.rules.not_titles
                   for i in range(len(bad))):
                continue
            start = self._grow(text, m.start(), place_ends)
            start = self._apply_start_markers(text, start, m.end())
            title = text[start:m.end()]
            out.append(Mention(start, m.end(), "TITLE", title, "title.lexicon",
                               level=self._level_of(title, m.group())))
        return out

    def _grow(self, text: str, start: int, place_ends: dict[int, Mention]) -> int:
        while start not in place_ends:
            prefix = next((p for p in self._prefixes if text.startswith(p, start - len(p))), None)
            if prefix:
                start -= len(prefix)
                continue
            org = self._open_org_start(text, start, place_ends)
            if org is None:
                break
            start = org
        return self._take_level_char(text, start, place_ends)

    def _open_org_start(self, text: str, start: int, place_ends: dict[int, Mention]) -> int | None:
        suffix = next((s for s in self._org_suffixes if text.startswith(s, start - len(s))), None)
        if suffix is None:
            return None
        pos = start - len(suffix)
        limit = max(0, pos - self.rules.max_org_chars)
        while pos > limit and pos not in place_ends and _CJK.match(text[pos - 1]) \
                and text[pos - 1] not in _TITLE_STOP:
            pos -= 1
        if start - pos <= len(suffix) and len(suffix) == 1:
            return None
        return pos

    def _take_level_char(self, text: str, start: int, place_ends: dict[int, Mention]) -> int:
        if start == 0 or text[start - 1] not in self.rules.level_chars:
            return start
        if start in place_ends:
            # 月城镇委书记: the place's own level character opens the title.
            return start - 1 if text.startswith("委", start) else start
        return start - 1

    def _apply_start_markers(self, text: str, start: int, end: int) -> int:
        for marker in self.rules.start_markers:
            cut = text.find(marker, start, end)
            if cut > start:
                return cut
        return start

    def _level_of(self, title: str, head: str) -> str | None:
        if title[0] in self.rules.level_chars:
            return self.rules.level_chars[title[0]]
        bare = head.lstrip("".join(self.rules.modifiers))
        level = self._head_level.get(bare) or self._head_level.get(head)
        if level:
            return level
        if any(marker in title for marker in self.rules.village_markers):
            return "村"
        return None
