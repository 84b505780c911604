#!/usr/bin/env python3
"""Score records on the dev gold set in rows: all articles, and named subsets.

    python bench/dev_report.py ../shared/eval/dev out/dev.jsonl
    python bench/dev_report.py ../shared/eval/dev out/dev.jsonl --json out/dev_report.json

Rows (id prefixes): ``old`` = the 37 articles the rules were written on
(d_a, d_b, d_c, d_f, d_g and the seed), ``new`` = the 30 added later
(d_h, d_i, d_j), ``all``.  Each row is scored by the reference scorer
(``score.py`` beside the gold folder) on a temporary gold folder holding
only that row's articles, so the figures are the scorer's own.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
from pathlib import Path

NEW_PREFIXES = ("d_h", "d_i", "d_j")
ROWS = {
    "old (37)": lambda stem: not stem.startswith(NEW_PREFIXES),
    "new (30)": lambda stem: stem.startswith(NEW_PREFIXES),
    "all (67)": lambda stem: True,
}


def load_scorer(gold_dir: Path):
    """The reference ``score`` function from ``score.py`` next to the gold folder."""
    path = gold_dir.resolve().parent / "score.py"
    if not path.is_file():
        raise SystemExit(f"error: no score.py beside {gold_dir} (expected {path})")
    spec = importlib.util.spec_from_file_location("reference_score", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.score


def score_rows(gold_dir: Path, predictions: Path) -> dict[str, dict]:
    """Reference-scorer results per row."""
    score = load_scorer(gold_dir)
    out = {}
    files = sorted(gold_dir.glob("*.json"))
    for name, keep in ROWS.items():
        with tempfile.TemporaryDirectory() as tmp:
            chosen = [f for f in files if keep(f.stem)]
            for f in chosen:
                shutil.copy(f, Path(tmp) / f.name)
            res = score(tmp, str(predictions))
            res["articles"] = len(chosen)
            out[name] = res
    return out


def markdown(rows: dict[str, dict]) -> str:
    lines = ["| dev rows | articles | micro F1 | officials | counts | amounts | place accuracy |",
             "|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['articles']} | {r['micro_f1']:.3f} | {r['officials']['f1']:.3f} | "
                     f"{r['counts']['f1']:.3f} | {r['amounts']['f1']:.3f} | {r['place_accuracy']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold_dir", type=Path)
    ap.add_argument("predictions", type=Path, help="records JSONL (or a folder of *.json records)")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = ap.parse_args(argv)
    rows = score_rows(args.gold_dir, args.predictions)
    print(markdown(rows))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
