"""Scope resolution: which place a position in the text is about.

Places are resolved from, in order of strength: a place written in the same
sentence before the position, an anaphor (该镇, 全村 …) matched to the level
it names, the section header that scopes the paragraph ("青禾镇:产业带动…"),
the article title, the discourse focus (the place of the previous fact), and
the breadcrumb of the page.
"""
from __future__ import annotations

import bisect
from collections import Counter
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .entities.mention import Mention

_SENT_END = re.compile(r"[。！？!?；;\n]+")
# what may stand before the place of a section header: brackets, quotes and an
# enumerator as reports number their sections (（一） 一、 1. 2）)
_HEADER = re.compile(r"^[\s【\[（(“\"]*(?:(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十\d]{1,3}[、.．)）])\s*)?$")
_FORMER = ("原", "现为")
_PARTNER = ("与", "同", "和", "跟", "及", "、")  # 东与X接壤: X is the neighbour
# a place after one of these, in the clause of a place before it, locates that place
_LOCATIVE = ("位于", "地处", "坐落于", "坐落在", "距离", "距", "地跨", "隶属", "属于", "是")
_BORDER_AFTER = ("接壤", "毗邻", "相邻", "交界", "相连", "相望", "隔河", "邻近")


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolved place: the name as written and how it was found."""

    place: str | None
    how: str
    mention: Mention | None = None


@dataclass
class ScopeIndex:
    """Sentences, sections and places of one text, with resolution methods."""

    text: str
    places: list[Mention]
    title_places: list[Mention] = field(default_factory=list)
    org_words: tuple[str, ...] = ()
    breadcrumb_places: list[Mention] = field(default_factory=list)
    giver_cues: tuple[str, ...] = ()
    giver_funds: tuple[str, ...] = ()
    receiving_verbs: tuple[str, ...] = ()
    sentences: list[tuple[int, int]] = field(default_factory=list)
    sections: list[tuple[int, Mention]] = field(default_factory=list)
    _named: list[Mention] = field(default_factory=list)
    _named_starts: list[int] = field(default_factory=list)
    _sent_starts: list[int] = field(default_factory=list)
    _section_starts: list[int] = field(default_factory=list)
    _attributable: list[Mention] = field(default_factory=list)
    _attributable_starts: list[int] = field(default_factory=list)
    _focus: list[tuple[int, Mention]] = field(default_factory=list)
    _bare: dict[str, Mention | None] = field(default_factory=dict)
    # is_giver / names_org depend only on the text after a place: asked once per
    # place, not once per (fact, candidate) by the attach features
    _memo: dict[tuple[str, int], bool] = field(default_factory=dict)
    _by_level: dict[str, tuple[list[Mention], list[int]]] = field(default_factory=dict)
    _counts: Counter | None = None
    _anaphors: dict[tuple[int, int], Resolution] = field(default_factory=dict)  # resolved, by span
    _same_sentence: dict[int, Resolution] = field(default_factory=dict)  # named places before facts, by start
    _last_sentence: tuple[int, int] = (0, 0)  # the sentence sentence_at found last (empty: none yet)

    @classmethod
    def build(cls, text: str, places: Sequence[Mention], *, title_places: Iterable[Mention] = (),
              breadcrumb_places: Iterable[Mention] = (), org_words: Iterable[str] = (),
              giver_cues: Iterable[str] = (), giver_funds: Iterable[str] = (),
              receiving_verbs: Iterable[str] = ()) -> ScopeIndex:
        index = cls(text, list(places), list(title_places), tuple(org_words), list(breadcrumb_places),
                    tuple(giver_cues), tuple(giver_funds), tuple(receiving_verbs))
        index.sentences = split_sentences(text)
        index._sent_starts = [s for s, _ in index.sentences]
        index._named = [p for p in index.places
                        if not p.anaphor and not _is_background(text, p) and not index.is_giver(p)
                        and not index.is_locator(p)]
        index._named_starts = [p.start for p in index._named]
        index.sections = find_sections(text, index._named)
        index._section_starts = [s for s, _ in index.sections]
        named = set(index._named)  # mentions are frozen: membership by value, as in the list
        index._attributable = [p for p in index.places
                               if p.anaphor or (p in named and not index.names_org(p) and not is_framing(p))]
        index._attributable_starts = [p.start for p in index._attributable]
        return index

    def sentence_at(self, pos: int) -> tuple[int, int]:
        """The (start, end) of the sentence holding ``pos``."""
        last = self._last_sentence  # facts and mentions are asked about in text order
        if last[0] <= pos < last[1]:
            return last
        i = bisect.bisect_right(self._sent_starts, pos) - 1
        got = self.sentences[i if i > 0 else 0] if self.sentences else (0, len(self.text))
        self._last_sentence = got
        return got

    def section_place(self, pos: int) -> Mention | None:
        """The header place of the section holding ``pos``."""
        i = bisect.bisect_right(self._section_starts, pos) - 1
        return self.sections[i][1] if i >= 0 else None

    def note_fact(self, pos: int, mention: Mention | None) -> None:
        """Record the place a fact at ``pos`` was assigned (the discourse focus)."""
        if mention is not None and mention.label == "PLACE":
            self._focus.append((pos, mention))

    def named_before(self, pos: int, lo: int = 0) -> list[Mention]:
        """Named places ending at or before ``pos`` and starting at or after ``lo``."""
        i = bisect.bisect_left(self._named_starts, pos)
        j = bisect.bisect_left(self._named_starts, lo, 0, i)
        return [p for p in self._named[j:i] if p.end <= pos]

    def _named_of_level_before(self, level: str, pos: int) -> list[Mention]:
        """``named_before(pos)`` of one level (indexed per level: asked for every fact)."""
        got = self._by_level.get(level)
        if got is None:
            ms = [p for p in self._named if p.level == level]
            got = self._by_level[level] = (ms, [p.start for p in ms])
        ms, starts = got
        return [p for p in ms[:bisect.bisect_left(starts, pos)] if p.end <= pos]

    def _named_counts(self) -> dict[str, int]:
        """How often each named place is written in the article."""
        if self._counts is None:
            self._counts = Counter(p.text for p in self._named)
        return self._counts

    def resolve_level(self, level: str, pos: int, suffix: str | None = None,
                      exclude: frozenset[str] = frozenset()) -> Resolution:
        """The place of ``level`` that a reference at ``pos`` (该镇, 镇长 …) means.

        With ``suffix``, a place written with that suffix matches too (市长 of
        楚雄市, a county-level city: the title names it by its suffix).
        ``exclude``: places the reference cannot mean (named for someone else).
        """
        if suffix is not None:
            res = self.resolve_level(level, pos, exclude=exclude)
            if res.place is not None:
                return res
            return self._resolve_suffix(suffix, pos)
        sent_start, _ = self.sentence_at(pos)
        same = [p for p in self.named_before(pos, sent_start) if p.level == level and p.text not in exclude]
        if same:
            return Resolution(same[-1].text, "scope.same_sentence", same[-1])
        header = self.section_place(pos)
        if header is not None and header.level == level and header.text not in exclude:
            return Resolution(header.text, "scope.section_header", header)
        for p in self.title_places:
            if p.level == level and p.text not in exclude:
                return Resolution(p.text, "scope.article_title", p)
        earlier = [p for p in self._named_of_level_before(level, pos) if p.text not in exclude]
        if earlier:
            counts = self._named_counts()
            best = max(reversed(earlier), key=lambda p: counts[p.text])
            return Resolution(best.text, "scope.most_salient", best)
        for p in self.breadcrumb_places:
            if p.level == level and p.text not in exclude:
                return Resolution(p.text, "scope.breadcrumb", p)
        bare = self.bare_place(level)
        if bare is not None and bare.text not in exclude:
            return Resolution(bare.text, "scope.bare_name", bare)
        return Resolution(None, "scope.unresolved")

    def _resolve_suffix(self, suffix: str, pos: int) -> Resolution:
        """The place written with ``suffix`` a reference at ``pos`` means: in its
        sentence, else in the title, else the most recent one before it."""
        sent_start, _ = self.sentence_at(pos)
        same = [p for p in self.named_before(pos, sent_start) if p.text.endswith(suffix)]
        if same:
            return Resolution(same[-1].text, "scope.same_sentence", same[-1])
        for p in self.title_places:
            if p.text.endswith(suffix):
                return Resolution(p.text, "scope.article_title", p)
        earlier = [p for p in self.named_before(pos) if p.text.endswith(suffix)]
        if earlier:
            return Resolution(earlier[-1].text, "scope.most_recent", earlier[-1])
        return Resolution(None, "scope.unresolved")

    def bare_place(self, level: str) -> Mention | None:
        """A known place written without suffix (通城 for 通城县), found lazily."""
        if level not in self._bare:
            self._bare[level] = self._find_bare(level)
        return self._bare[level]

    def _find_bare(self, level: str) -> Mention | None:
        """The first bare name of ``level`` that a character other than a suffix follows."""
        m = _bare_pattern(level).search(self.text)
        return Mention(m.start(), m.end(), "PLACE", m.group(), "place.bare_known", level=level) if m else None

    def resolve_mention(self, mention: Mention) -> Resolution:
        """A named place resolves to itself, an anaphor to the place it means."""
        if not mention.anaphor:
            return Resolution(mention.text, "scope.explicit", mention)
        assert mention.level is not None
        key = (mention.start, mention.end)  # what resolve_level reads never changes: resolve once
        got = self._anaphors.get(key)
        if got is None:
            got = self._anaphors[key] = self.resolve_level(mention.level, mention.start)
        return got

    def place_before_in_sentence(self, pos: int) -> Resolution | None:
        """The closest place (named or anaphor) before ``pos`` in its sentence; a named
        one resolves as ``scope.same_sentence``, an anaphor as it resolves (once per place:
        the facts of a sentence share it)."""
        sent_start, _ = self.sentence_at(pos)
        places = self._attributable
        for i in range(bisect.bisect_left(self._attributable_starts, pos) - 1, -1, -1):
            p = places[i]
            if p.start < sent_start:
                break
            if p.end <= pos:
                if p.anaphor:
                    return self.resolve_mention(p)
                got = self._same_sentence.get(p.start)
                if got is None or got.mention is not p:
                    got = self._same_sentence[p.start] = Resolution(p.text, "scope.same_sentence", p)
                return got
        return None

    def is_locator(self, p: Mention) -> bool:
        """True when the place only says where the sentence's subject lies: it stands
        in a 位于/地处/距 clause after another place (X村位于Y县南16公里处，有812户:
        the figures are X村's).  A clause with no place before it (该项目位于Y镇)
        keeps its place."""
        s_start, _ = self.sentence_at(p.start)
        clause_start = max(s_start, max(self.text.rfind(c, s_start, p.start) for c in "，,；;") + 1)
        head = self.text[clause_start:p.start]
        cue = max((head.rfind(c) for c in _LOCATIVE), default=-1)
        if cue < 0:
            return False
        cue += clause_start
        return any(q.end <= cue and q.start >= s_start and q is not p for q in self.places if not q.anaphor)

    def is_giver(self, p: Mention) -> bool:
        """True when the place is the giver of help (X区对口帮扶资金, X区落实东西部协作资金):
        the money is the receiver's."""
        key = ("giver", p.end)
        got = self._memo.get(key)
        if got is None:
            tail = self.text[p.end:p.end + 8]
            cues = self.giver_cues
            got = tail.startswith(cues) or (tail[:1] == "的" and tail.startswith(cues, 1))
            got = self._memo[key] = got or self._gives_funds(p)
        return got

    def _gives_funds(self, p: Mention) -> bool:
        """The place is the subject of its clause and the clause's money is help it gives:
        a giver word (协作资金, 援建, 捐赠) follows within the clause, with no other place
        and no receiving verb (获得, 争取) before it, and the place is not itself the
        object of 向/为/给."""
        if not self.giver_funds or self.text[max(0, p.start - 1):p.start] in _RECEIVER_MARKS:
            return False
        clause = _CLAUSE_BREAK.split(self.text[p.end:p.end + 16], maxsplit=1)[0]
        hits = [clause.find(w) for w in self.giver_funds if w in clause]
        if not hits:
            return False
        cue = min(hits)
        if any(v in clause[:cue] for v in self.receiving_verbs):
            return False
        return not any(p.end <= q.start < p.end + cue for q in self.places if q is not p)

    def names_org(self, p: Mention) -> bool:
        """True when the place opens an organisation name (中江县水利局)."""
        key = ("org", p.end)
        got = self._memo.get(key)
        if got is None:
            tail = re.split(r"[^\u4e00-\u9fff]", self.text[p.end:p.end + 12], maxsplit=1)[0]
            got = self._memo[key] = any(w in tail for w in self.org_words)
        return got

    def topic(self) -> Mention | None:
        """The most specific place named at least twice (the article's subject)."""
        counts: dict[str, list[Mention]] = {}
        for p in self._named:
            if not is_framing(p):
                counts.setdefault(p.text, []).append(p)
        order = "村镇县市省"
        cands = [ms for ms in counts.values() if len(ms) >= 2 and ms[0].level in order]
        if not cands:
            return None
        best = min(cands, key=lambda ms: (order.index(ms[0].level), -len(ms), ms[0].start))
        return best[0]

    def focus(self, pos: int) -> Resolution:
        """The place the discourse is about at ``pos`` when the sentence names none."""
        options: list[tuple[int, Resolution]] = []
        para_start = self.text.rfind("\n", 0, pos) + 1
        named = [p for p in self.named_before(pos, para_start) if not self.names_org(p) and not is_framing(p)]
        if named:
            options.append((named[-1].start, Resolution(named[-1].text, "scope.paragraph", named[-1])))
        facts = [f for f in self._focus if f[0] <= pos]
        if facts:
            options.append((facts[-1][0] - 1, Resolution(facts[-1][1].text, "scope.focus", facts[-1][1])))
        header = self.section_place(pos)
        if header is not None:
            options.append((header.start, Resolution(header.text, "scope.section_header", header)))
        if options:
            return max(options, key=lambda o: o[0])[1]
        topic = self.topic()
        if topic is not None:
            return Resolution(topic.text, "scope.topic", topic)
        if self.title_places:
            p = self.title_places[-1]
            return Resolution(p.text, "scope.article_title", p)
        earlier = self.named_before(pos)
        if earlier:
            return Resolution(earlier[-1].text, "scope.most_recent", earlier[-1])
        return Resolution(None, "scope.unresolved")


_CLAUSE_BREAK = re.compile(r"[,，。;；:：!！?？\n]")
_RECEIVER_MARKS = frozenset("向为给帮助对")


_BARE_SUFFIXES = {"县": "县区", "市": "市", "镇": "镇乡", "省": "省"}  # level -> the suffixes a bare name drops


def _bare_names(level: str) -> frozenset[str]:
    """Known place names of 2–3 characters that are also known with a suffix of ``level``
    (通城 beside 通城县): the names a text may write bare."""
    return _bare_names_by_level().get(level, frozenset())


@lru_cache(maxsize=1)
def _bare_names_by_level() -> dict[str, frozenset[str]]:
    """:func:`_bare_names` of every level, found in one pass over the known names."""
    from .entities.lexicon import known_place_names

    known = known_place_names()
    found: dict[str, set[str]] = {level: set() for level in _BARE_SUFFIXES}
    for w in known:
        if len(w) in (2, 3):
            for level, suffixes in _BARE_SUFFIXES.items():
                if any(w + s in known for s in suffixes):
                    found[level].add(w)
    return {level: frozenset(names) for level, names in found.items()}


@lru_cache(maxsize=8)
def _bare_pattern(level: str) -> re.Pattern[str]:
    """The bare names of ``level`` as one pattern, grouped by first character (so the
    regex engine skips the offsets no name starts at) and the longer name first at an
    offset; the name must be followed by a character that is not a suffix."""
    groups: dict[str, list[str]] = {}
    for w in _bare_names(level):
        groups.setdefault(w[0], []).append(w[1:])
    alts = [re.escape(first) + "(?:" + "|".join(map(re.escape, sorted(rests, key=lambda r: (-len(r), r)))) + ")"
            for first, rests in sorted(groups.items())]
    return re.compile("(?:" + "|".join(alts) + ")(?=[^省市县区镇乡村])" if alts else "(?!)")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets: split after 。！？；, and at line breaks."""
    return list(_sentences_of(text))


@lru_cache(maxsize=16)
def _sentences_of(text: str) -> tuple[tuple[int, int], ...]:
    """:func:`split_sentences`, kept for the last texts (the NER and scope stages split
    the same article; a string caches its hash, so the lookup is cheap)."""
    out = []
    start = 0
    for m in _SENT_END.finditer(text):
        if m.start() > start:
            out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return tuple(out)


def find_sections(text: str, named: Sequence[Mention]) -> list[tuple[int, Mention]]:
    """Section headers: a short line that opens with a place and a colon or bracket.

    "青禾镇:产业带动,稳步增收" scopes the following paragraphs until the next
    header.  Returns (section start offset, header place) pairs.
    """
    out = []
    for p in named:
        line_start = text.rfind("\n", 0, p.start) + 1
        if not _HEADER.match(text[line_start:p.start]):
            continue
        line_end = text.find("\n", p.end)
        line = text[line_start: len(text) if line_end < 0 else line_end]
        after = text[p.end:p.end + 1]
        if after in (":", "：") and len(line.strip()) <= 40:
            out.append((line_start, p))
        elif text[line_start:p.start].strip() in ("【", "[") :
            out.append((line_start, p))
    return out


def is_framing(p: Mention) -> bool:
    """A province written by its bare name (贵州, 新疆): it sets the scene, and local
    news writes a province its figures are about in full (贵州省) or as 全省."""
    return p.level == "省" and p.rule.startswith("place.gazetteer.") and not p.rule.endswith(".full")


def _is_background(text: str, p: Mention) -> bool:
    """Places that are not what the text is about: former names, neighbours."""
    before = text[max(0, p.start - 2):p.start]
    if any(before.endswith(f) for f in _FORMER):
        return True
    if not before.endswith(_PARTNER):
        return False
    after = text[p.end:p.end + 12]
    clause = re.split(r"[,，。;；]", after, maxsplit=1)[0]
    return any(b in clause for b in _BORDER_AFTER)
