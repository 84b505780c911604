"""Propose candidate rules from annotated articles.

Each proposer reads the gold facts of an article and the article text and
suggests entries for one family of :data:`~pipeline.learn.ruleset.FAMILIES`
(the title heads that end gold titles, the words written after gold names,
the nouns after gold counts …).  Proposals are generous on purpose: whether a
candidate is kept is decided by what it does to the records
(:mod:`pipeline.learn.learner`), not here.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..entities.lexicon import all_words
from ..numerals import numeral_reader
from ..rulefiles import alternation
from .ruleset import FAMILIES, RuleSet

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LEVEL_CHARS = "镇乡县区市村州省旗"
_VILLAGE = ("村", "社区", "居委会")
_PUNCT = "，,、（(：:；;"
_NOUN_STOP = set("的和及与或、在于对把被将让给向从为是有了着过共各其等带组，,。；;：:！？（）()“”")
_NUMERAL = re.compile(r"(?P<num>[0-9０-９][0-9０-９.,，]*|[零〇一二两三四五六七八九十百千]+)(?P<big>[万亿]*)"
                      r"(?P<approx>[多余]?)(?P<cls>个?)")
MAX_TITLE = 12


@dataclass
class Candidate:
    """A rule to try; ``with_`` are entries that only make sense together with it
    (the organisation prefix 党委 split off the head 书记 of 党委书记)."""

    family: str
    entry: object
    origins: set[str] = field(default_factory=set)
    with_: tuple[tuple[str, object], ...] = ()

    @property
    def text(self) -> str:
        return FAMILIES[self.family].text_of(self.entry)

    @property
    def additions(self) -> list[tuple[str, object]]:
        return [(self.family, self.entry), *self.with_]

    @property
    def label(self) -> str:
        return " + ".join(f"{f} {FAMILIES[f].text_of(e)!r}" for f, e in self.additions)


class Proposals:
    """Candidates keyed by (family, text); the same candidate from several articles merges."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.items: dict[tuple, Candidate] = {}

    def add(self, family: str, entry: object, origin: str,
            with_: tuple[tuple[str, object], ...] = ()) -> None:
        text = FAMILIES[family].text_of(entry)
        with_ = tuple((f, e) for f, e in with_ if not self.rules.has(f, FAMILIES[f].text_of(e)))
        if not text or (self.rules.has(family, text) and not with_):
            return
        key = (family, text, tuple((f, FAMILIES[f].text_of(e)) for f, e in with_))
        cand = self.items.setdefault(key, Candidate(family, entry, with_=with_))
        cand.origins.add(origin)

    def __iter__(self) -> Iterator[Candidate]:
        return iter(self.items.values())

    def __len__(self) -> int:
        return len(self.items)


def _occurrences(text: str, needle: str) -> Iterator[int]:
    if not needle:
        return
    i = text.find(needle)
    while i >= 0:
        yield i
        i = text.find(needle, i + 1)


def _is_word(s: str) -> bool:
    return s in all_words()


def _strip_level(title: str) -> str:
    core = title.lstrip(_LEVEL_CHARS)
    return core if len(core) >= 2 else title


def _head_entry(head: str, places: list[str | None]) -> dict:
    entry: dict = {"text": head}
    if len(head) == 2 and head[0] in _LEVEL_CHARS and head[1] == "长":
        entry["level"] = {"乡": "镇", "区": "县", "旗": "县", "州": "市"}.get(head[0], head[0])
    elif places and all(p and p.endswith(_VILLAGE) for p in places):
        entry["village_role"] = True
    return entry


def propose_titles(gold: list[dict], rules: RuleSet, out: Proposals) -> None:
    """Heads, organisation prefixes and modifiers of the gold titles."""
    places_by_head: dict[str, list[str | None]] = {}
    for doc in gold:
        for o in doc.get("officials") or []:
            title = (o.get("title") or "").strip()
            if not (2 <= len(title) <= MAX_TITLE) or not _CJK.search(title):
                continue
            core = _strip_level(title)
            for k in range(2, len(core) + 1):
                head = core[-k:]
                if _is_word(head) or head == core:
                    places_by_head.setdefault(head, []).append(o.get("place"))
    for doc in gold:
        did = str(doc["id"])
        for o in doc.get("officials") or []:
            title = (o.get("title") or "").strip()
            if not (2 <= len(title) <= MAX_TITLE):
                continue
            core = _strip_level(title)
            for k in range(2, len(core) + 1):
                head = core[-k:]
                if head in places_by_head:
                    out.add("title_head", _head_entry(head, places_by_head[head]), did)
                region = core[:-k]
                if not region:
                    continue
                mods = [region[-n:] for n in (1, 2, 3) if len(region) >= n and region[-n:].endswith("副")]
                mod = mods[0] if mods else None  # 副: the shortest, most general modifier
                head_entry = _head_entry(head, places_by_head.get(head, []))
                for m in mods:
                    out.add("title_modifier", m, did)
                if mod:
                    out.add("title_head", head_entry, did, with_=(("title_modifier", mod),))
                    region = region[:-len(mod)]
                head_known = rules.has("title_head", head)
                for n in range(1, min(len(region), 6) + 1):
                    prefix = region[-n:]
                    if not (_is_word(prefix) or prefix == region):
                        continue
                    if head_known:  # a prefix alone only matters before a head the rules have
                        out.add("title_prefix", prefix, did)
                    elif head in places_by_head:
                            extra = (("title_prefix", prefix),) + ((("title_modifier", mod),) if mod else ())
                            out.add("title_head", head_entry, did, with_=extra)


def propose_relation_patterns(gold: list[dict], rules: RuleSet, out: Proposals) -> None:
    """Separators and verbs around gold names, titles and places."""
    for doc in gold:
        did, text = str(doc["id"]), doc["text"]
        by_name: dict[str, list[dict]] = {}
        for o in doc.get("officials") or []:
            if o.get("name"):
                by_name.setdefault(o["name"], []).append(o)
        for name, posts in by_name.items():
            titles = {_strip_level((p.get("title") or "").strip()) for p in posts} - {""}
            for i in _occurrences(text, name):
                end = i + len(name)
                after = text[end:end + 2]
                if len(after) == 2 and _CJK.fullmatch(after[0]) and _CJK.fullmatch(after[1]) and _is_word(after):
                    out.add("speech_verb", after, did)
                window_before = text[max(0, i - 40):i]
                found = sorted((window_before.rfind(t), t) for t in titles if t in window_before)
                spans = [(p, p + len(t)) for p, t in found if p >= 0]
                for (s1, e1), (s2, _) in zip(spans, spans[1:]):
                    gap = window_before[e1:s2]
                    if 1 <= len(gap) <= 2:
                        out.add("chain_separator", gap, did)
                window_after = text[end:end + 24]
                for t in titles:
                    j = window_after.find(t)
                    if j <= 0:
                        continue
                    gap = window_after[:j]
                    if gap[0] in _PUNCT:
                        out.add("name_title_separator", gap[0], did)
                    elif len(gap) <= 3 and _CJK.fullmatch(gap[-1]) and all(_CJK.fullmatch(c) for c in gap):
                        out.add("appointment_verb", gap, did)
        for o in doc.get("officials") or []:
            place, title = o.get("place"), (o.get("title") or "").strip()
            if not place or not title:
                continue
            for i in _occurrences(text, place):
                rest = text[i + len(place):i + len(place) + 2 + len(title)]
                for n in (1, 2):
                    if rest[n:].startswith(title) or rest[n:].startswith(_strip_level(title)):
                        out.add("place_title_gap", rest[:n], did)


def propose_anaphora(gold: list[dict], rules: RuleSet, out: Proposals) -> None:
    """该镇 / 全村 / 镇里: a determiner and a place suffix, with the suffix's level."""
    suffixes = {s["text"]: s["level"] for s in rules.data["places.yaml"].get("suffixes", [])
                if len(s["text"]) <= 2}
    if not suffixes:
        return
    alt = alternation(suffixes)
    pattern = re.compile(f"(?:[该全本我此](?:{alt}))|(?:(?:{alt})[里内])")
    for doc in gold:
        for m in pattern.finditer(doc["text"]):
            s = m.group()
            suffix = s[1:] if s[0] in "该全本我此" else s[:-1]
            out.add("anaphor", {"text": s, "level": suffixes[suffix]}, str(doc["id"]))


def _numerals(text: str) -> Iterator[tuple[re.Match, Decimal]]:
    reader = numeral_reader()
    for m in _NUMERAL.finditer(text):
        try:
            value = reader.decimal(m.group("num").replace("，", ",") + m.group("big"))
        except (ValueError, InvalidOperation, ArithmeticError):
            continue
        yield m, value


def propose_number_cues(gold: list[dict], rules: RuleSet, out: Proposals) -> None:
    """Nouns after gold counts, and cue words before bare 万/亿 counts and amounts."""
    explicit = {"户", "人", "名", "口", "位", "元", "块"}
    for doc in gold:
        did, text = str(doc["id"]), doc["text"]
        counts = {}
        for c in doc.get("counts") or []:
            try:
                counts.setdefault(Decimal(str(c["value"])), c.get("unit"))
            except (KeyError, InvalidOperation, TypeError):
                continue
        amounts = set()
        for a in doc.get("amounts") or []:
            try:
                amounts.add(Decimal(str(a["value_yuan"])))
            except (KeyError, InvalidOperation, TypeError):
                continue
        for m, value in _numerals(text):
            after = text[m.end():m.end() + 8]
            if after[:1] in explicit:
                continue
            clause_start = max(text.rfind(c, 0, m.start()) for c in "，。；！？,;!?：:\n") + 1
            before = text[max(clause_start, m.start() - 16):m.start()]
            unit = counts.get(value)
            if unit in ("户", "人"):
                noun = ""
                for ch in after:
                    if ch in _NOUN_STOP or not _CJK.fullmatch(ch):
                        break
                    noun += ch
                for j in range(1, len(noun) + 1):
                    for n in (3, 2, 1):
                        head = noun[max(0, j - n):j]
                        if len(head) == n and (_is_word(head) or head == unit):
                            out.add("noun_head", {"head": head, "unit": unit}, did)
                if m.group("big"):
                    for n in (2, 3):
                        for k in range(max(0, len(before) - 4), len(before) - n + 1):
                            w = before[k:k + n]
                            if _is_word(w):
                                out.add("count_cue", {"text": w, "unit": unit}, did)
            if m.group("big") and value in amounts:
                for n in (2, 3):
                    for k in range(0, len(before) - n + 1):
                        w = before[k:k + n]
                        if _is_word(w):
                            out.add("money_cue", w, did)


def propose_negatives(gold: list[dict], records: dict[str, dict], rules: RuleSet, out: Proposals) -> None:
    """Names, places and titles the current rules extract and no annotator ever wrote."""
    gold_names = {o.get("name") for g in gold for o in g.get("officials") or []}
    gold_titles = {(o.get("title") or "").strip() for g in gold for o in g.get("officials") or []}
    gold_places = {f.get("place") for g in gold for k in ("officials", "counts", "amounts")
                   for f in g.get(k) or []}
    gold_by_id = {str(g["id"]): g for g in gold}
    for did, rec in records.items():
        g = gold_by_id.get(did)
        if g is None:
            continue
        article_names = {o.get("name") for o in g.get("officials") or []}
        for o in rec.get("officials") or []:
            name, title = o.get("name"), (o.get("title") or "").strip()
            if name and name not in article_names and name not in gold_names:
                out.add("not_name", name, did)
            if title and title not in gold_titles and _strip_level(title) not in gold_titles:
                out.add("not_title", title, did)
        for kind in ("officials", "counts", "amounts"):
            for f in rec.get(kind) or []:
                place = f.get("place")
                if place and place not in gold_places:
                    out.add("not_place", place, did)


def propose(gold: list[dict], rules: RuleSet, records: dict[str, dict] | None = None) -> Proposals:
    """Every candidate rule the annotated articles suggest, beyond those in ``rules``."""
    out = Proposals(rules)
    propose_titles(gold, rules, out)
    propose_relation_patterns(gold, rules, out)
    propose_anaphora(gold, rules, out)
    propose_number_cues(gold, rules, out)
    if records:
        propose_negatives(gold, records, rules, out)
    return out
