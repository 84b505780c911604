#!/usr/bin/env python3
"""Held-out figures of the attach ranker (issue 12): k-fold over the dev articles.

    python bench/heldout.py ../shared/eval/dev [--k 5] [--seed 12] [--method softmax] [--c 0.1] [--json OUT]
    python bench/heldout.py ../shared/eval/dev --train-out models/attach/ranker.json   (train on all, save)

The pipeline runs once over every article (the default pipeline, no attach
model); each fold trains a ranker on the other folds plus the project's own
gold (corpus/gold, corpus/workreports/gold) and places the held-out fold's
counts and amounts.  Articles whose texts share a long substring (reposts,
one story on two sites) are kept in one fold.  Rows: the rules alone, the
ranker on held-out folds (pooled: every dev article held out once), the
ranker trained on everything and scored in-sample, and the project's work
reports scored by the rules and by a ranker trained without them.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import api  # noqa: E402
from pipeline.attach.train import collect, records_with, train  # noqa: E402
from pipeline.evaluate import score  # noqa: E402
from pipeline.learn.harness import load_gold  # noqa: E402

EXTRA = [REPO / "corpus" / "gold", REPO / "corpus" / "workreports" / "gold"]
SHARED_CHARS = 60  # texts sharing a substring this long are near-duplicates


def groups_of(gold: list[dict], n: int = SHARED_CHARS) -> list[list[int]]:
    """Indices grouped so that texts sharing an ``n``-character substring are together."""
    parent = list(range(len(gold)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for i, g in enumerate(gold):
        text = "".join(g["text"].split())
        for j in range(0, max(len(text) - n + 1, 0)):
            s = text[j:j + n]
            k = seen.setdefault(s, i)
            if k != i:
                parent[find(i)] = find(k)
    out: dict[int, list[int]] = {}
    for i in range(len(gold)):
        out.setdefault(find(i), []).append(i)
    return list(out.values())


def folds_of(gold: list[dict], k: int, seed: int) -> list[list[int]]:
    """``k`` folds of about equal size, whole groups each, shuffled with ``seed``."""
    groups = groups_of(gold)
    random.Random(seed).shuffle(groups)
    folds: list[list[int]] = [[] for _ in range(k)]
    for grp in sorted(groups, key=len, reverse=True):
        min(folds, key=len).extend(grp)
    return [sorted(f) for f in folds]


def row(name: str, gold: list[dict], preds: dict[str, dict]) -> dict:
    s = score(gold, preds)
    return {"setting": name, "micro_f1": s["micro_f1"], "officials": s["officials"]["f1"],
            "counts": s["counts"]["f1"], "amounts": s["amounts"]["f1"], "place_accuracy": s["place_accuracy"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--method", default="softmax", choices=["softmax", "pointwise"])
    ap.add_argument("--c", type=float, default=0.1, help="inverse L2 strength (0.1: best of 0.1–3 held-out)")
    ap.add_argument("--no-extra", action="store_true", help="train on dev folds only")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--train-out", type=Path, help="train on all dev + project gold, save the ranker here")
    args = ap.parse_args()
    t0 = time.time()
    gold = load_gold(args.gold)
    extra = [] if args.no_extra else [g for d in EXTRA if d.is_dir() for g in load_gold(d)]
    nlp = api.load(overrides={"components.relations.attach_model": None})  # features from the rules alone
    arts = collect(nlp, gold)
    extra_arts = collect(nlp, extra)
    kw = {"method": args.method, "c": args.c}
    if args.train_out:
        ranker = train(arts + extra_arts, gold + extra, **kw)
        ranker.meta.update({"trained_on": f"{len(gold)} dev + {len(extra)} project gold articles"})
        ranker.save(args.train_out)
        print(f"wrote {args.train_out}: {len(ranker.weights)} weights from {ranker.meta['facts']} facts")
        return 0
    folds = folds_of(gold, args.k, args.seed)
    held: dict[str, dict] = {}
    for f, test in enumerate(folds):
        tests = set(test)
        tr = [a for i, a in enumerate(arts) if i not in tests]
        tg = [g for i, g in enumerate(gold) if i not in tests]
        ranker = train(tr + extra_arts, tg + extra, **kw)
        for i in test:
            held[arts[i].id] = records_with(arts[i], ranker)
    full = train(arts + extra_arts, gold + extra, **kw)
    rows = [row("rules alone (held-out folds)", gold, {a.id: records_with(a, None) for a in arts}),
            row(f"ranker, {args.k}-fold held-out", gold, held),
            row("ranker, in-sample", gold, {a.id: records_with(a, full) for a in arts})]
    # the project's work reports as a second held-out set: a ranker trained on
    # everything else (dev + corpus/gold), against the rules alone
    wr_dir = EXTRA[1]
    if not args.no_extra and wr_dir.is_dir():
        wr_gold = load_gold(wr_dir)
        wr_ids = {str(g["id"]) for g in wr_gold}
        wr_arts = [a for a in extra_arts if a.id in wr_ids]
        others = [(a, g) for a, g in zip(extra_arts, extra) if a.id not in wr_ids]
        without = train(arts + [a for a, _ in others], gold + [g for _, g in others], **kw)
        rows += [row(f"work reports ({len(wr_gold)}), rules alone", wr_gold,
                     {a.id: records_with(a, None) for a in wr_arts}),
                 row(f"work reports ({len(wr_gold)}), ranker trained without them", wr_gold,
                     {a.id: records_with(a, without) for a in wr_arts})]
    print(f"{args.method} C={args.c}, folds {[len(f) for f in folds]}, {time.time() - t0:.0f} s")
    print("| set | micro F1 | officials | counts | amounts | place accuracy |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['setting']} | {r['micro_f1']:.3f} | {r['officials']:.3f} | {r['counts']:.3f} | "
              f"{r['amounts']:.3f} | {r['place_accuracy']:.3f} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "folds": folds, **kw}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
