#!/usr/bin/env python3
"""Throughput and memory of the whole pipeline on a synthetic corpus.

    python bench/bench.py [--chars 1000000] [--markdown out/bench.md] [--set k=v ...]

Generates at least ``--chars`` characters with ``bench/make_corpus.py`` into a
temporary folder, then measures three engines, each in a fresh child process
so that its peak RSS is its own:

* ``pipeline``: ``pipeline.api.load()``, then ``nlp.pipe`` and ``to_article``
  over every article (one process, one core);
* ``jieba.posseg``: ``jieba.posseg.cut`` over the same texts, for reference;
* ``regex``: a bare ``re.finditer`` scan for numbers with 户/人/元.

Load time (building the pipeline, loading jieba's dictionary) is reported
apart and left out of the throughput figures.  Peak RSS is
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` at the end of the child, in MB,
and includes the corpus held in memory.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ENGINES = ("pipeline", "jieba.posseg", "regex")
NUMBER_SCAN = r"\d+(?:\.\d+)?万?[户人元]"


# ------------------------------------------------------------------ children


def _read_corpus(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024  # bytes on macOS, KiB elsewhere


def _measure_pipeline(rows: list[dict], overrides: list[str]) -> dict:
    sys.path.insert(0, str(REPO))
    from pipeline import api
    from pipeline.cli import parse_overrides

    t0 = time.perf_counter()
    nlp = api.load(overrides=parse_overrides(overrides))
    load_s = time.perf_counter() - t0
    facts = failed = 0
    t0 = time.perf_counter()
    docs = nlp.pipe((row["text"] for row in rows), batch_size=nlp.batch_size)
    for row, doc in zip(rows, docs):
        article = api.to_article(doc, id=row["id"])
        facts += len(article.officials) + len(article.counts) + len(article.amounts)
        failed += not article.ok
    return {"load_s": load_s, "wall_s": time.perf_counter() - t0,
            "note": f"{facts} facts, {failed} records with errors"}


def _measure_jieba(rows: list[dict]) -> dict:
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    t0 = time.perf_counter()
    jieba.initialize()
    load_s = time.perf_counter() - t0
    tokens = 0
    t0 = time.perf_counter()
    for row in rows:
        tokens += sum(1 for _ in jieba.posseg.cut(row["text"]))
    return {"load_s": load_s, "wall_s": time.perf_counter() - t0, "note": f"{tokens} tokens"}


def _measure_regex(rows: list[dict]) -> dict:
    import re

    t0 = time.perf_counter()
    pattern = re.compile(NUMBER_SCAN)
    load_s = time.perf_counter() - t0
    hits = 0
    t0 = time.perf_counter()
    for row in rows:
        hits += sum(1 for _ in pattern.finditer(row["text"]))
    return {"load_s": load_s, "wall_s": time.perf_counter() - t0, "note": f"{hits} matches"}


def run_child(engine: str, corpus: Path, overrides: list[str]) -> dict:
    """Measure one engine in this process and return its figures."""
    rows = _read_corpus(corpus)
    if engine == "pipeline":
        result = _measure_pipeline(rows, overrides)
    elif engine == "jieba.posseg":
        result = _measure_jieba(rows)
    else:
        result = _measure_regex(rows)
    chars = sum(len(row["text"]) for row in rows)
    wall = max(result["wall_s"], 1e-9)
    return {"engine": engine, "articles": len(rows), "chars": chars, **result,
            "chars_per_s": chars / wall, "articles_per_s": len(rows) / wall, "peak_rss_mb": _peak_rss_mb()}


# ------------------------------------------------------------------ parent


def make_corpus(chars: int, out: Path, *, seed: int) -> None:
    cmd = [sys.executable, str(HERE / "make_corpus.py"), "--chars", str(chars), "--out", str(out),
           "--seed", str(seed)]
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)


def measure(engine: str, corpus: Path, overrides: list[str]) -> dict:
    cmd = [sys.executable, __file__, "--child", engine, "--corpus", str(corpus)]
    for item in overrides:
        cmd += ["--set", item]
    done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown_table(results: list[dict], *, overrides: list[str]) -> str:
    first = results[0]
    lines = [
        f"Corpus: {first['articles']} synthetic articles, {first['chars']:,} characters "
        f"(bench/make_corpus.py). Python {platform.python_version()}, one process per engine, "
        f"single-threaded.{' Overrides: ' + ' '.join(overrides) + '.' if overrides else ''}",
        "",
        "| engine | load s | wall s | chars/s | articles/s | peak RSS MB | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(f"| {r['engine']} | {r['load_s']:.2f} | {r['wall_s']:.2f} | {r['chars_per_s']:,.0f} "
                     f"| {r['articles_per_s']:,.1f} | {r['peak_rss_mb']:.0f} | {r['note']} |")
    lines += ["", "Load time is excluded from wall time and throughput. Peak RSS (ru_maxrss) "
              "includes the corpus held in memory."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=1_000_000, help="corpus size in characters (at least)")
    ap.add_argument("--seed", type=int, default=0, help="corpus seed")
    ap.add_argument("--markdown", type=Path, help="also write the table to this file")
    ap.add_argument("--set", dest="overrides", action="append", default=[],
                    help="pipeline config override section.key=value (repeatable)")
    ap.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    ap.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, args.corpus, args.overrides)))
        return 0
    with tempfile.TemporaryDirectory(prefix="zh-news-bench-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        make_corpus(args.chars, corpus, seed=args.seed)
        results = []
        for engine in args.engines:
            print(f"measuring {engine} ...", file=sys.stderr, flush=True)
            results.append(measure(engine, corpus, args.overrides))
    table = markdown_table(results, overrides=args.overrides)
    print(table, end="")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
