"""Command line: ``pipeline run | stage | eval | validate``.

A thin Typer layer over :mod:`pipeline.api`.  User mistakes (bad config,
bad rule file, missing input) print one line and exit with status 2.

Exit status of ``pipeline run``: 0 when every article was processed without
errors, 1 when the run finished but some records carry errors (unreadable
input, facts that failed validation), 2 when the run could not start.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from . import api
from .errors import ConfigError, PipelineError
from .evaluate import score_dir
from .records import Article
from .writers import open_writer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Extract officials, counts and money amounts from Chinese local news.")

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="Pipeline config (.cfg).")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", help="Override: section.key=value (repeatable).")]


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """``components.numbers.tables=x.yaml`` → {"components.numbers.tables": "x.yaml"}."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"bad --set {item!r}: write section.key=value")
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


@app.command()
def run(
    inputs: Annotated[list[Path], typer.Argument(help=".txt/.html files, folders of them, or .jsonl files.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output JSONL file ('-' for stdout).")],
    config: ConfigOpt = None,
    set_: SetOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary table.")] = False,
) -> None:
    """Process articles into one validated record each."""
    nlp = api.load(config, overrides=parse_overrides(set_))
    tally: Counter[str] = Counter()
    records = api.run(inputs, nlp=nlp)  # checks the input paths before the output is opened
    with open_writer(output) as writer:
        for article in records:
            writer.write(article)
            _count(tally, article)
    if not quiet:
        _summary(tally)
    raise typer.Exit(1 if tally["failed"] else 0)


def _count(tally: Counter[str], a: Article) -> None:
    tally["articles"] += 1
    tally["failed"] += 0 if a.ok else 1
    tally["officials"] += len(a.officials)
    tally["counts"] += len(a.counts)
    tally["amounts"] += len(a.amounts)


def _summary(t: Counter[str]) -> None:
    rows = [("articles", t["articles"]), ("with errors", t["failed"]), ("officials", t["officials"]),
            ("counts", t["counts"]), ("amounts", t["amounts"])]
    width = max(len(r[0]) for r in rows)
    typer.echo("\n".join(f"{k:<{width}}  {v:>7}" for k, v in rows), err=True)


@app.command()
def stage(
    name: Annotated[str, typer.Argument(help=f"Stop after this stage: {', '.join(api.STAGES)}.")],
    text: Annotated[str, typer.Argument(help="Text, or the path of a UTF-8 text file.")],
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Run the pipeline up to one stage and print what it produced."""
    nlp = api.load(config, overrides=parse_overrides(set_))
    if name not in nlp.pipe_names:
        raise ConfigError(f"unknown stage {name!r}; stages: {', '.join(nlp.pipe_names)}")
    path = Path(text)
    if len(text) < 255 and path.is_file():
        text = path.read_text(encoding="utf-8")
    keep = nlp.pipe_names[: nlp.pipe_names.index(name) + 1]
    with nlp.select_pipes(enable=keep):
        doc = nlp(text)
    typer.echo(json.dumps(api.stage_view(doc, name), ensure_ascii=False, indent=1, default=str))


@app.command("eval")
def eval_(
    gold_dir: Annotated[Path, typer.Argument(help="Folder of gold *.json articles.")],
    predictions: Annotated[Path, typer.Argument(help="Records (JSONL) or a folder of *.json.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Precision, recall and F1 per record type (GUIDELINES scoring)."""
    res = score_dir(gold_dir, predictions)
    if as_json:
        typer.echo(json.dumps(res))
        return
    for k, v in res.items():
        if isinstance(v, dict):
            typer.echo(f"{k:16s} P={v['p']:.3f} R={v['r']:.3f} F1={v['f1']:.3f}  "
                       f"(tp={v['tp']} fp={v['fp']} fn={v['fn']})")
    typer.echo(f"micro F1 (officials+counts+amounts): {res['micro_f1']:.3f}")
    typer.echo(f"macro F1 (mean over articles):       {res['macro_f1']:.3f}")


@app.command()
def validate(records: Annotated[Path, typer.Argument(help="JSONL records written by 'pipeline run'.")]) -> None:
    """Re-check every record against the schemas; list the invalid lines."""
    bad = 0
    try:
        fh = records.open(encoding="utf-8")
    except OSError as exc:
        raise PipelineError(f"cannot read {records}: {exc.strerror}") from None
    with fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                Article.model_validate_json(line)
            except ValueError as exc:
                bad += 1
                first = str(exc).splitlines()
                typer.echo(f"{records}:{number}: {' '.join(first[:3])}", err=True)
    typer.echo(f"{records}: {'all records valid' if not bad else f'{bad} invalid record(s)'}")
    raise typer.Exit(1 if bad else 0)


def main() -> None:
    """Console entry point: user errors become one line and exit status 2."""
    try:
        app()
    except PipelineError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
