"""Candidate places of one count or amount.

A candidate is a place as the scorer compares it (with or without its
suffix: 东平镇 = 东平), gathered from every way the article can name it:
named mentions anywhere in the text, anaphors of the fact's sentence
resolved by the scope (该镇, 全县), the section header, the title and
breadcrumb places, the article topic and the hand rules' choice.  The
"no place" option is always a candidate.

Most of that is the same for every fact of an article (the named places,
the title, the topic); :class:`ArticleCandidates` gathers it once and adds
per fact only what depends on the fact's position and the rules' choice.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..entities.mention import Mention
from ..evaluate import normalise_place
from ..quantities import Quantity
from ..scope import Resolution, ScopeIndex


@dataclass(slots=True)
class Candidate:
    """One place a fact may belong to (``place`` None: no place)."""

    place: str | None
    key: str | None
    mentions: list[Mention] = field(default_factory=list)  # in the body text, by start
    sources: set[str] = field(default_factory=set)
    levels: set[str] = field(default_factory=set)
    mention: Mention | None = None  # a mention to resolve with (body or title)
    starts: list[int] = field(default_factory=list)  # of the body mentions

    def add(self, source: str, mention: Mention | None) -> None:
        self.sources.add(source)
        if mention is not None:
            if self.mention is None:
                self.mention = mention
            if mention.level:
                self.levels.add(mention.level)

    def copy(self) -> Candidate:
        """A copy whose sources and levels can grow; the body mentions are shared."""
        return Candidate(self.place, self.key, self.mentions, set(self.sources), set(self.levels), self.mention,
                         self.starts)


@dataclass
class FactCandidates:
    """A fact, the hand rules' choice and the candidates with their features."""

    kind: str
    value: float
    unit: str
    start: int
    end: int
    rule: Resolution
    candidates: list[Candidate]
    features: list[dict[str, float]] = field(default_factory=list)


class ArticleCandidates:
    """The candidates of every fact of one article.

    ``named`` (body mentions, in order of first mention) and ``extras`` (title,
    breadcrumb and topic places not named in the body) are built once; a fact
    adds the anaphors of its sentence, its section header and the rules'
    choice.  The order is that of first appearance: no place, named places,
    the fact's anaphors and header, the article-level extras, the rules'
    place — ties between equal scores break the same way for every fact.
    """

    def __init__(self, scope: ScopeIndex) -> None:
        self.scope = scope
        by_key: dict[str, Candidate] = {}
        for p in scope.places:
            if p.anaphor:
                continue
            key = normalise_place(p.text)
            if key is None:
                continue
            c = by_key.get(key)
            if c is None:
                c = by_key[key] = Candidate(p.text, key)
            c.add("named", p)
            if p not in c.mentions:
                c.mentions.append(p)
        for c in by_key.values():
            c.mentions.sort(key=lambda m: m.start)
            c.starts = [m.start for m in c.mentions]
        self.named: list[Candidate] = list(by_key.values())
        self._named_index = {c.key: i for i, c in enumerate(self.named)}
        extras: dict[str, Candidate] = {}
        topic = scope.topic()
        self.topic = topic
        for source, mentions in (("title", scope.title_places), ("breadcrumb", scope.breadcrumb_places),
                                 ("topic", [topic] if topic is not None else [])):
            for p in mentions:
                key = normalise_place(p.text)
                if key is None:
                    continue
                c = by_key.get(key)
                if c is None:
                    c = by_key[key] = extras[key] = Candidate(p.text, key)
                c.add(source, p)
        self.extras: list[Candidate] = list(extras.values())
        self.by_key = by_key
        self.anaphors = sorted((p for p in scope.places if p.anaphor), key=lambda p: p.start)
        self._anaphor_starts = [p.start for p in self.anaphors]
        self._none = Candidate(None, None, sources={"none"})
        self._none_ruled = Candidate(None, None, sources={"none", "rule"})  # the rules placed the fact nowhere
        # every body mention, by start, with its candidate's key
        flat = sorted((m.start, m.end, c.key) for c in self.named for m in c.mentions)
        self.mention_spans = flat
        self._mention_starts = [s for s, _, _ in flat]

    def resolve(self, anaphor: Mention) -> Resolution:
        return self.scope.resolve_mention(anaphor)  # cached by the scope

    def anaphors_between(self, lo: int, hi: int) -> list[Mention]:
        """Anaphors starting in [lo, hi)."""
        i = bisect.bisect_left(self._anaphor_starts, lo)
        j = bisect.bisect_left(self._anaphor_starts, hi)
        return self.anaphors[i:j]

    def mentions_between(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """(start, end, key) of body mentions starting in [lo, hi)."""
        i = bisect.bisect_left(self._mention_starts, lo)
        j = bisect.bisect_left(self._mention_starts, hi)
        return self.mention_spans[i:j]

    def for_fact(self, q: Quantity, rule: Resolution) -> list[Candidate]:
        """The candidates of ``q``, the no-place option first."""
        changed: dict[str, Candidate] = {}
        new: dict[str, Candidate] = {}
        by_key = self.by_key

        def add(place: str | None, source: str, mention: Mention | None) -> None:
            key = normalise_place(place)
            if key is None:
                return
            c = changed.get(key) or new.get(key)
            if c is None:
                base = by_key.get(key)
                if base is None:
                    c = new[key] = Candidate(place, key)
                elif base.mentions:  # a named place
                    c = changed[key] = base.copy()
                else:  # an article-level extra first met here: it takes this position
                    c = new[key] = Candidate(place, key)
                    c.add(source, mention)
                    for s in base.sources:
                        c.sources.add(s)
                    c.levels |= base.levels
                    return
            c.add(source, mention)

        s_start, s_end = self.scope.sentence_at(q.start)
        for p in self.anaphors_between(s_start, s_end):
            res = self.resolve(p)
            if res.place is not None:
                add(res.place, "anaphor_before" if p.end <= q.start else "anaphor_after", res.mention)
        header = self.scope.section_place(q.start)
        if header is not None:
            add(header.text, "section", header)
        head = [changed.get(c.key, c) for c in self.named] if changed else self.named.copy()
        head.extend(new.values())
        if changed or new:
            extras = [changed.get(c.key, c) for c in self.extras if c.key not in new]
        else:
            extras = self.extras.copy()
        if rule.place is None:
            return [self._none_ruled, *head, *extras]  # shared: never changed
        rule_key = normalise_place(rule.place)
        tail: list[Candidate] = []
        where, i = head, self._named_index.get(rule_key)  # a named place keeps its position in head
        if i is None:
            got = new.get(rule_key)
            if got is None:
                where = extras
                i = next((i for i, c in enumerate(extras) if c.key == rule_key), None)
                got = extras[i] if i is not None else None
        else:
            got = head[i]
        if got is None:
            got = Candidate(rule.place, rule_key)
            tail.append(got)
        elif got is by_key.get(rule_key):  # still shared: copy before changing it
            got = where[i] = got.copy()
        got.add("rule", rule.mention)
        # the rules' surface is what the record writes when the ranker agrees
        got.place = rule.place
        return [self._none, *head, *extras, *tail]


def candidates_for(text: str, q: Quantity, scope: ScopeIndex, rule: Resolution) -> list[Candidate]:
    """The candidates of ``q``, the no-place option first (one-off: builds the article index)."""
    return ArticleCandidates(scope).for_fact(q, rule)
