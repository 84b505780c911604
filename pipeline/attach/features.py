"""Features of a (fact, candidate place) pair.

Every feature is a float, most of them 0/1; a missing feature is 0.  Names
are stable strings: the model file stores them with its weights, so a model
trained before a feature was added still loads (the new feature weighs 0).
"""
from __future__ import annotations

import bisect
import math
import re
from math import log1p
from dataclasses import dataclass, field
from typing import Any

from ..entities.mention import Mention
from ..evaluate import normalise_place
from ..quantities import Quantity
from ..scope import Resolution, ScopeIndex, is_framing
from .candidates import ArticleCandidates, Candidate

LEVELS = "村镇县市省"
_CLAUSE = re.compile(r"[,，;；:：]")
_SUBJECT_AFTER = ("有", "共有", "现有", "累计", "投入", "共", "全", "辖", "已", "先后", "目前", "今年", "去年",
                  "完成", "争取", "获得", "筹集", "发放", "建成", "实现", "带动", "新增")
_LOCATIVE_BEFORE = ("位于", "地处", "距", "距离", "离", "地跨", "坐落于", "隶属")
_PARTNER_BEFORE = ("与", "同", "和", "跟", "及", "、")
_BORDER_AFTER = ("接壤", "毗邻", "相邻", "交界", "相连", "相望", "邻近")
# a place after one of these in its clause is what the clause says of its subject
# (X村位于Y县, X组隶属于Y乡Z村, X村是Y村), not the subject a figure is about
_PREDICATE_CUES = ("位于", "地处", "坐落", "隶属", "属于", "是", "地跨", "距", "紧邻")
_PARTNER_IN_CLAUSE = ("与", "同", "跟", "和")
_CLAUSE_CHARS = ",，;；:：。"
_MOVE_BEFORE = ("从", "自", "来自", "赴", "到", "前往", "原")
RULE_HOWS = ("scope.same_sentence", "scope.recipient", "scope.focus", "scope.paragraph", "scope.section_header",
             "scope.article_title", "scope.topic", "scope.most_salient", "scope.most_recent",
             "scope.breadcrumb", "scope.bare_name", "scope.common_parent", "scope.unresolved")


@dataclass
class FeatureContext:
    """What the features of one article read: text, scope and division links."""

    text: str
    scope: ScopeIndex
    links: dict[str, Any] = field(default_factory=dict)  # surface -> PlaceLink
    gazetteer: Any = None
    article: ArticleCandidates | None = None  # built on first use
    # caches of one article: chains by code and by surface, containment by surfaces,
    # cue words by mention, fact-free features by key (copies: by place, sources and
    # level; no-place options: by id), each sentence's places by its start
    _chains: dict[str, frozenset[str]] = field(default_factory=dict)
    _contains: dict[tuple, bool] = field(default_factory=dict)
    _cues: dict[int, tuple] = field(default_factory=dict)
    _static: dict[str, tuple] = field(default_factory=dict)
    _static_copies: dict[tuple, tuple] = field(default_factory=dict)
    _static_none: dict[int, tuple[Candidate, dict]] = field(default_factory=dict)  # by id: no-place options
    _by_surface: dict[str | None, tuple[str | None, frozenset[str]]] = field(default_factory=dict)
    _sentences: dict[int, tuple] = field(default_factory=dict)

    def chain(self, surface: str | None) -> tuple[str | None, frozenset[str]]:
        """(own code, codes of the division and everything above it) of a surface."""
        got = self._by_surface.get(surface)
        if got is None:
            got = self._by_surface[surface] = self._chain(surface)
        return got

    def _chain(self, surface: str | None) -> tuple[str | None, frozenset[str]]:
        link = self.links.get(surface) if surface else None
        if link is None or self.gazetteer is None:
            return None, frozenset()
        base = link.code or link.parent_code
        if base is None:
            return None, frozenset()
        if base not in self._chains:
            self._chains[base] = frozenset([base, *(a.code for a in self.gazetteer.ancestors(base))])
        return link.code, self._chains[base]

    def sentence(self, pos: int) -> tuple[int, int, frozenset[str], list[Mention], list[tuple[int, int, str]]]:
        """(start, end, keys of the places named in it, its anaphors, its mentions) of the
        sentence holding ``pos``; built once per sentence."""
        s_start, s_end = self.scope.sentence_at(pos)
        got = self._sentences.get(s_start)
        if got is None:
            article = self.article
            mentions = article.mentions_between(s_start, s_end)
            keys = frozenset(k for _, e, k in mentions if e <= s_end)
            got = self._sentences[s_start] = (s_start, s_end, keys, article.anaphors_between(s_start, s_end),
                                              mentions)
        return got

    def contains(self, outer: Candidate, inner: Candidate) -> bool:
        """``outer`` is a division above ``inner`` (by the gazetteer)."""
        if outer.key is None or inner.key is None or outer.key == inner.key:
            return False
        key = (outer.place, inner.place)
        got = self._contains.get(key)
        if got is None:
            oc, _ = self.chain(outer.place)
            ic, ichain = self.chain(inner.place)
            got = self._contains[key] = oc is not None and oc != ic and oc in ichain
        return got



def _log_value(value: float) -> float:
    """log10 of the figure, capped (a run of digits can make it infinite)."""
    if not math.isfinite(value) or value >= 1e15:
        return 15.0
    return math.log10(max(value, 0) + 1)


def _level(c: Candidate) -> str | None:
    """The candidate's level: its first mention's, else the most specific one met (村 … 省)."""
    if c.mention is not None and c.mention.level:
        lvl = c.mention.level
    else:
        lvl = next((x for x in LEVELS if x in c.levels), None)
    return lvl if lvl is not None and lvl in LEVELS else None


_LEVEL_NAMES = {x: (f"lv.level.{x}", f"money.level.{x}") for x in LEVELS}


def _candidate_features(ctx: FeatureContext, c: Candidate,
                        title_cands: list[Candidate]) -> tuple[dict, str | None, str | None, str | None]:
    """Features of a candidate that do not depend on the fact, its level and the names of
    the level's value features."""
    f: dict[str, float] = {"bias": 1.0}
    for s in c.sources:
        f[f"src.{s}"] = 1.0
    f["named"] = 1.0 if c.mentions else 0.0
    f["n_mentions"] = math.log1p(len(c.mentions))
    if c.mentions:
        f["first_pos"] = c.mentions[0].start / max(len(ctx.text), 1)
    lvl = _level(c)
    if lvl is not None:
        f[f"level.{lvl}"] = 1.0
        f["level_rank"] = LEVELS.index(lvl) / 4.0
    else:
        lvl = None
    if any(ctx.contains(t, c) for t in title_cands):
        f["inside_title"] = 1.0
    link = ctx.links.get(c.place)
    if link is not None and link.code is not None:
        f["linked"] = 1.0
    lv_name, money_name = _LEVEL_NAMES[lvl] if lvl is not None else (None, None)
    return f, lvl, lv_name, money_name


def _mention_cues(ctx: FeatureContext, m: Mention) -> tuple[dict[str, float], int, bool]:
    """Cue features of the words around a mention, its sentence start, and whether it opens a subject."""
    key = id(m)  # mentions live as long as the article's context
    got = ctx._cues.get(key)
    if got is not None:
        return got
    text, scope = ctx.text, ctx.scope
    f: dict[str, float] = {}
    pre = text[max(0, m.start - 4):m.start]
    post = text[m.end:m.end + 4]
    ns, _ = scope.sentence_at(m.start)
    subject = m.start - ns <= 2 or post.startswith(_SUBJECT_AFTER)
    if pre.endswith(_LOCATIVE_BEFORE):
        f["locative"] = 1.0
    if pre.endswith(_MOVE_BEFORE):
        f["moved_from_to"] = 1.0
    # the clause up to the mention (at most 30 characters back, within the sentence)
    lo = max(ns, m.start - 30)
    before = text[lo:m.start]
    before = before[max(before.rfind(c) for c in _CLAUSE_CHARS) + 1:]
    if any(c in before for c in _PREDICATE_CUES):
        f["predicate"] = 1.0
    if pre.endswith(_PARTNER_BEFORE) or any(c in before for c in _PARTNER_IN_CLAUSE):
        clause = re.split(r"[,，。;；]", text[m.end:m.end + 12], maxsplit=1)[0]
        if any(b in clause for b in _BORDER_AFTER):
            f["partner"] = 1.0
    if scope.is_giver(m):
        f["giver"] = 1.0
    if scope.names_org(m):
        f["org"] = 1.0
    if is_framing(m):
        f["framing"] = 1.0
    if text[m.end:m.end + 1] == "的":
        f["possessive"] = 1.0
    got = ctx._cues[key] = (f, ns, subject)
    return got


def featurise(ctx: FeatureContext, q: Quantity, rule: Resolution, cands: list[Candidate]) -> list[dict[str, float]]:
    """One feature dict per candidate, in order."""
    return [{**a, **b} for a, b in zip(*featurise_parts(ctx, q, rule, cands))]


def featurise_parts(ctx: FeatureContext, q: Quantity, rule: Resolution,
                    cands: list[Candidate]) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """The features of each candidate in two parts: its own and the fact's.

    The first part does not depend on the fact: for the article-level
    candidate objects it is the same dict for every fact (a scorer may cache
    its score by ``id``); the second holds what depends on the fact.
    """
    text, scope = ctx.text, ctx.scope
    article = ctx.article
    if article is None or article.scope is not scope:
        article = ctx.article = ArticleCandidates(scope)
    qs, qe = q.start, q.end
    s_start, s_end, sentence_keys, sent_anaphors, sent_mentions = ctx.sentence(qs)
    para_start = text.rfind("\n", 0, qs) + 1
    lv = _log_value(q.value)
    money = 1.0 if q.kind == "money" else 0.0
    anaphors = [p for p in sent_anaphors if p.start < qs]
    anaphor_levels = {p.level for p in anaphors if p.level}
    anaphors = [p for p in anaphors if p.end <= qs]
    rule_cand = None
    for c in cands:
        if "rule" in c.sources:
            rule_cand = c
            break
    chain_of = ctx.chain
    # containment with the sentence's places: code -> (key, own code) of the sentence places
    # whose chain holds it (by_chain) or whose own code it is (by_code)
    by_chain: dict[str, list[tuple[str, str | None]]] = {}
    by_code: dict[str, list[tuple[str, str | None]]] = {}
    if sentence_keys:
        for o in cands:
            if o.key in sentence_keys:
                own, chain = chain_of(o.place)
                if own is not None:
                    by_code.setdefault(own, []).append((o.key, own))
                for a in chain:
                    by_chain.setdefault(a, []).append((o.key, own))
    # the closest named place before the fact in its sentence, and the first
    before_sent = [(s, k) for s, e, k in sent_mentions if s < qs and e <= qs]
    closest_key = first_key = None
    if before_sent:
        closest = max(before_sent)
        closest_key = closest[1]
        first_key = min(before_sent)[1]
    # the closest place before the fact in its sentence, anaphors (全县, 该村) resolved
    closest_any = closest_key
    anaphor_clause = False
    if anaphors and (not before_sent or anaphors[-1].start > closest[0]):
        res = article.resolve(anaphors[-1])
        closest_any = normalise_place(res.place) if res.place else None
        anaphor_clause = not _CLAUSE.search(text, anaphors[-1].end, qs)
    rule_own, rule_chain = chain_of(rule_cand.place) if rule_cand is not None else (None, frozenset())
    by_key, own_cache, copy_cache, cues_cache = article.by_key, ctx._static, ctx._static_copies, ctx._cues
    none_cache = ctx._static_none
    title_cands: list[Candidate] | None = None  # only a candidate first met needs them
    statics: list[dict[str, float]] = []
    out: list[dict[str, float]] = []
    for c in cands:
        f: dict[str, float] = {}  # the figure itself (lv, money) only weighs in through a level or none
        key = c.key
        if key is None:
            static = none_cache.get(id(c))
            if static is None or static[0] is not c:
                static = none_cache[id(c)] = (c, {"bias": 1.0, **{f"src.{s}": 1.0 for s in c.sources}})
            statics.append(static[1])
            f["none.lv"] = lv
            f["none.money"] = money
            if rule.place is None:
                f["none.rule"] = 1.0
            f["none.no_sentence_place"] = 0.0 if before_sent else 1.0
            out.append(f)
            continue
        if by_key.get(key) is c:  # the article-level object: the same part for every fact
            got = own_cache.get(key)
            if got is None:
                if title_cands is None:
                    title_cands = [t for t in cands if "title" in t.sources]
                got = own_cache[key] = _candidate_features(ctx, c, title_cands)
        else:  # a per-fact copy (more sources, maybe the rules' surface)
            k = (c.place, frozenset(c.sources), _level(c))
            got = copy_cache.get(k)
            if got is None:
                if title_cands is None:
                    title_cands = [t for t in cands if "title" in t.sources]
                got = copy_cache[k] = _candidate_features(ctx, c, title_cands)
        static, lvl, lv_name, money_name = got
        statics.append(static)
        if lvl is not None:
            f[lv_name] = lv
            f[money_name] = money
            if lvl in anaphor_levels:
                f["anaphor_level_match"] = 1.0
        if c is rule_cand:
            f["rule.how." + (rule.how if rule.how in RULE_HOWS else "other")] = 1.0
        ms = c.mentions
        near = None
        if ms:
            starts = c.starts
            i = bisect.bisect_left(starts, qs)  # mentions before i start before the fact
            b = i - 1
            while b >= 0 and ms[b].end > qs:
                b -= 1
            if b >= 0:
                m = ms[b]
                f["has_before"] = 1.0
                f["dist_before"] = log1p(qs - m.end) / 8.0  # the mention ends before the fact
                if m.start >= s_start:
                    f["same_sentence_before"] = 1.0
                    if not _CLAUSE.search(text, m.end, qs):
                        f["same_clause_before"] = 1.0
                if m.start >= para_start:
                    f["same_paragraph_before"] = 1.0
                near = m
            a = bisect.bisect_left(starts, qe, i)
            if a < len(ms):
                m = ms[a]
                f["has_after"] = 1.0
                f["dist_after"] = log1p(m.start - qe) / 8.0
                if m.end <= s_end:
                    f["same_sentence_after"] = 1.0
                    if not _CLAUSE.search(text, qe, m.start):
                        f["same_clause_after"] = 1.0
                if near is None:
                    near = m
        if key == closest_key:
            f["closest_in_sentence"] = 1.0
        if key == first_key:
            f["first_in_sentence"] = 1.0
        if closest_any is not None and key == closest_any:
            f["closest_with_anaphors"] = 1.0
            if closest_any != closest_key:
                f["anaphor_is_closest"] = 1.0
                if anaphor_clause:
                    f["anaphor_same_clause"] = 1.0
        if near is not None:
            got = cues_cache.get(id(near))
            cues, ns, subject = got if got is not None else _mention_cues(ctx, near)
            if subject and ns == s_start:
                f["subject"] = 1.0
            if cues:
                f.update(cues)
        if rule_chain and rule_cand is not c:  # as ctx.contains, with the rules' chain looked up once
            own, chain = chain_of(c.place)
            if own is not None and own != rule_own and own in rule_chain:
                f["contains_rule"] = 1.0
            if rule_own is not None and rule_own != own and rule_own in chain:
                f["inside_rule"] = 1.0
        if by_chain or by_code:
            own, chain = chain_of(c.place)
            if own is not None and any(k != key and o != own for k, o in by_chain.get(own, ())):
                f["parent_of_sentence_place"] = 1.0
            if any(k != key and o != own for a in chain for k, o in by_code.get(a, ())):
                f["child_of_sentence_place"] = 1.0
        out.append(f)
    return statics, out
