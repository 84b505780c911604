#!/usr/bin/env python3
"""Turn a folder of gold articles into pipeline input: JSONL of ``{id, text, url}``.

    python bench/dev_inputs.py ../shared/eval/dev --out out/dev_inputs.jsonl

The gold texts are not part of the project, so the output must lie outside
the repository or under its git-ignored ``out/`` folder; anything else is
refused.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ALLOWED_IN_REPO = REPO / "out"


def check_destination(out: Path) -> None:
    """Refuse to write gold text into the repository, except under ``out/``."""
    target = out.resolve()
    if target.is_relative_to(REPO) and not target.is_relative_to(ALLOWED_IN_REPO):
        raise SystemExit(f"error: refusing to write {out} inside the repository; "
                         f"write under {ALLOWED_IN_REPO.relative_to(REPO)}/ or outside {REPO}")


def convert(gold_dir: Path, out: Path) -> int:
    """Write one input line per ``*.json`` gold file; returns the number written."""
    files = sorted(gold_dir.glob("*.json"))
    if not files:
        raise SystemExit(f"error: no *.json gold files in {gold_dir}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for path in files:
            gold = json.loads(path.read_text(encoding="utf-8"))
            row = {"id": str(gold["id"]), "text": gold["text"], "url": gold.get("url")}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(files)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold_dir", type=Path, help="folder of gold *.json articles")
    ap.add_argument("--out", type=Path, default=ALLOWED_IN_REPO / "dev_inputs.jsonl",
                    help="output JSONL (default: out/dev_inputs.jsonl)")
    args = ap.parse_args(argv)
    check_destination(args.out)
    n = convert(args.gold_dir, args.out)
    print(f"{n} articles -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
