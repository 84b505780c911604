"""``pipeline rules report``: what each rule does on annotated articles.

For every entry of the learnable lists (hand-written or learned) the report
measures, by ablation on the articles whose text contains the entry:

- ``fires``: how often its text occurs in the articles;
- ``tp``/``fp``: the true/false facts that disappear when it is removed
  (the facts it is responsible for); ``precision`` = tp/(tp+fp);
- ``recall``: its recall contribution, tp over all gold facts;
- ``blocks_tp``: true facts that appear only when it is removed (it hurts).

For the relation routes (the ``rule`` of each fact's evidence) tp/fp are read
from the records directly.  Conflicts: the same text in a positive and a
negative list, the same text as money and count cue, rules that block true
facts, and numbers given two different places by different routes.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from ..evaluate import STRICT, fact_keys
from .harness import Harness
from .learner import restrict, compare
from .ruleset import FAMILIES, RuleSet


@dataclass
class RuleRow:
    rule: str
    family: str
    text: str
    source: str
    fires: int
    tp: int = 0
    fp: int = 0
    blocks_tp: int = 0
    precision: float | None = None
    recall: float = 0.0
    support: int | None = None           # as recorded when learned
    learned_precision: float | None = None


@dataclass
class Report:
    articles: int
    gold_facts: int
    micro_f1: float
    rules: list[RuleRow] = field(default_factory=list)
    routes: list[RuleRow] = field(default_factory=list)
    never_fire: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def build_report(gold: Sequence[dict], rules: RuleSet, *,
                 log: Callable[[str], None] = lambda s: None) -> Report:
    learned = {(r.family, r.text): r for r in rules.learned}
    with Harness(gold, keep_records=True) as h:
        full = h.run(rules)
        n_gold = sum(len(v) for v in full.gold.values())
        rep = Report(articles=len(gold), gold_facts=n_gold, micro_f1=round(full.f1(), 4))
        for fam_name, fam in FAMILIES.items():
            for entry in list(rules.entries(fam_name)):
                text = fam.text_of(entry)
                ids = [i for i, t in enumerate(h.texts) if text in t]
                fires = sum(h.texts[i].count(text) for i in ids)
                lr = learned.get((fam_name, text))
                row = RuleRow(rule=f"{fam.file}:{fam.path}:{text}", family=fam_name, text=text,
                              source=f"learned ({lr.source})" if lr else "hand", fires=fires,
                              support=lr.support if lr else None,
                              learned_precision=lr.precision if lr else None)
                if ids:
                    without = _without(rules, fam_name, text)
                    after = h.run(without, subset=ids)
                    before = restrict(full, set(after.predicted))
                    change = compare(after, before)  # what the rule does: from without to with
                    row.tp = sum(1 for k in change.good if k[0] != "-fp")
                    row.fp = sum(1 for k in change.bad if k[0] != "-tp")
                    row.blocks_tp = sum(1 for k in change.bad if k[0] == "-tp")
                    done = row.tp + row.fp
                    row.precision = round(row.tp / done, 4) if done else None
                    row.recall = round(row.tp / n_gold, 4) if n_gold else 0.0
                else:
                    rep.never_fire.append(row.rule)
                rep.rules.append(row)
            log(f"{fam_name}: {len(rules.entries(fam_name))} entries")
        rep.routes = _routes(full.records, h, n_gold)
        rep.conflicts = _conflicts(rules, rep.rules, full.records)
    return rep


def _without(rules: RuleSet, family: str, text: str) -> RuleSet:
    out = rules.copy()
    lst = out.entries(family)
    lst[:] = [e for e in lst if FAMILIES[family].text_of(e) != text]
    return out


def _routes(records: dict[str, dict], h: Harness, n_gold: int) -> list[RuleRow]:
    tally: dict[str, Counter] = defaultdict(Counter)
    for did, rec in records.items():
        gold = h.gold_keys.get(did, set())
        for kind in STRICT:
            for f in rec.get(kind) or []:
                rule = (f.get("evidence") or {}).get("rule", "?")
                key = fact_keys({kind: [f]})[kind]
                hit = any((kind, k) in gold for k in key)
                tally[rule]["tp" if hit else "fp"] += 1
    rows = []
    for rule, c in sorted(tally.items()):
        done = c["tp"] + c["fp"]
        rows.append(RuleRow(rule=rule, family="route", text=rule, source="code", fires=done, tp=c["tp"],
                            fp=c["fp"], precision=round(c["tp"] / done, 4) if done else None,
                            recall=round(c["tp"] / n_gold, 4) if n_gold else 0.0))
    return rows


# (an anaphor such as 全镇 is rightly also a not_place: it refers to a place, it does not name one)
_OPPOSITES = (("title_head", "not_title"), ("title_prefix", "not_title"), ("speech_verb", "not_name"))


def _conflicts(rules: RuleSet, rows: list[RuleRow], records: dict[str, dict]) -> list[str]:
    out = []
    for pos, neg in _OPPOSITES:
        for text in sorted(rules.texts(pos) & rules.texts(neg)):
            out.append(f"{text!r} is both a {pos} and a {neg}")
    for text in sorted(rules.texts("money_cue") & rules.texts("count_cue")):
        out.append(f"{text!r} is both a money_cue and a count_cue (the nearer cue wins)")
    for row in rows:
        if row.blocks_tp:
            out.append(f"{row.rule} blocks {row.blocks_tp} true fact(s) on these articles")
    for did, rec in sorted(records.items()):
        seen: dict[tuple, set] = defaultdict(set)
        for kind in ("counts", "amounts"):
            for f in rec.get(kind) or []:
                ev = f.get("evidence") or {}
                seen[(kind, ev.get("start"), ev.get("end"))].add((f.get("place"), ev.get("rule")))
        for (kind, s, e), places in seen.items():
            if len({p for p, _ in places}) > 1:
                detail = ", ".join(f"{p} by {r}" for p, r in sorted(places, key=str))
                out.append(f"{did} {kind} at {s}-{e}: placed differently ({detail})")
    return out


def format_table(rep: Report, *, only_firing: bool = False) -> str:
    lines = [f"{rep.articles} articles, {rep.gold_facts} gold facts, micro F1 {rep.micro_f1:.3f}", ""]
    head = f"{'rule':48s} {'source':16s} {'fires':>5s} {'tp':>4s} {'fp':>4s} {'prec':>5s} {'recall':>6s} {'blocks':>6s}"
    lines += [head, "-" * len(head)]
    for r in rep.rules + rep.routes:
        if only_firing and not r.fires:
            continue
        p = f"{r.precision:.2f}" if r.precision is not None else "  -"
        lines.append(f"{r.rule[:48]:48s} {r.source[:16]:16s} {r.fires:5d} {r.tp:4d} {r.fp:4d} {p:>5s} "
                     f"{r.recall:6.3f} {r.blocks_tp:6d}")
    lines += ["", f"never fire ({len(rep.never_fire)}): " + ", ".join(rep.never_fire[:200])]
    lines += ["", f"conflicts ({len(rep.conflicts)}):"] + [f"  - {c}" for c in rep.conflicts]
    return "\n".join(lines)
