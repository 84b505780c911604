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
    output: Annotated[Path, typer.Option("--output", "-o", help="Output: a .jsonl file ('-' for stdout), a .sqlite/.db "
                                         "file, a .csv or .parquet folder (one table per record type); with "
                                         "--engine dask a folder of partitions.")],
    config: ConfigOpt = None,
    set_: SetOpt = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="jsonl, csv, parquet or sqlite "
                                               "(default: from the output suffix, else jsonl).")] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=0, help="Worker processes (0: one per CPU).")] = 1,
    resume: Annotated[bool, typer.Option("--resume", help="Keep the records already in the output and "
                                         "process only the other inputs.")] = False,
    engine: Annotated[str, typer.Option("--engine", help="local (this machine) or dask (a Dask cluster).")] = "local",
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786) "
                                                     "or scheduler JSON file; default: a LocalCluster.")] = None,
    partition_size: Annotated[int, typer.Option("--partition-size", min=1, help="Dask: articles per partition "
                                                "(keep it when resuming).")] = 500,
    progress: Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="Progress bar (default: "
                                                     "on a terminal, off in CI and pipes).")] = None,
    time_limit: Annotated[Optional[float], typer.Option("--time-limit", min=0.0, help="Seconds allowed per "
                                                        "article, then an error record (default: [limits] in the "
                                                        "config; 0: none).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary table, no progress bar.")] = False,
    rules: Annotated[Optional[Path], typer.Option("--rules", help="Rule folder to use instead of the shipped "
                                                  "rules (e.g. one written by `pipeline rules learn`).")] = None,
) -> None:
    """Process articles into one validated record each (streaming; memory stays flat)."""
    from .io.readers import iter_inputs
    from .parallel import default_workers, process_stream
    from .writers import infer_format

    overrides = parse_overrides(set_)
    if rules is not None:
        overrides = {**api.rules_overrides(rules), **overrides}
    n_workers = workers or default_workers()
    if engine not in ("local", "dask"):
        raise ConfigError(f"unknown engine {engine!r}; use local or dask")
    if scheduler and engine != "dask":
        raise ConfigError("--scheduler needs --engine dask")
    kind = infer_format(output, fmt)
    if resume and str(output) == "-":
        raise ConfigError("--resume needs an output file, not stdout")
    items = iter_inputs(inputs)  # checks the input paths before the output is opened
    api.load_config(config, overrides)  # a missing or unreadable config fails before any worker starts
    tally: Counter[str] = Counter()
    show = _show_progress(progress, quiet)
    total = _count_inputs(inputs) if show else None
    with _Progress(show, total) as bar:
        if engine == "dask":
            from .engine import run_dask

            parts = run_dask(items, output, fmt=kind, scheduler=scheduler, n_workers=workers or None,
                             config=config, overrides=overrides, partition_size=partition_size, resume=resume,
                             time_limit=time_limit)
            for part in parts:
                if "skipped" in part:
                    tally["skipped"] += part["skipped"]
                    bar.advance(part["skipped"])
                    continue
                tally.update({k: v for k, v in part.items() if k != "partition"})
                bar.advance(part["articles"])
        else:
            from contextlib import ExitStack

            from .parallel import WorkerPool, _process_kwargs
            from .writers import open_writer

            with ExitStack() as stack:
                # the pipeline is built (in every worker) before the output is opened, so a
                # config that cannot build fails without touching an existing output
                if n_workers <= 1:
                    nlp = api.load(config, overrides=overrides)
                else:
                    pool = stack.enter_context(WorkerPool(n_workers, config=config, overrides=overrides,
                                                          process_kwargs=_process_kwargs(time_limit)))
                    pool.ready()
                writer = stack.enter_context(open_writer(output, kind, resume=resume))
                done = writer.done_ids()
                if done:
                    items = _skip_done(items, done, tally, bar)
                lines = hasattr(writer, "write_line")  # JSONL: workers send finished lines
                if n_workers <= 1:
                    records = process_stream(items, nlp=nlp, time_limit=time_limit, encoded=lines)
                else:
                    records = pool.map(items, encoded=lines)
                for record in records:
                    if lines:
                        writer.write_line(record.json)
                    else:
                        writer.write(record)
                    _count(tally, record)
                    bar.advance(1)
    if not quiet:
        _summary(tally)
    raise typer.Exit(1 if tally["failed"] else 0)


def _skip_done(items, done: set[str], tally: Counter[str], bar: _Progress):  # noqa: ANN001, ANN202
    for item in items:
        if item.id in done:
            tally["skipped"] += 1
            bar.advance(1)
            continue
        yield item


def _show_progress(flag: bool | None, quiet: bool) -> bool:
    if quiet or flag is False:
        return False
    if flag:
        return True
    import os

    return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


def _count_inputs(inputs: list[Path]) -> int | None:
    """Articles in the inputs, for the ETA: files, plus non-blank lines of JSONL (a fast byte scan)."""
    from .io.readers import ACCEPTED_SUFFIXES

    total = 0
    try:
        for given in inputs:
            files = sorted(p for p in given.iterdir() if p.is_file()) if given.is_dir() else [given]
            for f in files:
                if f.suffix.lower() not in ACCEPTED_SUFFIXES or f.name.startswith("."):
                    continue
                if f.suffix.lower() != ".jsonl":
                    total += 1
                    continue
                with f.open("rb") as fh:
                    total += sum(1 for line in fh if line.strip())
    except OSError:
        return None
    return total


class _Progress:
    """A rich progress bar on stderr (articles, articles/s, ETA), or nothing."""

    def __init__(self, show: bool, total: int | None) -> None:
        self.show, self.total = show, total
        self._bar: Any = None

    def __enter__(self) -> _Progress:
        if self.show:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self._bar = Progress(TextColumn("[bold]articles"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
                                 TimeRemainingColumn(), console=Console(stderr=True), transient=False,
                                 refresh_per_second=4)
            self._bar.start()
            self._task = self._bar.add_task("run", total=self.total, rate="")
        return self

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)
            speed = self._bar.tasks[0].speed
            self._bar.update(self._task, rate=f"{speed:,.1f} articles/s" if speed else "")

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _count(tally: Counter[str], a: Any) -> None:
    """Count an :class:`Article` or an ``Encoded`` record (which carries the numbers)."""
    tally["articles"] += 1
    tally["failed"] += 0 if a.ok else 1
    for field in ("officials", "counts", "amounts"):
        value = getattr(a, field)
        tally[field] += value if isinstance(value, int) else len(value)


def _summary(t: Counter[str]) -> None:
    rows = [("articles", t["articles"]), ("with errors", t["failed"]), ("officials", t["officials"]),
            ("counts", t["counts"]), ("amounts", t["amounts"])]
    if t["skipped"]:
        rows.insert(1, ("already done", t["skipped"]))
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


data_app = typer.Typer(help="Convert NER data sets.", no_args_is_help=True)
train_app = typer.Typer(help="Train models.", no_args_is_help=True)
ner_app = typer.Typer(help="Statistical NER tools.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(train_app, name="train")
app.add_typer(ner_app, name="ner")


@data_app.command("convert")
def data_convert(
    input_path: Annotated[Path, typer.Argument(help="Data file (or gold folder).")],
    output: Annotated[Path, typer.Argument(help="Output .spacy file.")],
    fmt: Annotated[str, typer.Option("--format", help="cluener, bio, bmes or gold.")],
    labels: Annotated[Optional[Path], typer.Option("--labels", help="Label map (default configs/labels.cfg).")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Section of the label map (msra, peoples_daily, resume …).")] = None,
    only: Annotated[Optional[str], typer.Option("--only", help="Keep these project labels, comma-separated.")] = None,
    dev_output: Annotated[Optional[Path], typer.Option("--dev-output", help="Hold out a dev split here (.spacy).")] = None,
    dev_share: Annotated[float, typer.Option("--dev-share", help="Share of sentences held out.")] = 0.05,
    mask_others: Annotated[bool, typer.Option("--mask-others", help="Entities of labels outside --only become missing, not O.")] = False,
) -> None:
    """Convert CLUENER / BIO / BMES / gold articles to a spaCy DocBin with the project's labels."""
    from .ner.convert import convert

    keep = [x.strip() for x in only.split(",")] if only else None
    counts = convert(input_path, fmt, output, source=source, labels_path=labels, only=keep,
                     dev_output=dev_output, dev_share=dev_share, mask_others=mask_others)
    typer.echo(f"{output}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


@train_app.command("ner")
def train_ner(
    config: Annotated[Path, typer.Option("--config", help="Training config (configs/ner.cfg).")],
    train: Annotated[Path, typer.Option("--train", help="Training data (.spacy).")],
    dev: Annotated[Path, typer.Option("--dev", help="Dev data (.spacy).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model directory to write.")],
    set_: SetOpt = None,
    backend: Annotated[str, typer.Option("--backend", help="spacy (default) or hanlp (optional extra).")] = "spacy",
    epochs: Annotated[int, typer.Option("--epochs", help="HanLP backend: training epochs.")] = 20,
) -> None:
    """Train an NER model and write a self-describing model directory."""
    if backend == "hanlp":
        from .ner.hanlp_train import train_hanlp_ner

        meta = train_hanlp_ner(train, dev, output, epochs=epochs, settings=parse_overrides(set_))
        typer.echo(json.dumps({"model": str(output), "labels": meta["labels"]}, ensure_ascii=False))
        return
    if backend != "spacy":
        raise ConfigError(f"unknown backend {backend!r}; use spacy or hanlp")
    from .ner.train import train_ner as run_training

    meta = run_training(config, train, dev, output, overrides=parse_overrides(set_))
    typer.echo(json.dumps({"model": str(output), "labels": meta["labels"], "scores": meta["scores"]},
                          ensure_ascii=False))


@train_app.command("segmenter")
def train_segmenter_cmd(
    train: Annotated[list[Path], typer.Option("--train", help="Segmented text (words separated by spaces); repeatable.")],
    out: Annotated[Path, typer.Option("--out", help="Model directory to write (e.g. models/pkuseg-news).")],
    iterations: Annotated[int, typer.Option("--iter", help="Training iterations.")] = 10,
    domain_words: Annotated[Optional[Path], typer.Option("--domain-words", help="Extra words, one per line.")] = None,
) -> None:
    """Train a spacy-pkuseg segmentation model (used by segmenter = "pkuseg")."""
    from .ner.segmenter import train_segmenter

    typer.echo(json.dumps(train_segmenter(train, out, iterations=iterations, domain_words=domain_words)))


@ner_app.command("evaluate")
def ner_evaluate(
    data: Annotated[Path, typer.Option("--data", help="Evaluation data file.")],
    fmt: Annotated[str, typer.Option("--format", help="msra, cluener, bmes (resume), peoples_daily or gold.")],
    model: Annotated[Optional[list[Path]], typer.Option("--model", help="Model dir(s); default: those of the pipeline config.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Last line is a JSON summary.")] = False,
) -> None:
    """Per-label P/R/F1 (exact span match) of the NER models on a data file."""
    import spacy

    from .ner.evaluate import evaluate_file, spacy_predictor
    from .stages.ner import resolve_model_path

    paths = model or [resolve_model_path(m) for m in api.load_config()["components"]["ner"]["models"]]
    nlps = [spacy.load(resolve_model_path(str(p))) for p in paths]
    predicted = {label for nlp in nlps for label in nlp.get_pipe("ner").labels}
    res = evaluate_file(data, fmt, spacy_predictor(nlps), labels=predicted)
    for label, v in res["labels"].items():
        typer.echo(f"{label:8s} P={v['p']:.3f} R={v['r']:.3f} F1={v['f1']:.3f}  (n={v['support']})")
    o = res["overall"]
    typer.echo(f"{'overall':8s} P={o['p']:.3f} R={o['r']:.3f} F1={o['f1']:.3f}")
    if as_json:
        typer.echo(json.dumps({"overall": {k: o[k] for k in ("p", "r", "f1")},
                               "labels": {k: {m: v[m] for m in ("p", "r", "f1")} for k, v in res["labels"].items()}}))


# Command modules that live beside this one register themselves here.
from .cli_review import register as _register_review; _register_review(app)  # noqa: E402,E702
from .cli_scale import register as _register_scale; _register_scale(app)  # noqa: E402,E702
from .cli_rules import register as _register_rules; _register_rules(app)  # noqa: E402,E702
# (one line each; keep this marker)


def main() -> None:
    """Console entry point: user errors become one line and exit status 2."""
    try:
        app()
    except PipelineError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
