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
UNRECORDED = "title.unrecorded"  # the rule of a title whose head is listed with record: false
_TITLE_STOP = frozenset("的了在和与及或为是对把被将从向到于给以由等各每该本全我其此这那共有个多万亿元户人名第年月日号之并也都还又已再所让使而至赴去来经据如若当距近约、，。；：！？“”‘’《》（）()【】,.:;!?| \n\t省县市")


@dataclass
class TitleFinder:
    """Compiled title rules; call :meth:`find` with the text and its places."""

    rules: TitleRules

    @cached_property
    def _head_re(self) -> re.Pattern[str]:
        heads = alternation(h.text for h in self.rules.heads)  # none: nothing is a title
        # the optional modifier keeps the regex engine from skipping to a possible first
        # character by itself; the lookahead does that (a quarter of the search time)
        openers = sorted({w[0] for w in (*self.rules.modifiers, *(h.text for h in self.rules.heads))})
        guard = f"(?=[{''.join(map(re.escape, openers))}])" if openers else ""
        return re.compile(f"{guard}(?:{alternation(self.rules.modifiers)})?(?:{heads})")

    @cached_property
    def _head_level(self) -> dict[str, str | None]:
        return {h.text: h.level for h in self.rules.heads}

    @cached_property
    def _recorded(self) -> dict[str, bool]:
        return {h.text: h.record for h in self.rules.heads}

    @cached_property
    def _modifiers_longest_first(self) -> list[str]:
        return sorted(self.rules.modifiers, key=len, reverse=True)

    def _bare(self, head: str) -> str:
        """``head`` without a modifier written as its prefix (副县长 → 县长), not a set of characters."""
        for mod in self._modifiers_longest_first:
            if head.startswith(mod) and len(head) > len(mod):
                return head[len(mod):]
        return head

    def _is_recorded(self, head: str) -> bool:
        """The head as listed (第一书记), else without its modifier, is a post that is recorded."""
        got = self._recorded.get(head)
        return self._recorded.get(self._bare(head), True) if got is None else got

    @cached_property
    def _village_role(self) -> dict[str, bool]:
        return {h.text: h.village_role for h in self.rules.heads}

    @cached_property
    def _prefixes(self) -> tuple[str, ...]:
        return tuple(sorted(self.rules.org_prefixes, key=len, reverse=True))

    @cached_property
    def _org_name_words(self) -> tuple[str, ...]:
        return tuple(self.rules.org_name_words)

    @cached_property
    def _org_suffixes(self) -> list[str]:
        return sorted(self.rules.org_suffixes, key=len, reverse=True)

    def find(self, text: str, places: list[Mention]) -> list[Mention]:
        """Title mentions in ``text``; ``places`` bound how far a title grows."""
        place_ends = {p.end: p for p in places if not p.anaphor}
        out: list[Mention] = []
        for m in self._head_re.finditer(text):
            if self._inside_not_title(text, m.start(), m.end()):
                continue
            start = self._grow(text, m.start(), place_ends)
            start = self._apply_start_markers(text, start, m.end())
            start = self._take_former_marker(text, start, place_ends)
            if any(text.endswith(h, 0, start) for h in self.rules.honorary_markers):
                continue  # 名誉村主任: an honour, not a post (GUIDELINES)
            title = text[start:m.end()]
            rule = "title.lexicon" if self._is_recorded(m.group()) else UNRECORDED
            out.append(Mention(start, m.end(), "TITLE", title, rule, level=self._level_of(title, m.group())))
        return out

    def _inside_not_title(self, text: str, start: int, end: int) -> bool:
        """The head at [start, end) lies inside a listed non-title (书记处, 常委会, 主任科员);
        a non-title that only overlaps it (秘书 of 秘书长) does not count."""
        for bad in self.rules.not_titles:
            for b in range(max(0, end - len(bad)), start + 1):
                if text.startswith(bad, b):
                    return True
        return False

    def _grow(self, text: str, start: int, place_ends: dict[int, Mention]) -> int:
        while True:
            if start in place_ends:
                linked = self._linked_place_start(text, start, place_ends)
                if linked is None:
                    break
                start = linked  # 杭州市驻恩施州工作组: 驻恩施州 is inside the organisation
                continue
            prefix = next((p for p in self._prefixes if text.endswith(p, 0, start)), None) \
                if text.endswith(self._prefixes, 0, start) else None  # most starts have none
            org = self._open_org_start(text, start, place_ends)
            # the longer reading wins: 发展改革委 is an open name that ends in the closed word 委
            if prefix and (org is None or start - len(prefix) <= org):
                start -= len(prefix)
                continue
            if org is None:
                break
            start = org
        return self._take_level_char(text, start, place_ends)

    def _linked_place_start(self, text: str, start: int, place_ends: dict[int, Mention]) -> int | None:
        """Where 驻/对口 + place starts when the place before ``start`` is the organisation's
        partner (驻揭阳市, 对口凉山), not its unit; None otherwise."""
        place = place_ends[start]
        link = next((w for w in self.rules.org_place_links if text.startswith(w, place.start - len(w))), None)
        if link is None or start == place.start:
            return None
        before = place.start - len(link)
        if before in place_ends:  # the sending unit is named: 东莞市|驻揭阳市
            return before
        return before if before > 0 and _CJK.match(text[before - 1]) and text[before - 1] not in _TITLE_STOP \
            else None

    def _open_org_start(self, text: str, start: int, place_ends: dict[int, Mention]) -> int | None:
        suffix = next((s for s in self._org_suffixes if text.startswith(s, start - len(s))), None)
        if suffix is None:
            return None
        pos = start - len(suffix)
        limit = max(0, pos - self.rules.max_org_chars)
        while pos > limit and pos not in place_ends and _CJK.match(text[pos - 1]) \
                and (text[pos - 1] not in _TITLE_STOP or text.startswith(self._org_name_words, pos - 1)):
            pos -= 1  # a stop character may open a word of the name (股份经济合作社: 经济)
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

    def _take_former_marker(self, text: str, start: int, place_ends: dict[int, Mention]) -> int:
        """原 written before a grown title (，原村党支部书记 / X县原县委书记) marks a former post:
        the title takes it when 原 stands alone (after punctuation or a place), not as the
        end of a word (高原, 草原)."""
        if start == 0 or text[start - 1] != "原" or "原" not in self.rules.modifiers:
            return start
        before = start - 1
        if before == 0 or before in place_ends or not _CJK.match(text[before - 1]) or text[before - 1] in _TITLE_STOP:
            return before
        return start

    def _apply_start_markers(self, text: str, start: int, end: int) -> int:
        for marker in self.rules.start_markers:
            cut = text.find(marker, start, end)
            if cut > start:
                return cut
        return start

    def _level_of(self, title: str, head: str) -> str | None:
        word = next((w for w in self.rules.level_words if title.startswith(w)), None)
        if word is not None:
            return self.rules.level_words[word]
        if title[0] in self.rules.level_chars:
            return self.rules.level_chars[title[0]]
        bare = self._bare(head)
        level = self._head_level.get(bare) or self._head_level.get(head)
        if level:
            return level
        if any(marker in title for marker in self.rules.village_markers):
            return "村"
        if self._village_role.get(bare) or self._village_role.get(head):
            return "村"  # a village post (会计, 网格员, 队员) with no other level written
        return None
