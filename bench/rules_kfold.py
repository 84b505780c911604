"""k-fold measurement of rule learning (issue acceptance figures).

    python bench/rules_kfold.py ../shared/eval/dev --k 4 [--minimal] [--json OUT]
    python bench/rules_kfold.py corpus/workreports/gold --train wr_01,wr_02,… (fixed split)

For each fold: learn on the other folds (from the shipped rules, and with
--minimal also from the minimal rule set), then score on the held-out fold:
hand rules alone, hand + learned, minimal, minimal + learned.  Micro F1 is
pooled over the held-out folds (every article is held out exactly once).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.learn.harness import Harness, Outcome, load_gold  # noqa: E402
from pipeline.learn.learner import LearnSettings, learn  # noqa: E402
from pipeline.learn.ruleset import RuleSet  # noqa: E402


def pooled(outcomes: list[Outcome]) -> Outcome:
    pred, gold = {}, {}
    for o in outcomes:
        pred.update(o.predicted)
        gold.update(o.gold)
    return Outcome(pred, gold)


def row(name: str, o: Outcome) -> dict:
    return {"setting": name, "micro_f1": round(o.f1(), 4),
            **{k: round(o.f1(k), 4) for k in ("officials", "counts", "amounts")}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", type=Path)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--train", help="comma-separated id prefixes: a fixed train split, the rest held out")
    ap.add_argument("--minimal", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    gold = load_gold(args.gold)
    hand = RuleSet.load()
    settings = LearnSettings()
    if args.train:
        prefixes = tuple(args.train.split(","))
        folds = [[i for i, g in enumerate(gold) if not str(g["id"]).startswith(prefixes)]]
    else:
        folds = [[i for i in range(len(gold)) if i % args.k == f] for f in range(args.k)]
    starts = {"hand": hand, **({"minimal": hand.minimal()} if args.minimal else {})}
    held: dict[str, list[Outcome]] = {}
    learned_counts: dict[str, list[int]] = {}
    t0 = time.time()
    for f, test_idx in enumerate(folds):
        train = [g for i, g in enumerate(gold) if i not in test_idx]
        test = [gold[i] for i in test_idx]
        with Harness(test) as h:
            for name, start in starts.items():
                res = learn(train, start, settings)
                held.setdefault(name, []).append(h.run(start))
                held.setdefault(f"{name} + learned", []).append(h.run(res.rules))
                learned_counts.setdefault(name, []).append(len(res.rules.learned))
                print(f"fold {f}: {name}: {len(res.rules.learned)} learned, train F1 {res.f1_base:.3f} -> "
                      f"{res.f1_final:.3f}, held-out {held[name][-1].f1():.3f} -> "
                      f"{held[name + ' + learned'][-1].f1():.3f} ({time.time() - t0:.0f} s)", flush=True)
    rows = [row(name, pooled(o)) for name, o in held.items()]
    print("\n| rules on held-out folds | micro F1 | officials | counts | amounts |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['setting']} | {r['micro_f1']:.3f} | {r['officials']:.3f} | {r['counts']:.3f} | {r['amounts']:.3f} |")
    if args.minimal:
        ratio = pooled(held["minimal + learned"]).f1() / max(pooled(held["hand"]).f1(), 1e-9)
        print(f"\nminimal + learned recovers {ratio:.1%} of the hand rules' held-out micro F1")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "learned": learned_counts, "folds": len(folds)},
                                        ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
