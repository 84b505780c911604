"""``pipeline query``: SQL over stored records (registered by pipeline.cli)."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .query import TOWN_TOTALS, query


def register(app: typer.Typer) -> None:
    app.command("query")(query_cmd)


def query_cmd(
    store: Annotated[Path, typer.Argument(help="Records: .sqlite/.db, .jsonl, or a CSV/Parquet/partitioned folder.")],
    sql: Annotated[Optional[str], typer.Option("--sql", help="SQL over the tables articles, places, officials, "
                                               "counts, amounts, errors (default: households, people and "
                                               "money per town and metric).")] = None,
    fmt: Annotated[str, typer.Option("--as", help="table, csv or json.")] = "table",
    limit: Annotated[int, typer.Option("--limit", min=0, help="Rows to print (0: all).")] = 0,
) -> None:
    """Answer questions over stored records; by default households (户), people (人) and money (万元)
    per town and metric."""
    columns, rows = query(store, sql or TOWN_TOTALS)
    if limit:
        rows = rows[:limit]
    if fmt == "json":
        for row in rows:
            typer.echo(json.dumps(dict(zip(columns, row)), ensure_ascii=False))
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(columns)
        w.writerows(rows)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        Console().print(table)
