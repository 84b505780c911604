"""Person-name candidates: a surname and one or two given-name characters.

Names are open class, so they are proposed only where the context says a
person is named: right after a title (镇长曾少生), before a speech verb
(孙悦海表示), or where a name already found recurs in the article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .lexicon import PersonRules, common_words
from ..rulefiles import alternation
from .mention import Mention

_CJK = re.compile(r"[\u4e00-\u9fff]")
NAME_GAP = " \u3000\"“”'‘’「」【】:：\t的"
# a transliterated name written in parts joined by a middle dot (艾尼瓦尔·买买提):
# the parts are read whole, whatever their first character
_DOTS = "·•‧・"
_DOTTED = re.compile(f"[\u4e00-\u9fff]{{1,8}}(?:[{_DOTS}][\u4e00-\u9fff]{{1,10}})+")
MAX_NAME_CHARS = 20


def skip_name_gap(text: str, pos: int) -> int:
    """Where a name after ``pos`` may start: past spaces, quotes, colons and 的 (主任：王某)."""
    while pos < len(text) and text[pos] in NAME_GAP:
        pos += 1
    return pos


@dataclass
class PersonFinder:
    """Compiled person rules."""

    rules: PersonRules

    @cached_property
    def _surnames(self) -> frozenset[str]:
        return frozenset(self.rules.surnames)

    @cached_property
    def _stop(self) -> frozenset[str]:
        return frozenset(self.rules.name_stop_chars)

    def trim(self, text: str, m: Mention) -> Mention:
        """``m`` without a last character that opens the next word (张兴再|次 → 张兴)."""
        floor = self.rules.name_tail_word_freq
        if not floor or m.end - m.start < 3:
            return m
        words = common_words(floor)
        if any(text[m.end - 1:m.end - 1 + n] in words for n in (2, 3, 4) if m.end - 1 + n <= len(text)):
            return Mention(m.start, m.end - 1, m.label, m.text[:-1], m.rule)
        return m

    @cached_property
    def speech_verbs(self) -> tuple[str, ...]:
        return tuple(self.rules.speech_verbs)

    @cached_property
    def _not_names(self) -> frozenset[str]:
        return frozenset(self.rules.not_names)

    @cached_property
    def _speech_re(self) -> re.Pattern[str]:
        verbs = alternation(self.rules.speech_verbs)
        return re.compile(f"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{{2,4}})(?={verbs})")

    @cached_property
    def _reporter_re(self) -> re.Pattern[str]:
        cues = alternation(self.rules.reporter_cues)
        return re.compile(f"(?:{cues})[\\s:：]*((?:[\u4e00-\u9fff]{{2,3}}[、\\s]*)+)")

    def name_at(self, text: str, pos: int, *, skip_gap: bool = True) -> Mention | None:
        """The person name starting at ``pos`` (after optional spaces/quotes), if any."""
        if skip_gap:
            pos = skip_name_gap(text, pos)
        dotted = self._dotted_at(text, pos)
        if dotted is not None:
            return dotted
        surname_len = 2 if text[pos:pos + 2] in self.rules.compound_surnames else 1
        if surname_len == 1 and text[pos:pos + 1] not in self._surnames:
            return None
        end = pos + surname_len
        for _ in range(2):
            if end < len(text) and _CJK.match(text[end]) and text[end] not in self._stop:
                end += 1
            else:
                break
        if end - pos - surname_len < 1:
            return None
        name = text[pos:end]
        if name in self._not_names or name[:2] in self._not_names or name[-1] in "省市县区镇乡村":
            return None
        if any(ch in "省市县区" for ch in name[surname_len:]):
            return None  # 宾阳县六龙村 holds no name 阳县六: these never sit inside a given name
        floor = self.rules.word_not_name_freq
        if floor and len(name) == 2 and name in common_words(floor):
            return None  # 门槛, 管理: a frequent word the dictionary does not tag as a name
        return self.trim(text, Mention(pos, end, "PERSON", name, "person.after_title"))

    def _dotted_at(self, text: str, pos: int) -> Mention | None:
        """A name in dotted parts starting at ``pos`` (艾尼瓦尔·买买提表示 → 艾尼瓦尔·买买提).

        The last part runs on into the text, so it ends where a speech verb or a
        frequent word (``word_not_name_freq``) starts, at its third character or later."""
        m = _DOTTED.match(text, pos)
        if m is None:
            return None
        end = m.end()
        last = max(text.rfind(d, pos, end) for d in _DOTS) + 1
        words = common_words(self.rules.word_not_name_freq or 100)
        for i in range(last + 2, end):
            if text.startswith(self.speech_verbs, i) or any(text[i:i + n] in words for n in (2, 3, 4)):
                end = i
                break
        if end - pos > MAX_NAME_CHARS:
            return None
        return Mention(pos, end, "PERSON", text[pos:end], "person.after_title")

    def name_ending_at(self, text: str, end: int, *, boundary: bool = True) -> Mention | None:
        """A name that ends at ``end`` (郑卫平|,咸宁市…), tried as 3 then 2 characters.

        With ``boundary`` a name must start after a stop character or a non-Chinese
        one; without, it may follow any word (贯彻习近平|总书记)."""
        for length in (3, 2):
            start = end - length
            if start < 0:
                continue
            if boundary and start > 0 and _CJK.match(text[start - 1]) and text[start - 1] not in self._stop:
                continue
            m = self.name_at(text, start, skip_gap=False)
            if m is not None and m.end == end:
                return Mention(m.start, m.end, "PERSON", m.text, "person.before_title")
        return None

    def speakers(self, text: str) -> list[Mention]:
        """Names directly followed by a speech verb (孙悦海表示)."""
        out = []
        for m in self._speech_re.finditer(text):
            chunk = m.group(1)
            for offset in range(len(chunk) - 1):
                cand = self.name_at(text, m.start(1) + offset, skip_gap=False)
                if cand is not None and cand.end == m.end(1):
                    out.append(Mention(cand.start, cand.end, "PERSON", cand.text, "person.speaker"))
                    break
        return out

    def reporters(self, text: str) -> set[str]:
        """Names written after reporter cues (记者 张三 李四)."""
        names: set[str] = set()
        for m in self._reporter_re.finditer(text):
            for part in re.split(r"[、\s]+", m.group(1)):
                if 2 <= len(part) <= 3 and (part[0] in self._surnames or part[:2] in self.rules.compound_surnames):
                    names.add(part)
        return names

