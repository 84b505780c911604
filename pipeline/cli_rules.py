"""Commands: ``pipeline rules learn|report`` and ``pipeline export|import labelstudio``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli_options import OutputDirOpt
from .errors import InputError

rules_app = typer.Typer(help="Learn rules from annotated articles and measure them.", no_args_is_help=True)
export_app = typer.Typer(help="Export records for annotation tools.", no_args_is_help=True)
import_app = typer.Typer(help="Import annotations as gold articles.", no_args_is_help=True)

GoldOpt = Annotated[Path, typer.Option("--gold", help="Folder of gold articles (*.json, annotation guidelines).")]


def _gold(path: Path) -> list[dict]:
    from .learn.harness import load_gold
    if not path.is_dir():
        raise InputError(f"--gold {path}: not a folder of gold *.json articles")
    gold = load_gold(path)
    if not gold:
        raise InputError(f"--gold {path}: no *.json gold articles in it")
    return gold


def _corpus_texts(path: Path) -> list[str]:
    from .io.readers import SourceArticle, iter_inputs
    return [item.text for item in iter_inputs([path]) if isinstance(item, SourceArticle)]


@rules_app.command("learn")
def learn_cmd(
    gold: GoldOpt,
    output: Annotated[Path, OutputDirOpt("Folder to write the learned rule set to.")],
    corpus: Annotated[Optional[Path], typer.Option("--corpus", help="Unannotated articles to bootstrap from.")] = None,
    base: Annotated[Optional[Path], typer.Option("--base", help="Rule folder to start from (default: shipped rules).")] = None,
    minimal: Annotated[bool, typer.Option("--minimal", help="Start from the base's numbers and place suffixes only.")] = False,
    min_precision: Annotated[float, typer.Option(help="Keep rules at least this precise.")] = 0.75,
    min_support: Annotated[int, typer.Option(help="Keep rules with at least this many good changes.")] = 1,
    rounds: Annotated[int, typer.Option(help="At most this many learning rounds.")] = 4,
    as_json: Annotated[bool, typer.Option("--json", help="Print the learned rules as JSON.")] = False,
) -> None:
    """Induce rules from annotated articles, score each, keep the precise ones."""
    from .learn.bootstrap import BootstrapSettings, bootstrap
    from .learn.learner import LearnSettings, learn
    from .learn.ruleset import RuleSet

    articles = _gold(gold)
    start = RuleSet.load(base)
    if minimal:
        start = start.minimal()
    settings = LearnSettings(min_precision=min_precision, min_support=min_support, max_rounds=rounds)
    result = learn(articles, start, settings, log=lambda s: typer.echo(s, err=True))
    rules = result.rules
    typer.echo(f"annotated articles: micro F1 {result.f1_base:.3f} -> {result.f1_final:.3f}", err=True)
    if corpus is not None:
        rules, brounds = bootstrap(_corpus_texts(corpus), rules, BootstrapSettings(max_rounds=rounds),
                                   gold=articles, log=lambda s: typer.echo(s, err=True))
        for b in brounds:
            typer.echo(f"bootstrap round {b.round}: {b.seeds} seeds, {b.patterns} patterns, "
                       f"{len(b.added)} heads added", err=True)
    rules.write(output, header=f"Written by `pipeline rules learn` from {gold} (base: {start.base}).\n"
                            f"Learned entries carry their scores; all of them are listed in learned.yaml.")
    typer.echo(f"{len(rules.learned)} learned rules written to {output}", err=True)
    if as_json:
        typer.echo(json.dumps([r.model_dump() for r in rules.learned], ensure_ascii=False))


@rules_app.command("report")
def report_cmd(
    gold: GoldOpt,
    rules: Annotated[Optional[Path], typer.Option("--rules", help="Rule folder (default: shipped rules).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
    firing: Annotated[bool, typer.Option("--firing", help="Table: only rules that fire.")] = False,
) -> None:
    """Per rule: fires, TP, FP, precision, recall contribution; rules that never fire; conflicts."""
    from .learn.report import build_report, format_table
    from .learn.ruleset import RuleSet

    rep = build_report(_gold(gold), RuleSet.load(rules))
    typer.echo(json.dumps(rep.to_json(), ensure_ascii=False) if as_json else format_table(rep, only_firing=firing))


@export_app.command("labelstudio")
def export_labelstudio(
    inputs: Annotated[list[Path], typer.Argument(help="Articles: .txt/.html/.jsonl files or folders of them.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Label Studio tasks file (.json).")],
    rules: Annotated[Optional[Path], typer.Option("--rules", help="Rule folder to extract with.")] = None,
) -> None:
    """Run the pipeline and write its output as Label Studio pre-annotations
    (labelling config: configs/labelstudio.xml)."""
    from . import api
    from .io.readers import SourceArticle, iter_inputs
    from .labelstudio import export_tasks

    nlp = api.load(rules=rules)
    recs, skipped = [], 0
    for item in iter_inputs(inputs):
        if not isinstance(item, SourceArticle):
            skipped += 1
            typer.echo(f"skipped {item.origin}: {item.reason}", err=True)
            continue
        rec = api.extract(item.text, id=item.id, nlp=nlp, origin=item.origin, url=item.url).model_dump(mode="json")
        rec["text"] = item.text  # the task shows the text the offsets refer to
        recs.append(rec)
    n = export_tasks(recs, output)
    typer.echo(f"{n} tasks written to {output}" + (f"; {skipped} unreadable inputs skipped" if skipped else ""),
               err=True)
    if skipped:
        raise typer.Exit(1)


@import_app.command("labelstudio")
def import_labelstudio(
    tasks: Annotated[Path, typer.Argument(help="Label Studio JSON export.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the gold articles.")],
) -> None:
    """Corrected Label Studio tasks → gold articles (annotation-guideline format)."""
    from .labelstudio import import_tasks

    written = import_tasks(tasks, output)
    typer.echo(f"{len(written)} gold articles written to {output}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
    app.add_typer(export_app, name="export")
    app.add_typer(import_app, name="import")
