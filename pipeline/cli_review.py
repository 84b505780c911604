"""``pipeline show``: write the static review site (see :mod:`pipeline.review`)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import api
from .cli_options import ConfigOpt, SetOpt, parse_overrides
from .errors import InputError


def show(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write index.html and articles/ into.")],
    inputs: Annotated[Optional[list[Path]], typer.Argument(
        help=".txt/.html files, folders of them, or .jsonl files (the texts of the records).")] = None,
    records: Annotated[Optional[Path], typer.Option(
        "--records", "-r", help="Show the facts of this records file (from `pipeline run`) instead of re-extracting; "
                                "the inputs are then only run through the entity stages for highlighting.")] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Write a static HTML review site: each article with its highlighted mentions, relations,
    evidence and errors, and an index with a per-place summary.  Open OUTPUT/index.html in a browser.

    Exit status as for `pipeline run`: 0 no errors; 1 written, but some articles carry errors (or
    records and inputs do not match); 2 could not start."""
    from .review import build_site

    if not inputs and records is None:
        raise InputError("nothing to show: give INPUT files or folders, or --records OUT.jsonl (with its inputs)")
    nlp = api.load(config, overrides=parse_overrides(set_))
    report = build_site(nlp, inputs or [], output, records=records)
    for problem in report.problems:
        typer.echo(f"warning: {problem}", err=True)
    typer.echo(f"{report.pages} article page(s), {report.with_errors} with errors: {report.index}", err=True)
    raise typer.Exit(1 if report.with_errors or report.problems else 0)


def register(app: typer.Typer) -> None:
    """Add ``show`` to the ``pipeline`` command."""
    app.command("show")(show)
