"""Questions over stored records, answered with SQL (SQLite).

``pipeline query STORE`` answers "households and money per town" from any
store: an SQLite database is queried in place; JSONL, CSV and Parquet output
is loaded into an in-memory SQLite database with the same tables first.
``--sql`` runs any other query over those tables (see README "Scale").
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from .errors import PipelineError
from .writers import TABLES, connect_sqlite, infer_format, read_records, sqlite_schema, to_rows

#: Households (户) and money (元) per town: places the records name at town level
#: (镇, 乡 and 街道 are all level 镇).  A town linked to the gazetteer is one row
#: by its division code however the articles write it (its names are listed);
#: an unlinked town is a row by its name.  Per-capita amounts are left out of
#: the money sum; facts whose place is another level (a village, a county) are
#: not counted here.  The same figure repeated by several articles is counted
#: once per article (sum over articles): deduplicate by sentence if that matters.
TOWN_TOTALS = """
WITH towns AS (
    SELECT COALESCE(code, name) AS key, code, GROUP_CONCAT(DISTINCT name) AS names
    FROM places WHERE level = '镇' GROUP BY COALESCE(code, name)),
households AS (
    SELECT COALESCE(place_code, place) AS key, SUM(value) AS households, COUNT(*) AS household_facts
    FROM counts WHERE unit = '户' GROUP BY COALESCE(place_code, place)),
money AS (
    SELECT COALESCE(place_code, place) AS key, SUM(value_yuan) AS yuan, COUNT(*) AS money_facts
    FROM amounts WHERE per_capita = 0 GROUP BY COALESCE(place_code, place))
SELECT towns.names AS town,
       towns.code AS code,
       COALESCE(households.households, 0) AS households,
       ROUND(COALESCE(money.yuan, 0) / 10000.0, 2) AS money_wan_yuan,
       COALESCE(households.household_facts, 0) AS household_facts,
       COALESCE(money.money_facts, 0) AS money_facts
FROM towns
LEFT JOIN households ON households.key = towns.key
LEFT JOIN money ON money.key = towns.key
WHERE households.key IS NOT NULL OR money.key IS NOT NULL
ORDER BY households DESC, money_wan_yuan DESC, town
"""


def open_store(path: Path | str, fmt: str | None = None) -> sqlite3.Connection:
    """An SQLite connection over the records at ``path`` (read in place when it is SQLite)."""
    path = Path(str(path))
    if not path.exists():
        raise PipelineError(f"no records at {path}; write them with: pipeline run INPUT --output {path}")
    if not path.is_dir() and infer_format(path, fmt) == "sqlite":
        return connect_sqlite(path)
    db = sqlite3.connect(":memory:")
    for stmt in sqlite_schema():
        db.execute(stmt)
    inserts = {t: f"INSERT INTO {t} VALUES ({', '.join('?' * len(cols))})" for t, cols in TABLES.items()}
    for article in read_records(path, fmt):
        for table, rows in to_rows(article).items():
            cols = [c for c, _ in TABLES[table]]
            db.executemany(inserts[table], [[r[c] for c in cols] for r in rows])
    db.commit()
    return db


def query(path: Path | str, sql: str = TOWN_TOTALS, params: tuple[Any, ...] = (),
          fmt: str | None = None) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` over the store at ``path``; returns (column names, rows)."""
    db = open_store(path, fmt)
    try:
        cur = db.execute(sql, params)
    except sqlite3.Error as exc:
        raise PipelineError(f"SQL error: {exc}; tables: {', '.join(TABLES)}") from None
    try:
        return [d[0] for d in cur.description or []], cur.fetchall()
    finally:
        db.close()
