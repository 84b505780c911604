"""Bootstrapping new position heads from unannotated text (Snowball-style).

Round by round:

1. extract officials from the corpus with the current rules; those whose
   evidence confidence reaches ``min_tuple_confidence`` are the seeds;
2. every seed gives a *pattern*: the two characters after its name (表示,
   介绍, ``，在``);
3. a pattern is matched over the corpus as ``L <2–8 Chinese characters> NAME R``
   with L a place-suffix character or punctuation and NAME a surname-led name.  Where the characters before the name end
   with a known head the match is positive, where they end with a known
   non-title it is negative: pattern confidence = P / (P + N);
4. matches that end in no known head propose their final word as a new head;
   its confidence is 1 − Π(1 − conf(pattern)) over the patterns that found
   it, damped by ``damping ** round``; heads seen with enough distinct names
   and confidence are added (and, when annotated articles are given, only if
   they do not lower F1 on them);
5. repeat until a round adds nothing.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .. import api
from ..entities.lexicon import all_words
from .harness import Harness
from .ruleset import FAMILIES, LearnedRule, RuleSet


@dataclass(frozen=True)
class BootstrapSettings:
    min_tuple_confidence: float = 0.5
    min_pattern_confidence: float = 0.6
    min_confidence: float = 0.7
    min_names: int = 2
    max_rounds: int = 4
    damping: float = 0.9


@dataclass
class BootstrapRound:
    round: int
    seeds: int
    patterns: int
    added: list[LearnedRule]


def bootstrap(texts: Sequence[str], rules: RuleSet, settings: BootstrapSettings = BootstrapSettings(), *,
              gold: Sequence[dict] | None = None,
              log: Callable[[str], None] = lambda s: None) -> tuple[RuleSet, list[BootstrapRound]]:
    current = rules.copy()
    rounds: list[BootstrapRound] = []
    harness = Harness(gold) if gold else None
    try:
        for r in range(settings.max_rounds):
            seeds = _seeds(texts, current, settings)
            patterns = _patterns(seeds, texts)
            scored = _score_patterns(patterns, texts, current)
            good = {p: c for p, c in scored.items() if c >= settings.min_pattern_confidence}
            heads = _new_heads(good, texts, current, settings, r)
            added: list[LearnedRule] = []
            for head, (conf, names, examples) in sorted(heads.items(), key=lambda kv: -kv[1][0]):
                entry = {"text": head}
                if harness is not None:
                    before, after = harness.run(current), harness.run(current.with_entries([("title_head", entry)]))
                    if after.f1() < before.f1():
                        log(f"round {r}: head {head!r} rejected: lowers F1 on the annotated articles")
                        continue
                fam = FAMILIES["title_head"]
                rule = LearnedRule(family="title_head", file=fam.file, path=fam.path, entry=entry,
                                   support=len(names), negatives=0, precision=round(conf / settings.damping ** r, 4)
                                   if settings.damping else conf, confidence=round(conf, 4), round=r,
                                   source="bootstrap", evidence=examples[:5])
                current.add_learned(rule)
                added.append(rule)
                log(f"round {r}: + title_head {head!r} confidence={conf:.2f} names={len(names)}")
            rounds.append(BootstrapRound(r, len(seeds), len(good), added))
            if not added:
                break
    finally:
        if harness is not None:
            harness.close()
    return current, rounds


def _seeds(texts: Sequence[str], rules: RuleSet, s: BootstrapSettings) -> list[tuple[int, str, str]]:
    """(text index, title, name) of confident extractions."""
    with Harness([]) as h:
        nlp = h.pipeline(rules)
    out = []
    for i, doc in enumerate(nlp.pipe(texts)):
        for o in api.to_article(doc, id=str(i)).officials:
            if o.evidence.confidence >= s.min_tuple_confidence and o.title:
                out.append((i, o.title, o.name))
    return out


def _patterns(seeds: list[tuple[int, str, str]], texts: Sequence[str]) -> set[str]:
    out = set()
    for i, title, name in seeds:
        text = texts[i]
        for m in re.finditer(re.escape(title + name), text):
            right = text[m.end():m.end() + 2]
            if len(right) == 2:
                out.add(right)
    return out


_CAND = "[\u4e00-\u9fff]{2,8}?"
_PLACE_ENDS = "镇乡村县区市州省旗"
_LEFT = "[镇乡村县区市州省旗，,。；;、：:\n（(]"


def _matches(right: str, texts: Sequence[str], surnames: str) -> list[tuple[str, str, str]]:
    rx = re.compile(f"(?<={_LEFT})({_CAND})([{re.escape(surnames)}][\u4e00-\u9fff]{{1,2}}?)(?={re.escape(right)})")
    out = []
    for text in texts:
        for m in rx.finditer(text):
            out.append((m.group(1), m.group(2), text[max(0, m.start() - 6):m.end() + 4]))
    return out


def _score_patterns(patterns: set[str], texts: Sequence[str], rules: RuleSet) -> dict:
    heads = rules.texts("title_head")
    bad = rules.texts("not_title")
    surnames = rules.data["persons.yaml"].get("surnames", "")
    out = {}
    for p in patterns:
        pos = neg = 0
        for cand, _, _ in _matches(p, texts, surnames):
            if any(cand.endswith(b) for b in bad):
                neg += 1
            elif any(cand.endswith(h) for h in heads):
                pos += 1
        if pos + neg:
            out[p] = pos / (pos + neg)
    return out


def _new_heads(patterns: dict, texts: Sequence[str], rules: RuleSet, s: BootstrapSettings, r: int) -> dict:
    heads = rules.texts("title_head")
    surnames = rules.data["persons.yaml"].get("surnames", "")
    words = all_words()
    found: dict[str, dict] = defaultdict(lambda: {"miss": 1.0, "names": set(), "examples": []})
    for p, conf in patterns.items():
        for cand, name, context in _matches(p, texts, surnames):
            if any(cand.endswith(h) for h in heads):
                continue
            cut = max(cand.rfind(c, 0, len(cand) - 1) for c in _PLACE_ENDS)
            cand = cand[cut + 1:]  # 桐溪镇网格长 → 网格长: the place is not part of the head
            # the final word of the span, or the whole span when it is short (网格长)
            head = next((cand[-n:] for n in (3, 2) if len(cand) >= n and cand[-n:] in words),
                        cand if len(cand) <= 4 else None)
            if head is None or rules.has("not_title", head):
                continue
            f = found[head]
            f["miss"] *= 1 - conf
            f["names"].add(name)
            if len(f["examples"]) < 5:
                f["examples"].append(context)
    out = {}
    for head, f in found.items():
        conf = (1 - f["miss"]) * s.damping ** r
        if conf >= s.min_confidence and len(f["names"]) >= s.min_names:
            out[head] = (conf, f["names"], f["examples"])
    return out

