"""Learn rules from annotated articles, with precision accounting.

Candidates (:mod:`pipeline.learn.induce`) are scored by what they change in
the records when added to the current rules: a *good* change is a gold fact
gained or a false fact removed, a *bad* change a false fact added or a gold
fact lost.  As in Snowball, a rule's precision is good/(good+bad) and its
confidence is that precision damped by the round it was learned in.  Rules
above the thresholds are accepted greedily, best first (precision × log of
support), each re-scored against the rules accepted before it, so two
candidates that fix the same facts are not both kept.  Rounds repeat until
nothing new passes: a head learned in round 0 lets an organisation prefix
show its worth in round 1.

Some rules only work together: the head 书记 gives wrong titles until the
prefix 委 lets 镇委书记 grow to its place.  So each round first scores every
candidate *in context* (added to all the others, the change from leaving it
out), drops those that fail and repeats until the set is stable, then keeps
that set if it raises F1; the forward pass above then adds what remains.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .harness import Harness, Outcome
from .induce import Candidate, propose
from .ruleset import FAMILIES, LearnedRule, RuleSet


@dataclass(frozen=True)
class LearnSettings:
    min_precision: float = 0.75
    min_support: int = 1
    max_rounds: int = 4
    damping: float = 0.9
    families: tuple[str, ...] = tuple(FAMILIES)
    in_context: bool = True
    context_iterations: int = 3


@dataclass
class Change:
    good: set = field(default_factory=set)
    bad: set = field(default_factory=set)

    @property
    def precision(self) -> float:
        n = len(self.good) + len(self.bad)
        return len(self.good) / n if n else 0.0

    @property
    def rank(self) -> float:
        return self.precision * math.log2(1 + len(self.good))


def compare(before: Outcome, after: Outcome) -> Change:
    """The good and bad changes from ``before`` to ``after`` (same articles)."""
    tp0, fp0, tp1, fp1 = before.tp(), before.fp(), after.tp(), after.fp()
    return Change(good=(tp1 - tp0) | {("-fp",) + k for k in fp0 - fp1},
                  bad=(fp1 - fp0) | {("-tp",) + k for k in tp0 - tp1})


@dataclass
class RoundReport:
    round: int
    candidates: int
    accepted: list[LearnedRule]
    f1_before: float
    f1_after: float


@dataclass
class LearnResult:
    rules: RuleSet
    rounds: list[RoundReport]
    f1_base: float
    f1_final: float


def restrict(outcome: Outcome, ids: set[str]) -> Outcome:
    return Outcome({k: v for k, v in outcome.predicted.items() if k in ids},
                   {k: v for k, v in outcome.gold.items() if k in ids})


def learn(gold: Sequence[dict], base: RuleSet, settings: LearnSettings = LearnSettings(), *,
          log: Callable[[str], None] = lambda s: None) -> LearnResult:
    """Learn rules on ``gold`` starting from ``base``; returns the extended rule set."""
    with Harness(gold, keep_records=True) as h:
        current = base.copy()
        now = h.run(current)
        f1_base = now.f1()
        rounds: list[RoundReport] = []
        for r in range(settings.max_rounds):
            proposals = [c for c in propose(h.gold, current, now.records) if c.family in settings.families]
            accepted: list[LearnedRule] = []
            f1_before = now.f1()
            if settings.in_context:
                kept = _in_context(h, current, proposals, settings)
                if kept:
                    trial = current.with_entries([a for c, _ in kept for a in c.additions])
                    after = h.run(trial)
                    if after.f1() > now.f1():
                        for cand, change in kept:
                            rules = [x for x in _learned(cand, change, r, settings)
                                     if not current.has(x.family, x.text) and not trial.has_learned(x)]
                            trial.learned.extend(rules)
                            accepted.extend(rules)
                            log(f"round {r}: + {cand.label} support={len(change.good)} "
                                f"precision={change.precision:.2f} (in context)")
                        current, now = trial, after
                        proposals = [c for c in proposals if not all(current.has(f, FAMILIES[f].text_of(e))
                                                                     for f, e in c.additions)]
            scored = []
            for cand in proposals:
                change = _score(h, current, now, cand)
                if _passes(change, settings, cand):
                    scored.append((change.rank, cand))
            scored.sort(key=lambda x: (-x[0], x[1].family, x[1].text))
            for _, cand in scored:
                change = _score(h, current, now, cand)  # against the rules accepted so far
                if not _passes(change, settings, cand):
                    continue
                trial = current.with_entries(cand.additions)
                after = h.run(trial)
                rules = [x for x in _learned(cand, change, r, settings) if not current.has(x.family, x.text)]
                trial.learned.extend(rules)
                current, now = trial, after
                accepted.extend(rules)
                log(f"round {r}: + {cand.label} support={len(change.good)} "
                    f"precision={change.precision:.2f}")
            rounds.append(RoundReport(r, len(proposals), accepted, f1_before, now.f1()))
            if not accepted:
                break
        return LearnResult(current, rounds, f1_base, now.f1())


def _touched(h: Harness, cand: Candidate) -> list[int]:
    """The articles a candidate can change: those whose text holds one of its entries."""
    texts = [FAMILIES[f].text_of(e) for f, e in cand.additions]
    return [i for i, t in enumerate(h.texts) if any(x in t for x in texts)]


def _in_context(h: Harness, rules: RuleSet, proposals: list[Candidate],
                s: LearnSettings) -> list[tuple[Candidate, Change]]:
    """Candidates that pay their way among all the others (backward elimination)."""
    pool = list(proposals)
    result: list[tuple[Candidate, Change]] = []
    for _ in range(s.context_iterations):
        if not pool:
            return []
        full = rules.with_entries([a for c in pool for a in c.additions])
        result = []
        for cand in pool:
            ids = _touched(h, cand)
            if not ids:
                continue
            without = h.run(full.without_entries(cand.additions), subset=ids)
            with_ = h.run(full, subset=ids)
            change = compare(without, with_)
            if _passes(change, s, cand):
                result.append((cand, change))
        if len(result) == len(pool):
            break
        pool = [c for c, _ in result]
    return result


def _score(h: Harness, rules: RuleSet, now: Outcome, cand: Candidate) -> Change:
    ids = _touched(h, cand)
    if not ids:
        return Change()
    after = h.run(rules.with_entries(cand.additions), subset=ids)
    return compare(restrict(now, set(after.predicted)), after)


def _articles(keys: set) -> set[str]:
    return {k[1] if k[0] in ("-fp", "-tp") else k[0] for k in keys}


def _passes(change: Change, s: LearnSettings, cand: Candidate) -> bool:
    if len(change.good) < s.min_support or change.precision < s.min_precision:
        return False
    # a rule that removes extractions must be seen doing good in two articles:
    # one article's oddity is not a reason to blind the pipeline to a word
    return not FAMILIES[cand.family].negative or len(_articles(change.good)) >= 2


def _learned(cand: Candidate, change: Change, r: int, s: LearnSettings) -> list[LearnedRule]:
    """One learned rule per entry the candidate adds (entries already present are skipped)."""
    articles = sorted(_articles(change.good))
    out = []
    for family, entry in cand.additions:
        fam = FAMILIES[family]
        out.append(LearnedRule(family=family, file=fam.file, path=fam.path, entry=entry,
                               support=len(change.good), negatives=len(change.bad),
                               precision=round(change.precision, 4),
                               confidence=round(change.precision * s.damping ** r, 4), round=r,
                               source="gold", evidence=articles))
    return out
