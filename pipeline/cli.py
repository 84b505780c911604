"""Command line: ``pipeline run | stage | eval | validate`` (and the commands of
``cli_review``, ``cli_scale`` and ``cli_rules``, registered at the end).

A thin Typer layer over :mod:`pipeline.api`.  User mistakes (bad config,
bad rule file, missing input) print one line and exit with status 2.

Exit status of ``pipeline run``, ``stage`` and ``show``: 0 when every article
was processed without errors, 1 when the command finished but some records
carry errors (unreadable input, facts that failed validation), 2 when it
could not start.
"""
from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from . import api
from .cli_options import ConfigOpt, OutputDirOpt, SetOpt, parse_overrides, readable_error
from .cli_review import register as _register_review
from .cli_rules import register as _register_rules
from .cli_scale import register as _register_scale
from .errors import ConfigError, InputError, PipelineError
from .evaluate import score_dir
from .records import Article

__all__ = ["app", "main", "parse_overrides"]

EXIT_CODES = "Exit status: 0 all articles processed without errors; 1 finished, but some records carry errors; " \
             "2 could not start (bad config or rule file, missing input), one line on stderr."

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Extract officials, counts and money amounts from Chinese local news.")

_PIPELINE = "Pipeline"
_SCALE = "Scale"
_RUN = "Run"


@app.command(epilog=EXIT_CODES)
def run(
    inputs: Annotated[list[Path], typer.Argument(metavar="INPUT", help=".txt/.html files, folders of them, or "
                                                 ".jsonl files.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="PATH",
                                         help="A .jsonl file ('-': stdout), a .sqlite/.db file, or a .csv or "
                                              ".parquet folder (a table per record type); with --engine dask "
                                              "a folder of partitions.")],
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", metavar="FORMAT",
                                               help="jsonl, csv, parquet or sqlite (default: from the output "
                                                    "suffix, else jsonl).")] = None,
    resume: Annotated[bool, typer.Option("--resume",
                                         help="Keep the records already in the output; process only the "
                                              "other inputs.")] = False,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", metavar="PATH", rich_help_panel=_PIPELINE,
                                                   help="Pipeline config (.cfg).")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", metavar="KEY=VALUE", rich_help_panel=_PIPELINE,
                                                      help="Override a config value, e.g. "
                                                           "components.numbers.tables=my.yaml (repeatable).")] = None,
    rules: Annotated[Optional[Path], typer.Option("--rules", metavar="DIR", rich_help_panel=_PIPELINE,
                                                  help="Rule folder to use instead of the shipped rules (e.g. "
                                                       "from `pipeline rules learn`).")] = None,
    time_limit: Annotated[Optional[float], typer.Option("--time-limit", min=0.0, metavar="SECS",
                                                        rich_help_panel=_PIPELINE,
                                                        help="Per article, then an error record (default: "
                                                             "\\[limits] in the config; 0: none).")] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=0, metavar="N", rich_help_panel=_SCALE,
                                         help="Worker processes (0: one per CPU).")] = 1,
    engine: Annotated[str, typer.Option("--engine", metavar="NAME", rich_help_panel=_SCALE,
                                        help="local (this machine) or dask (a Dask cluster).")] = "local",
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", metavar="ADDRESS", rich_help_panel=_SCALE,
                                                     help="Dask scheduler (tcp://host:8786 or a scheduler "
                                                          "JSON file; default: a LocalCluster).")] = None,
    partition_size: Annotated[int, typer.Option("--partition-size", min=1, metavar="N", rich_help_panel=_SCALE,
                                                help="Dask: articles per partition (keep it when "
                                                     "resuming).")] = 500,
    progress: Annotated[Optional[bool], typer.Option("--progress/--no-progress", rich_help_panel=_RUN,
                                                     help="Progress bar (default: on a terminal, not in CI "
                                                          "or pipes).", show_default=False)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", rich_help_panel=_RUN,
                                        help="No summary table, no progress bar.")] = False,
) -> None:
    """Process articles into one validated record each (streaming; memory stays flat).

    An input that cannot be read (missing, empty, binary, undecodable) becomes
    a record with its error, and the run goes on.
    """
    from .io.readers import iter_inputs
    from .parallel import default_workers, process_stream
    from .writers import infer_format

    overrides = parse_overrides(set_)
    if rules is not None:
        overrides = {**api.rules_overrides(rules, config), **overrides}
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
    failed_at: list[str] = []
    show = _show_progress(progress, quiet)
    total = _count_inputs(inputs) if show else None
    with _Progress(show, total) as bar:
        if engine == "dask":
            from .engine import run_dask

            parts = run_dask(items, output, fmt=kind, scheduler=scheduler, n_workers=workers or None,
                             config=config, overrides=overrides, partition_size=partition_size, resume=resume,
                             time_limit=time_limit)
            bar.start()
            for part in parts:
                if "skipped" in part:
                    tally["skipped"] += part["skipped"]
                    bar.advance(part["skipped"], skipped=True)
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
                bar.start()  # articles/s from here: building the pipeline is not processing
                writer = stack.enter_context(open_writer(output, kind, resume=resume))
                done = writer.done_ids()
                if getattr(writer, "migrated", None):
                    typer.echo(_migrated_note(output, writer.migrated, len(done)), err=True)
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
                    _count(tally, record, failed_at)
                    bar.advance(1)
    if not quiet:
        _summary(tally)
    if tally["failed"]:
        typer.echo(_error_note(output, tally["failed"], failed_at), err=True)
    raise typer.Exit(1 if tally["failed"] else 0)


def _migrated_note(output: Path, columns: list[str], kept: int) -> str:
    """One line saying an older store was upgraded, and what its earlier records lack."""
    return (f"note: {output} was written by an older zh-news-ie; added {', '.join(columns)} (empty in the "
            f"{kept} record(s) already there: pipeline query does not sum them; run without --resume to "
            f"redo them all)")


_NAMED_ERRORS = 10  # inputs named in the closing line of a run with errors


def _error_note(output: Path, failed: int, origins: list[str]) -> str:
    """The closing line of a run with errors: where the records are and which inputs failed."""
    where = "the records on stdout" if str(output) == "-" else str(output)
    named = ", ".join(origins[:_NAMED_ERRORS])
    more = f" and {failed - len(origins[:_NAMED_ERRORS])} more" if failed > len(origins[:_NAMED_ERRORS]) else ""
    inputs = f": {named}{more}" if named else ""
    return f"{failed} record(s) carry errors (see their \"errors\" in {where}){inputs}"


def _skip_done(items, done: set[str], tally: Counter[str], bar: _Progress):  # noqa: ANN001, ANN202
    for item in items:
        if item.id in done:
            tally["skipped"] += 1
            bar.advance(1, skipped=True)
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
    """Articles in the inputs, for the ETA: files, plus non-blank lines of JSONL (a fast byte scan);
    a missing input counts once (its error record)."""
    from .io.readers import ACCEPTED_SUFFIXES

    total = 0
    try:
        for given in inputs:
            if not given.exists():
                total += 1
                continue
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
    """A rich progress bar on stderr (articles, articles/s, ETA), or nothing.

    The rate counts the articles processed since :meth:`start` (called once the
    pipeline is built) over the time since then; articles skipped by
    ``--resume`` move the bar but not the rate.
    """

    def __init__(self, show: bool, total: int | None) -> None:
        self.show, self.total = show, total
        self._bar: Any = None
        self._since = time.perf_counter()
        self._done = self._processed = 0

    def __enter__(self) -> _Progress:
        if self.show:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("[bold]articles"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                                 TextColumn("{task.fields[eta]}"), console=Console(stderr=True),
                                 transient=False, refresh_per_second=4)
            self._bar.start()
            self._task = self._bar.add_task("run", total=self.total, rate="", eta="")
        return self

    def start(self) -> None:
        """The pipeline is built: the clock of the rate (and the elapsed time) starts now."""
        self._since = time.perf_counter()
        if self._bar is not None:
            self._bar.reset(self._task, total=self.total, rate="", eta="")

    def advance(self, n: int, *, skipped: bool = False) -> None:
        self._done += n
        self._processed += 0 if skipped else n
        if self._bar is None:
            return
        rate, eta = self.rate(), ""
        if rate and self.total is not None:
            eta = "ETA " + _clock(max(self.total - self._done, 0) / rate)
        self._bar.update(self._task, advance=n, rate=f"{rate:,.1f} articles/s" if rate else "", eta=eta)

    def rate(self, *, settled: float = 1.0) -> float | None:
        """Articles per second since :meth:`start`, once ``settled`` seconds have passed."""
        elapsed = time.perf_counter() - self._since
        return self._processed / elapsed if elapsed >= settled and self._processed else None

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            rate = self.rate(settled=0.0)  # the run's own rate, however short
            eta = "ETA " + _clock(max((self.total or 0) - self._done, 0) / rate) if rate else ""
            self._bar.update(self._task, rate=f"{rate:,.1f} articles/s" if rate else "", eta=eta)
            self._bar.stop()


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _count(tally: Counter[str], a: Any, failed_at: list[str] | None = None) -> None:
    """Count an :class:`Article` or an ``Encoded`` record (which carries the numbers)."""
    tally["articles"] += 1
    tally["failed"] += 0 if a.ok else 1
    if not a.ok and failed_at is not None and len(failed_at) < _NAMED_ERRORS:
        origin = a.origin if isinstance(a, Article) else json.loads(a.json).get("origin")
        failed_at.append(origin or a.id)
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


@app.command(epilog=EXIT_CODES)
def stage(
    name: Annotated[str, typer.Argument(help=f"Stop after this stage: {', '.join(api.STAGES)}.")],
    text: Annotated[str, typer.Argument(metavar="TEXT_OR_PATH", help="The text itself, or a .txt/.html/.jsonl "
                                        "file or a folder, read as `pipeline run` reads it.")],
    as_text: Annotated[bool, typer.Option("--text", help="Take TEXT_OR_PATH as text even if it looks like "
                                          "a path.")] = False,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Run the pipeline up to one stage and print what it produced (JSON).

    A file or folder gives one JSON object per article, with its id and origin
    (a list when there are several); an input that cannot be read is one line on
    stderr.  An argument that looks like a path but names nothing is an error,
    not text.
    """
    items = [_Text(text)] if as_text else _stage_items(text)
    nlp = api.load(config, overrides=parse_overrides(set_))
    if name not in nlp.pipe_names:
        raise ConfigError(f"unknown stage {name!r}; stages: {', '.join(nlp.pipe_names)}")
    keep = nlp.pipe_names[: nlp.pipe_names.index(name) + 1]
    views, failed = [], 0
    for item in items:
        if hasattr(item, "reason"):  # an InputFailure
            failed += 1
            typer.echo(f"error: {item.origin}: {item.reason}: {item.hint}", err=True)
            continue
        with nlp.select_pipes(enable=keep):
            view = api.stage_view(nlp(item.text), name)
        views.append(view if isinstance(item, _Text) else {"id": item.id, "origin": item.origin, **view})
    if views:
        shown = views[0] if len(views) == 1 else views
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=1, default=str))
    raise typer.Exit(1 if failed else 0)


@dataclass(frozen=True)
class _Text:
    """Text given on the command line."""

    text: str


# no whitespace, and a file-name suffix, or (all ASCII) a path separator
_PATH_LIKE = re.compile(r"\S*\.[A-Za-z][A-Za-z0-9]{1,4}|[!-~]*[/\\][!-~]*")


def _stage_items(arg: str) -> list[Any]:
    """What ``stage`` processes: the articles of an existing path, or the argument as text.

    Raises :class:`InputError` when the argument looks like a path but names nothing.
    """
    from .io.readers import iter_inputs

    path = _existing_path(arg)
    if path is not None:
        return list(iter_inputs([path]))
    if _PATH_LIKE.fullmatch(arg):
        raise InputError(f"no such file or folder: {arg}; give an existing .txt/.html/.jsonl file or folder, "
                         f"or the text itself (--text takes it as text)")
    return [_Text(arg)]


def _existing_path(arg: str) -> Path | None:
    if not arg or "\n" in arg or len(arg) > 4096:
        return None
    try:
        path = Path(arg)
        return path if path.exists() else None
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return None


@app.command("eval")
def eval_(
    gold_dir: Annotated[Path, typer.Argument(help="Folder of gold *.json articles.")],
    predictions: Annotated[Path, typer.Argument(help="Records (JSONL) or a folder of *.json.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Precision, recall and F1 per record type against gold articles.

    Gold: one JSON per article with officials (name, title, place), counts
    (place, value, unit) and amounts (place, value_yuan); places match with or
    without their suffix. The format is in the README ("Gold articles")."""
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
    output: Annotated[Path, OutputDirOpt("Model directory to write (e.g. models/pkuseg-news).")],
    iterations: Annotated[int, typer.Option("--iter", help="Training iterations.")] = 10,
    domain_words: Annotated[Optional[Path], typer.Option("--domain-words", help="Extra words, one per line.")] = None,
) -> None:
    """Train a spacy-pkuseg segmentation model (used by segmenter = "pkuseg")."""
    from .ner.segmenter import train_segmenter

    typer.echo(json.dumps(train_segmenter(train, output, iterations=iterations, domain_words=domain_words)))


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


# Command modules that live beside this one (they import cli_options, not this module).
_register_review(app)
_register_scale(app)
_register_rules(app)
# (one line each; keep this marker)


def main() -> None:
    """Console entry point: user errors become one line and exit status 2."""
    try:
        app()
    except PipelineError as exc:
        typer.echo(f"error: {readable_error(str(exc))}", err=True)
        sys.exit(2)
