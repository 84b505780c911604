"""Features of a (fact, candidate place) pair.

Every feature is a float, most of them 0/1; a missing feature is 0.  Names
are stable strings: the model file stores them with its weights, so a model
trained before a feature was added still loads (the new feature weighs 0).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..evaluate import normalise_place
from ..quantities import Quantity
from ..scope import Resolution, ScopeIndex, is_framing
from .candidates import Candidate

LEVELS = "村镇县市省"
_CLAUSE = re.compile(r"[,，;；:：]")
_SUBJECT_AFTER = ("有", "共有", "现有", "累计", "投入", "共", "全", "辖", "已", "先后", "目前", "今年", "去年",
                  "完成", "争取", "获得", "筹集", "发放", "建成", "实现", "带动", "新增")
_LOCATIVE_BEFORE = ("位于", "地处", "距", "距离", "离", "地跨", "坐落于", "隶属")
_PARTNER_BEFORE = ("与", "同", "和", "跟", "及", "、")
_BORDER_AFTER = ("接壤", "毗邻", "相邻", "交界", "相连", "相望", "邻近")
_MOVE_BEFORE = ("从", "自", "来自", "赴", "到", "前往", "原")
RULE_HOWS = ("scope.same_sentence", "scope.recipient", "scope.focus", "scope.paragraph", "scope.section_header",
             "scope.article_title", "scope.topic", "scope.most_salient", "scope.most_recent",
             "scope.breadcrumb", "scope.bare_name", "scope.unresolved")


@dataclass
class FeatureContext:
    """What the features of one article read: text, scope and division links."""

    text: str
    scope: ScopeIndex
    links: dict[str, Any] = field(default_factory=dict)  # surface -> PlaceLink
    gazetteer: Any = None
    _chains: dict[str, frozenset[str]] = field(default_factory=dict)

    def chain(self, surface: str | None) -> tuple[str | None, frozenset[str]]:
        """(own code, codes of the division and everything above it) of a surface."""
        link = self.links.get(surface) if surface else None
        if link is None or self.gazetteer is None:
            return None, frozenset()
        base = link.code or link.parent_code
        if base is None:
            return None, frozenset()
        if base not in self._chains:
            self._chains[base] = frozenset([base, *(a.code for a in self.gazetteer.ancestors(base))])
        return link.code, self._chains[base]

    def contains(self, outer: Candidate, inner: Candidate) -> bool:
        """``outer`` is a division above ``inner`` (by the gazetteer)."""
        if outer.key is None or inner.key is None or outer.key == inner.key:
            return False
        oc, _ = self.chain(outer.place)
        ic, ichain = self.chain(inner.place)
        return oc is not None and oc != ic and oc in ichain


def _dist(d: int) -> float:
    return math.log1p(max(d, 0)) / 8.0


def _log_value(value: float) -> float:
    """log10 of the figure, capped (a run of digits can make it infinite)."""
    if not math.isfinite(value) or value >= 1e15:
        return 15.0
    return math.log10(max(value, 0) + 1)


def featurise(ctx: FeatureContext, q: Quantity, rule: Resolution, cands: list[Candidate]) -> list[dict[str, float]]:
    """One feature dict per candidate, in order."""
    text, scope = ctx.text, ctx.scope
    s_start, s_end = scope.sentence_at(q.start)
    para_start = text.rfind("\n", 0, q.start) + 1
    lv = _log_value(q.value)
    money = 1.0 if q.kind == "money" else 0.0
    anaphor_levels = {p.level for p in scope.places if p.anaphor and s_start <= p.start < q.start and p.level}
    rule_cand = next((c for c in cands if "rule" in c.sources), None)
    title_cands = [c for c in cands if "title" in c.sources]
    in_sentence = [c for c in cands if any(s_start <= m.start and m.end <= s_end for m in c.mentions)]
    n_total = max(len(text), 1)
    # the closest named place before the fact in its sentence
    before_sent = [(m.start, c.key) for c in cands for m in c.mentions if s_start <= m.start and m.end <= q.start]
    closest_key = max(before_sent)[1] if before_sent else None
    # the closest place before the fact in its sentence, anaphors (全县, 该村) resolved
    closest_any = closest_key
    anaphor_clause = False
    anaphors = [p for p in scope.places if p.anaphor and s_start <= p.start and p.end <= q.start]
    if anaphors and (not before_sent or anaphors[-1].start > max(before_sent)[0]):
        res = scope.resolve_mention(anaphors[-1])
        closest_any = normalise_place(res.place) if res.place else None
        anaphor_clause = not _CLAUSE.search(text[anaphors[-1].end:q.start])
    first_key = min(before_sent)[1] if before_sent else None
    out = []
    for c in cands:
        f: dict[str, float] = {"bias": 1.0}
        for s in c.sources:
            f[f"src.{s}"] = 1.0
        f["lv"] = lv
        f["money"] = money
        if c.key is None:
            f["none.lv"] = lv
            f["none.money"] = money
            if rule.place is None:
                f["none.rule"] = 1.0
            f["none.no_sentence_place"] = 0.0 if before_sent else 1.0
            out.append(f)
            continue
        f["named"] = 1.0 if c.mentions else 0.0
        if c is rule_cand:
            f["rule.how." + (rule.how if rule.how in RULE_HOWS else "other")] = 1.0
        before = [m for m in c.mentions if m.end <= q.start]
        after = [m for m in c.mentions if m.start >= q.end]
        f["n_mentions"] = math.log1p(len(c.mentions))
        if c.mentions:
            f["first_pos"] = min(m.start for m in c.mentions) / n_total
        if before:
            m = max(before, key=lambda m: m.start)
            f["has_before"] = 1.0
            f["dist_before"] = _dist(q.start - m.end)
            if m.start >= s_start:
                f["same_sentence_before"] = 1.0
                if not _CLAUSE.search(text[m.end:q.start]):
                    f["same_clause_before"] = 1.0
            if m.start >= para_start:
                f["same_paragraph_before"] = 1.0
            near = m
        else:
            near = None
        if after:
            m = min(after, key=lambda m: m.start)
            f["has_after"] = 1.0
            f["dist_after"] = _dist(m.start - q.end)
            if m.end <= s_end:
                f["same_sentence_after"] = 1.0
                if not _CLAUSE.search(text[q.end:m.start]):
                    f["same_clause_after"] = 1.0
            if near is None:
                near = m
        if c.key == closest_key:
            f["closest_in_sentence"] = 1.0
        if c.key == first_key:
            f["first_in_sentence"] = 1.0
        if closest_any is not None and c.key == closest_any:
            f["closest_with_anaphors"] = 1.0
            if closest_any != closest_key:
                f["anaphor_is_closest"] = 1.0
                if anaphor_clause:
                    f["anaphor_same_clause"] = 1.0
        if near is not None:
            pre = text[max(0, near.start - 4):near.start]
            post = text[near.end:near.end + 4]
            ns, _ = scope.sentence_at(near.start)
            if ns == s_start and (near.start - ns <= 2 or any(post.startswith(w) for w in _SUBJECT_AFTER)):
                f["subject"] = 1.0
            if any(pre.endswith(w) for w in _LOCATIVE_BEFORE):
                f["locative"] = 1.0
            if any(pre.endswith(w) for w in _MOVE_BEFORE):
                f["moved_from_to"] = 1.0
            if pre.endswith(_PARTNER_BEFORE):
                clause = re.split(r"[,，。;；]", text[near.end:near.end + 12], maxsplit=1)[0]
                if any(b in clause for b in _BORDER_AFTER):
                    f["partner"] = 1.0
            if scope.is_giver(near):
                f["giver"] = 1.0
            if scope.names_org(near):
                f["org"] = 1.0
            if is_framing(near):
                f["framing"] = 1.0
            if text[near.end:near.end + 1] in ("的",):
                f["possessive"] = 1.0
        if c.mention is not None and c.mention.level:
            lvl = c.mention.level
        else:
            lvl = next(iter(c.levels), None)
        if lvl in LEVELS:
            i = LEVELS.index(lvl)
            f[f"level.{lvl}"] = 1.0
            f[f"lv.level.{lvl}"] = lv
            f[f"money.level.{lvl}"] = money
            f["level_rank"] = i / 4.0
            if lvl in anaphor_levels:
                f["anaphor_level_match"] = 1.0
        if rule_cand is not None and rule_cand is not c:
            if ctx.contains(c, rule_cand):
                f["contains_rule"] = 1.0
            if ctx.contains(rule_cand, c):
                f["inside_rule"] = 1.0
        if any(ctx.contains(t, c) for t in title_cands):
            f["inside_title"] = 1.0
        if any(ctx.contains(c, o) for o in in_sentence if o is not c):
            f["parent_of_sentence_place"] = 1.0
        if any(ctx.contains(o, c) for o in in_sentence if o is not c):
            f["child_of_sentence_place"] = 1.0
        if ctx.links.get(c.place) is not None and ctx.links[c.place].code is not None:
            f["linked"] = 1.0
        out.append(f)
    return out
