"""Questions over stored records, answered with SQL (SQLite).

``pipeline query STORE`` answers "households, people and money per town and
metric" from any store: an SQLite database is queried in place, read only; JSONL, CSV and Parquet output
is loaded into an in-memory SQLite database with the same tables first.
``--sql`` runs any other query over those tables (see README "Scale").

A store an older version wrote is read as it is, never migrated: the columns its
records lack (``metric`` of schema 2, see :data:`~pipeline.writers.ADDED_IN`) are
null, as in a store that ``pipeline run --resume`` migrated, so the town query
sums none of those facts.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from .errors import PipelineError
from .records import SCHEMA_VERSION
from .writers import ADDED_IN, TABLES, infer_format, read_records, sqlite_schema, to_rows

#: Households (户), people (人), person-times (人次) and money (万元) per town and
#: metric: places the records name at town level (镇, 乡 and 街道 are all level
#: 镇).  A town linked to the gazetteer is one row per metric by its division
#: code however the articles write it (its names are listed); an unlinked town
#: is keyed by its name.  Only facts of one metric are added up (120 poor
#: households and the 68 of them lifted out are two rows, never 188); facts of
#: metric ``other`` are never summed, nor are per-capita amounts and
#: ``income_per_capita`` (a sum of averages means nothing).  Money is in 万元
#: (10,000 元), rounded to 0.01.  Facts whose place is another level (a
#: village, a county) are not counted here.  The same figure repeated by
#: several articles is counted once per article (sum over articles):
#: deduplicate by sentence if that matters.  Metrics: configs/rules/metrics.yaml.
TOWN_TOTALS = """
WITH towns AS (
    SELECT COALESCE(code, name) AS key, code, GROUP_CONCAT(DISTINCT name) AS names
    FROM places WHERE level = '镇' GROUP BY COALESCE(code, name)),
facts AS (
    SELECT COALESCE(place_code, place) AS key, metric,
           SUM(CASE WHEN unit = '户' THEN value END) AS households,
           SUM(CASE WHEN unit = '人' THEN value END) AS people,
           SUM(CASE WHEN unit = '人次' THEN value END) AS person_times,
           NULL AS yuan, COUNT(*) AS n
    FROM counts WHERE metric <> 'other' GROUP BY COALESCE(place_code, place), metric
    UNION ALL
    SELECT COALESCE(place_code, place), metric, NULL, NULL, NULL, SUM(value_yuan), COUNT(*)
    FROM amounts WHERE metric NOT IN ('other', 'income_per_capita') AND per_capita = 0
    GROUP BY COALESCE(place_code, place), metric)
SELECT towns.names AS town,
       towns.code AS code,
       facts.metric AS metric,
       SUM(facts.households) AS households,
       SUM(facts.people) AS people,
       SUM(facts.person_times) AS person_times,
       ROUND(SUM(facts.yuan) / 10000.0, 2) AS money_wan_yuan,
       SUM(facts.n) AS facts
FROM towns
JOIN facts ON facts.key = towns.key
GROUP BY towns.key, facts.metric
ORDER BY town, metric
"""


def open_store(path: Path | str, fmt: str | None = None) -> sqlite3.Connection:
    """An SQLite connection over the records at ``path`` (read in place, read only, when it is SQLite)."""
    path = Path(str(path))
    if not path.exists():
        raise PipelineError(f"no records at {path}; write them with: pipeline run INPUT --output {path}")
    if not path.is_dir() and infer_format(path, fmt) == "sqlite":
        return _open_sqlite(path)
    db = sqlite3.connect(":memory:")
    for stmt in sqlite_schema():
        db.execute(stmt)
    inserts = {t: f"INSERT INTO {t} VALUES ({', '.join('?' * len(cols))})" for t, cols in TABLES.items()}
    for article in read_records(path, fmt):
        unknown = _unknown_columns(article.schema_version)
        for table, rows in to_rows(article).items():
            cols = [c for c, _ in TABLES[table]]
            null = unknown.get(table, set())
            db.executemany(inserts[table], [[None if c in null else r[c] for c in cols] for r in rows])
    db.commit()
    return db


def _unknown_columns(schema_version: str) -> dict[str, set[str]]:
    """The columns a record of ``schema_version`` never had (the record model filled in defaults)."""
    version = int(schema_version) if schema_version.isdigit() else int(SCHEMA_VERSION)
    return {t: {c for c, since in added.items() if version < since} for t, added in ADDED_IN.items()}


def _open_sqlite(path: Path) -> sqlite3.Connection:
    """The store at ``path`` as it is: a table of an older layout is seen through a
    temporary view that adds the columns it lacks as null (a missing table is an empty
    temporary one); nothing is written to the file, and the connection is query-only."""
    db = sqlite3.connect(str(path))  # no journal_mode change: that would write the file
    try:
        for table, cols in TABLES.items():
            have = {r[1] for r in db.execute(f"PRAGMA main.table_info({table})")}
            if not have:
                defs = ", ".join(f'"{c}" {t}' for c, t in cols)
                db.execute(f"CREATE TEMP TABLE {table} ({defs})")
            elif missing := [c for c, _ in cols if c not in have]:
                nulls = ", ".join(f'NULL AS "{c}"' for c in missing)
                db.execute(f"CREATE TEMP VIEW {table} AS SELECT *, {nulls} FROM main.{table}")
        db.execute("PRAGMA query_only = ON")
    except sqlite3.DatabaseError as exc:
        db.close()
        raise PipelineError(f"cannot read {path} as an SQLite store: {exc}") from None
    return db


def query(path: Path | str, sql: str = TOWN_TOTALS, params: tuple[Any, ...] = (),
          fmt: str | None = None) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` over the store at ``path``; returns (column names, rows)."""
    db = open_store(path, fmt)
    try:
        try:
            cur = db.execute(sql, params)
        except sqlite3.Error as exc:
            raise PipelineError(f"SQL error: {exc}; tables: {', '.join(TABLES)}") from None
        return [d[0] for d in cur.description or []], cur.fetchall()
    finally:
        db.close()  # on an error too: an SQLite store's -wal and -shm go with the last connection
