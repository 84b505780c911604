"""Candidate places of one count or amount.

A candidate is a place as the scorer compares it (with or without its
suffix: 东平镇 = 东平), gathered from every way the article can name it:
named mentions anywhere in the text, anaphors of the fact's sentence
resolved by the scope (该镇, 全县), the section header, the title and
breadcrumb places, the article topic and the hand rules' choice.  The
"no place" option is always a candidate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..entities.mention import Mention
from ..evaluate import normalise_place
from ..quantities import Quantity
from ..scope import Resolution, ScopeIndex


@dataclass
class Candidate:
    """One place a fact may belong to (``place`` None: no place)."""

    place: str | None
    key: str | None
    mentions: list[Mention] = field(default_factory=list)  # in the body text
    sources: set[str] = field(default_factory=set)
    levels: set[str] = field(default_factory=set)
    mention: Mention | None = None  # a mention to resolve with (body or title)


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


def candidates_for(text: str, q: Quantity, scope: ScopeIndex, rule: Resolution) -> list[Candidate]:
    """The candidates of ``q``, the no-place option first."""
    by_key: dict[str | None, Candidate] = {None: Candidate(None, None, sources={"none"})}

    def add(place: str | None, source: str, mention: Mention | None = None, body: bool = False) -> None:
        key = normalise_place(place)
        if key is None:
            return
        c = by_key.get(key)
        if c is None:
            c = by_key[key] = Candidate(place, key, mention=mention)
        c.sources.add(source)
        if mention is not None:
            if c.mention is None:
                c.mention = mention
            if mention.level:
                c.levels.add(mention.level)
            if body and mention not in c.mentions:
                c.mentions.append(mention)

    for p in scope.places:
        if not p.anaphor:
            add(p.text, "named", p, body=True)
    s_start, s_end = scope.sentence_at(q.start)
    for p in scope.places:
        if p.anaphor and s_start <= p.start < s_end:
            res = scope.resolve_mention(p)
            if res.place is not None:
                add(res.place, "anaphor_before" if p.end <= q.start else "anaphor_after", res.mention)
    header = scope.section_place(q.start)
    if header is not None:
        add(header.text, "section", header)
    for p in scope.title_places:
        add(p.text, "title", p)
    for p in scope.breadcrumb_places:
        add(p.text, "breadcrumb", p)
    topic = scope.topic()
    if topic is not None:
        add(topic.text, "topic", topic)
    if rule.place is None:
        by_key[None].sources.add("rule")
    else:
        add(rule.place, "rule", rule.mention)
        # the rules' surface is what the record writes when the ranker agrees
        by_key[normalise_place(rule.place)].place = rule.place
    return list(by_key.values())
