"""Output stores: JSONL (default), CSV, Parquet and SQLite.

Every store is a context manager with ``write(article)`` and ``done_ids()``
(the ids already stored, for ``--resume``).  Writes are atomic per record:

* **JSONL** — one ``os.write`` of the complete line on an ``O_APPEND`` file
  descriptor (no user-space buffer), so a killed run never leaves half a
  record from Python; a partial trailing line (power loss, full disk) is cut
  off when the file is opened with ``resume=True``.  ``fsync`` runs every
  ``sync_every`` records and at close.
* **CSV** — one file per record type (``articles.csv``, ``officials.csv``
  …) in a directory.  The article row is written after its child rows, so
  an id in ``articles.csv`` means the record is complete; on resume, child
  rows of ids that never reached ``articles.csv`` are dropped, and a file of
  an older schema is rewritten with the current header (an empty cell in the
  columns it lacks, e.g. ``metric`` of schema 2) before rows are added to it.
* **Parquet** (``pyarrow``) — one folder per record type holding part files
  (``articles/part-….parquet``), a part per ``batch`` records, each written
  to a temporary name and renamed; read a table with
  ``pyarrow.dataset.dataset("out/officials")`` or ``pandas.read_parquet``.
* **SQLite** — tables ``articles``, ``places``, ``officials``, ``counts``,
  ``amounts``, ``errors`` (keys: ``articles.id``, ``(article_id, seq)``)
  with indexes on place and name; a transaction per ``batch`` records.  The
  layout's schema is ``PRAGMA user_version``; resuming into a store of an
  older schema adds the columns it lacks (null in the records already there,
  e.g. ``metric`` of a schema-2 store) and raises its ``user_version``.

:func:`read_records` reads any store back into :class:`Article` records.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from .errors import PipelineError
from .records import SCHEMA_VERSION, Article

FORMATS = ("jsonl", "csv", "parquet", "sqlite")
_SUFFIX_FORMAT = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet",
                  ".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite"}

# ------------------------------------------------------------------ tables

_EVIDENCE = [("rule", "TEXT"), ("sentence", "TEXT"), ("start", "INTEGER"), ("end", "INTEGER"),
             ("confidence", "REAL")]
# evidence of schema 4 (the attach ranker's second choice); last, as columns added later are
_RUNNER_UP_COLUMNS = [("runner_up_place", "TEXT"), ("runner_up_probability", "REAL")]
_RUNNER_UP = {c for c, _ in _RUNNER_UP_COLUMNS}
_LIST_FIELDS = ("places", "officials", "counts", "amounts", "errors")
#: Article fields stored as columns of ``articles``: lists of strings as JSON, booleans as 0/1.
_ARTICLE_SCALARS = [(name, "INTEGER" if f.annotation is bool else "TEXT")
                    for name, f in Article.model_fields.items() if name not in _LIST_FIELDS]
#: Columns of each table as (name, SQL type); child tables are keyed by (article_id, seq).
TABLES: dict[str, list[tuple[str, str]]] = {
    # the scalar fields of Article (derived, so a new field gets a column), then counts
    "articles": [*_ARTICLE_SCALARS, ("n_places", "INTEGER"), ("n_officials", "INTEGER"),
                 ("n_counts", "INTEGER"), ("n_amounts", "INTEGER"), ("n_errors", "INTEGER")],
    # codes are TEXT: division codes keep their leading digits as written
    "places": [("article_id", "TEXT"), ("seq", "INTEGER"), ("name", "TEXT"), ("level", "TEXT"),
               ("mentions", "INTEGER"), ("code", "TEXT"), ("parent_code", "TEXT"), ("path", "TEXT"),
               ("link_rule", "TEXT"), ("link_confidence", "REAL"), ("candidates", "INTEGER")],
    "officials": [("article_id", "TEXT"), ("seq", "INTEGER"), ("name", "TEXT"), ("title", "TEXT"),
                  ("place", "TEXT"), ("place_code", "TEXT"), *_EVIDENCE, *_RUNNER_UP_COLUMNS],
    "counts": [("article_id", "TEXT"), ("seq", "INTEGER"), ("place", "TEXT"), ("place_code", "TEXT"),
               ("value", "INTEGER"), ("unit", "TEXT"), ("subject", "TEXT"), ("approx", "INTEGER"), *_EVIDENCE,
               ("metric", "TEXT"), *_RUNNER_UP_COLUMNS],
    "amounts": [("article_id", "TEXT"), ("seq", "INTEGER"), ("place", "TEXT"), ("place_code", "TEXT"),
                ("value_yuan", "REAL"), ("subject", "TEXT"), ("approx", "INTEGER"), ("per_capita", "INTEGER"),
                *_EVIDENCE, ("metric", "TEXT"), *_RUNNER_UP_COLUMNS],
    "errors": [("article_id", "TEXT"), ("seq", "INTEGER"), ("stage", "TEXT"), ("reason", "TEXT"),
               ("origin", "TEXT"), ("hint", "TEXT"), ("data", "TEXT")],
}
CHILD_TABLES = ("places", "officials", "counts", "amounts", "errors")
#: Columns added after schema 1, by the schema that added them: records of an older schema
#: have none (``pipeline query`` reads them as null, as a store migrated by resume holds them).
ADDED_IN: dict[str, dict[str, int]] = {"officials": dict.fromkeys(_RUNNER_UP, 4),
                                       "counts": {"metric": 3, **dict.fromkeys(_RUNNER_UP, 4)},
                                       "amounts": {"metric": 3, **dict.fromkeys(_RUNNER_UP, 4)}}
_BOOL_COLUMNS = {"ok", "approx", "per_capita"}
_ARTICLE_JSON = {name for name, f in Article.model_fields.items()
                 if name not in _LIST_FIELDS and str(f.annotation).startswith("list")}
#: Columns that may be null; CSV writes null as an empty cell (so "" reads back as null there).
NULLABLE = {"articles": {name for name, f in Article.model_fields.items()
                         if name not in _LIST_FIELDS and not f.is_required() and f.default is None},
            "places": {"code", "parent_code", "link_rule"},
            "officials": {"place", "place_code", *_RUNNER_UP}, "counts": {"place", "place_code", *_RUNNER_UP},
            "amounts": {"place", "place_code", *_RUNNER_UP},
            "errors": {"origin", "hint", "data"}}
#: Indexes created in SQLite: "on place and name" for the usual questions.
SQLITE_INDEXES = {
    "places": ["name", "level", "code"], "officials": ["place", "name", "place_code"],
    "counts": ["place", "unit", "place_code", "metric"], "amounts": ["place", "place_code", "metric"], "errors": ["stage"],
}


def to_rows(article: Article) -> dict[str, list[dict[str, Any]]]:
    """One article as rows of the tables (children first, the article row last)."""
    aid = article.id
    rows: dict[str, list[dict[str, Any]]] = {}
    rows["places"] = [{"article_id": aid, "seq": i, **p.model_dump(exclude={"path"}),
                       "path": json.dumps(p.path, ensure_ascii=False)} for i, p in enumerate(article.places)]
    rows["officials"] = [{"article_id": aid, "seq": i, "name": o.name, "title": o.title, "place": o.place,
                          "place_code": o.place_code, **o.evidence.model_dump()}
                         for i, o in enumerate(article.officials)]
    rows["counts"] = [{"article_id": aid, "seq": i, "place": c.place, "place_code": c.place_code, "value": c.value,
                       "unit": c.unit, "subject": c.subject, "approx": c.approx, **c.evidence.model_dump(),
                       "metric": c.metric}
                      for i, c in enumerate(article.counts)]
    rows["amounts"] = [{"article_id": aid, "seq": i, "place": a.place, "place_code": a.place_code,
                        "value_yuan": a.value_yuan,
                        "subject": a.subject, "approx": a.approx, "per_capita": a.per_capita,
                        **a.evidence.model_dump(), "metric": a.metric} for i, a in enumerate(article.amounts)]
    rows["errors"] = [{"article_id": aid, "seq": i, "stage": e.stage, "reason": e.reason, "origin": e.origin,
                       "hint": e.hint, "data": None if e.data is None else json.dumps(e.data, ensure_ascii=False)}
                      for i, e in enumerate(article.errors)]
    scalars = {name: getattr(article, name) for name, _ in _ARTICLE_SCALARS}
    for name in _ARTICLE_JSON:
        scalars[name] = json.dumps(scalars[name], ensure_ascii=False)
    rows["articles"] = [{
        **scalars, "n_places": len(article.places), "n_officials": len(article.officials), "n_counts": len(article.counts),
        "n_amounts": len(article.amounts), "n_errors": len(article.errors)}]
    return rows


def from_rows(tables: dict[str, list[dict[str, Any]]]) -> Iterator[Article]:
    """Rebuild articles from table rows (any store), in the order of the articles table."""
    children: dict[str, dict[str, list[dict]]] = {t: {} for t in CHILD_TABLES}
    for table in CHILD_TABLES:
        for row in tables.get(table, []):
            children[table].setdefault(row["article_id"], []).append(row)
    for a in tables.get("articles", []):
        aid = a["id"]
        kids = {t: sorted(children[t].get(aid, []), key=lambda r: int(r["seq"])) for t in CHILD_TABLES}
        scalars = {name: a.get(name) for name, _ in _ARTICLE_SCALARS}
        for name in _ARTICLE_JSON:
            scalars[name] = _json_value(scalars[name]) or []
        scalars["ok"] = _bool(scalars["ok"])
        yield Article.model_validate({
            **scalars,
            "places": [_place_row(r) for r in kids["places"]],
            "officials": [{"name": r["name"], "title": r["title"], "place": r["place"],
                           "place_code": r.get("place_code"), "evidence": _evidence(r)} for r in kids["officials"]],
            "counts": [{"place": r["place"], "place_code": r.get("place_code"), "value": int(r["value"]),
                        "unit": r["unit"], "subject": r["subject"] or "", "metric": r.get("metric") or "other",
                        "approx": _bool(r["approx"]), "evidence": _evidence(r)} for r in kids["counts"]],
            "amounts": [{"place": r["place"], "place_code": r.get("place_code"),
                         "value_yuan": float(r["value_yuan"]), "subject": r["subject"] or "",
                         "metric": r.get("metric") or "other",
                         "approx": _bool(r["approx"]), "per_capita": _bool(r["per_capita"]),
                         "evidence": _evidence(r)} for r in kids["amounts"]],
            "errors": [{"stage": r["stage"], "reason": r["reason"], "origin": r["origin"], "hint": r["hint"],
                        "data": _json_value(r["data"])} for r in kids["errors"]],
        })


def _place_row(r: dict) -> dict:
    """A places row back as a Place (codes as text, the path from JSON)."""
    def code(v: Any) -> str | None:
        return None if v in (None, "") else str(v)

    conf = r.get("link_confidence")
    return {"name": r["name"], "level": r["level"], "mentions": int(r["mentions"]), "code": code(r.get("code")),
            "parent_code": code(r.get("parent_code")), "path": _json_value(r.get("path")) or [],
            "link_rule": r.get("link_rule") or None, "link_confidence": float(conf) if conf not in (None, "") else 0.0,
            "candidates": int(r.get("candidates") or 0)}


def _evidence(r: dict) -> dict:
    prob = r.get("runner_up_probability")
    return {"rule": r["rule"], "sentence": r["sentence"], "start": int(r["start"]), "end": int(r["end"]),
            "confidence": float(r["confidence"]), "runner_up_place": r.get("runner_up_place") or None,
            "runner_up_probability": None if prob in (None, "") else float(prob)}


def _bool(v: Any) -> bool:
    return v in (True, 1, "1", "True", "true")


def _json_value(v: Any) -> Any:
    return None if v is None or v == "" else json.loads(v)


# ------------------------------------------------------------------ protocol


class RecordWriter(Protocol):
    path: Path

    def write(self, article: Article) -> None: ...
    def done_ids(self) -> set[str]: ...
    def __enter__(self) -> RecordWriter: ...
    def __exit__(self, *exc: object) -> None: ...


def infer_format(path: Path | str, fmt: str | None = None) -> str:
    """The store for ``path``: ``fmt`` if given, else from the suffix (JSONL when none fits)."""
    if fmt:
        if fmt not in FORMATS:
            raise PipelineError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    return _SUFFIX_FORMAT.get(Path(str(path)).suffix.lower(), "jsonl")


def open_writer(path: Path | str, fmt: str | None = None, *, resume: bool = False, **options: Any) -> RecordWriter:
    """A store writing to ``path``; with ``resume`` existing records are kept (see :meth:`done_ids`)."""
    kind = infer_format(path, fmt)
    if str(path) == "-" and kind != "jsonl":
        raise PipelineError(f"only JSONL can be written to stdout, not {kind}")
    cls = {"jsonl": JsonlWriter, "csv": CsvWriter, "parquet": ParquetWriter, "sqlite": SqliteWriter}[kind]
    return cls(path, resume=resume, **options)


class _Base:
    def __init__(self, path: Path | str, *, resume: bool = False) -> None:
        self.path = Path(str(path))
        self.resume = resume
        self._done: set[str] = set()

    def done_ids(self) -> set[str]:
        """Ids of the complete records already in the store (empty unless resuming)."""
        return set(self._done)

    def __enter__(self):  # noqa: ANN204
        try:
            self.open()
        except PipelineError:
            raise
        except (OSError, ValueError, KeyError, sqlite3.Error) as exc:  # a path that cannot hold the store
            raise PipelineError(f"cannot open output {getattr(self, 'path', '')}: {exc}. Choose another "
                                f"--output (a .jsonl file, a .sqlite file, or a folder for csv/parquet)"
                                ) from None
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def open(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


# ------------------------------------------------------------------ JSONL


def repair_jsonl(path: Path) -> set[str]:
    """Cut a partial trailing line off ``path`` and return the ids of its complete records."""
    ids: set[str] = set()
    with path.open("rb+") as fh:
        good = 0
        for line in fh:
            if not line.endswith(b"\n"):
                break
            good += len(line)
            if line.strip():
                ids.add(str(json.loads(line)["id"]))
        fh.truncate(good)
    return ids


class JsonlWriter(_Base):
    """One JSON record per line (``-`` for stdout), each line one ``write`` call."""

    def __init__(self, path: Path | str, *, resume: bool = False, sync_every: int = 1000) -> None:
        super().__init__(path, resume=resume)
        self.sync_every = sync_every
        self._fd: int | None = None
        self._since_sync = 0

    def open(self) -> None:
        if str(self.path) == "-":
            self._fd = -1  # sys.stdout, whatever it is now (a test runner may replace it)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.resume and self.path.exists():
            self._done = repair_jsonl(self.path)
            flags = os.O_WRONLY | os.O_APPEND
        else:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND
        self._fd = os.open(self.path, flags, 0o644)

    def write(self, article: Article) -> None:
        self.write_line(article.model_dump_json())

    def write_line(self, line: str) -> None:
        """Write one serialised record (no newline) as a single ``os.write``."""
        assert self._fd is not None, "use the writer as a context manager"
        if self._fd == -1:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
            return
        data = (line + "\n").encode("utf-8")
        while data:  # a regular file takes it in one call; a pipe may take part of it
            data = data[os.write(self._fd, data):]
        self._since_sync += 1
        if self.sync_every and self._since_sync >= self.sync_every:
            os.fsync(self._fd)
            self._since_sync = 0

    def close(self) -> None:
        if self._fd is not None and self._fd != -1:
            os.fsync(self._fd)
            os.close(self._fd)
        self._fd = None


# ------------------------------------------------------------------ CSV


class CsvWriter(_Base):
    """A directory with one CSV file per table; booleans as 0/1, lists and dicts as JSON.

    ``migrated``: the columns added to the files of an older store opened with
    ``resume`` (see :func:`migrate_csv`); the records already there have them empty."""

    def __init__(self, path: Path | str, *, resume: bool = False, sync_every: int = 1000) -> None:
        super().__init__(path, resume=resume)
        self.sync_every = sync_every
        self._files: dict[str, Any] = {}
        self._writers: dict[str, Any] = {}
        self._since_sync = 0
        self.migrated: list[str] = []

    def open(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        if self.resume:
            # every file rows are appended to must have the header they are written in
            for table in TABLES:
                file = self.path / f"{table}.csv"
                if file.exists():
                    _cut_partial_csv_row(file)
                    self.migrated += migrate_csv(file, table)
        if self.resume and (self.path / "articles.csv").exists():
            self._repair()
        for table, cols in TABLES.items():
            file = self.path / f"{table}.csv"
            fresh = not (self.resume and file.exists())
            fh = file.open("w" if fresh else "a", encoding="utf-8", newline="")
            w = csv.writer(fh)
            if fresh:
                w.writerow([c for c, _ in cols])
            self._files[table], self._writers[table] = fh, w

    def _repair(self) -> None:
        """Drop child rows whose article row was never written (partial lines are cut already)."""
        self._done = {row["id"] for row in _read_csv(self.path / "articles.csv")}
        for table in CHILD_TABLES:
            file = self.path / f"{table}.csv"
            if not file.exists():
                continue
            rows = list(_read_csv(file))
            if all(r["article_id"] in self._done for r in rows):
                continue
            tmp = file.with_suffix(".csv.tmp")
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=[c for c, _ in TABLES[table]])
                w.writeheader()
                w.writerows(r for r in rows if r["article_id"] in self._done)
            os.replace(tmp, file)

    def write(self, article: Article) -> None:
        for table, rows in to_rows(article).items():  # articles last
            if not rows:
                continue
            # one write of whole rows: a kill leaves at most one torn record at the end
            buf = io.StringIO(newline="")
            w = csv.writer(buf)
            for row in rows:
                w.writerow([_csv_cell(row[c]) for c, _ in TABLES[table]])
            fh = self._files[table]
            fh.write(buf.getvalue())
            fh.flush()
        self._since_sync += 1
        if self.sync_every and self._since_sync >= self.sync_every:
            for fh in self._files.values():
                os.fsync(fh.fileno())
            self._since_sync = 0

    def close(self) -> None:
        for fh in self._files.values():
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        self._files, self._writers = {}, {}


def _csv_cell(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    return "" if v is None else v


_QUOTE_OR_NEWLINE = re.compile(rb'["\n]')


def _cut_partial_csv_row(path: Path) -> None:
    """Cut a torn last row: at the last newline outside a quoted field (fields may
    hold newlines; a doubled quote toggles twice, so it leaves the state alone)."""
    with path.open("rb+") as fh:
        data = fh.read()
        in_quotes, end = False, 0
        for m in _QUOTE_OR_NEWLINE.finditer(data):
            if m.group() == b'"':
                in_quotes = not in_quotes
            elif not in_quotes:
                end = m.end()
        if end != len(data):
            fh.truncate(end)


def migrate_csv(file: Path, table: str) -> list[str]:
    """Bring one CSV file of a store up to the columns of :data:`TABLES`: a file of an
    older schema (``counts.csv`` and ``amounts.csv`` of schema 2 lack ``metric``) is
    rewritten with the current header and an empty cell in the columns it lacked, to a
    temporary file renamed over it.  Returns the columns added (``table.column``).

    Rows that already have the current columns under the old header (appended by a
    resume before this migration existed; added columns come last) are kept as they
    are.  A column this version does not write is a :class:`PipelineError`."""
    cols = [c for c, _ in TABLES[table]]
    with file.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), None)
    if header == cols:
        return []
    unknown = [c for c in header or [] if c not in cols]
    if unknown:
        raise PipelineError(f"{file} has a column this zh-news-ie does not write ({', '.join(unknown)}): it holds "
                            f"records of a newer schema; upgrade zh-news-ie to resume into it, or run without "
                            f"--resume (or to another --output) to start afresh")
    header = header or []  # an empty file (a kill before its header reached the disk): the header alone
    appended_as_now = header == cols[:len(header)]
    tmp = file.with_name(file.name + ".tmp")
    try:
        with file.open(encoding="utf-8", newline="") as src, tmp.open("w", encoding="utf-8", newline="") as dst:
            rows = csv.reader(src)
            next(rows, None)
            w = csv.writer(dst)
            w.writerow(cols)
            for n, row in enumerate(rows, start=2):
                if len(row) == len(header):
                    cells = dict(zip(header, row))
                    row = [cells.get(c, "") for c in cols]
                elif not (appended_as_now and len(row) == len(cols)):
                    raise PipelineError(f"{file} row {n} has {len(row)} cells under a header of {len(header)}; "
                                        f"it cannot be resumed into: run without --resume (or to another "
                                        f"--output) to start afresh")
                w.writerow(row)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return [f"{table}.{c}" for c in cols if c not in header] if header else []


def _read_csv(path: Path) -> Iterator[dict[str, Any]]:
    nullable = NULLABLE[path.stem]
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {k: (None if v == "" and k in nullable else v) for k, v in row.items()}


# ------------------------------------------------------------------ Parquet


def _arrow_schema(table: str):  # noqa: ANN202
    import pyarrow as pa

    types = {"TEXT": pa.string(), "INTEGER": pa.int64(), "REAL": pa.float64()}
    return pa.schema([(c, pa.bool_() if c in _BOOL_COLUMNS else types[t]) for c, t in TABLES[table]])


class ParquetWriter(_Base):
    """A directory with one folder of Parquet part files per table (needs ``pyarrow``).

    With ``part_name`` the writer owns only the parts of that name (one
    partition of a folder that other processes write into at the same time).
    """

    def __init__(self, path: Path | str, *, resume: bool = False, batch: int = 2000,
                 part_name: str | None = None) -> None:
        super().__init__(path, resume=resume)
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise PipelineError("Parquet output needs pyarrow: pip install 'zh-news-ie[parquet]'") from None
        self.batch = batch
        self.part_name = part_name
        self._rows: dict[str, list[dict]] = {t: [] for t in TABLES}
        self._pending = 0
        self._parts = 0
        self._stamp = f"{time.time_ns():x}-{os.getpid()}"

    def open(self) -> None:
        for table in TABLES:
            (self.path / table).mkdir(parents=True, exist_ok=True)
        if self.part_name:  # one partition of a shared folder (dask): touch only its own files
            for table in TABLES:
                for p in [*(self.path / table).glob(f"{self.part_name}.parquet"),
                          *(self.path / table).glob(f"{self.part_name}-*.parquet")]:
                    p.unlink()
            return
        if self.resume:
            import pyarrow.parquet as pq

            # a part is complete when its articles part exists (written last)
            done_parts = {p.name for p in (self.path / "articles").glob("*.parquet")}
            for table in CHILD_TABLES:
                for p in (self.path / table).glob("*.parquet"):
                    if p.name not in done_parts:
                        p.unlink()
            for p in sorted((self.path / "articles").glob("*.parquet")):
                self._done.update(pq.read_table(p, columns=["id"]).column("id").to_pylist())
        else:
            for table in TABLES:
                for p in (self.path / table).glob("*.parquet"):
                    p.unlink()
        for table in TABLES:
            for p in (self.path / table).glob(".*.tmp"):
                p.unlink()

    def write(self, article: Article) -> None:
        for table, rows in to_rows(article).items():
            self._rows[table].extend(rows)
        self._pending += 1
        if self._pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write the buffered records as one part per table (articles last), each renamed into place."""
        if not self._pending:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.part_name:
            name = f"{self.part_name}.parquet" if not self._parts else f"{self.part_name}-{self._parts}.parquet"
        else:
            name = f"part-{self._stamp}-{self._parts:05d}.parquet"
        for table in (*CHILD_TABLES, "articles"):
            t = pa.Table.from_pylist(self._rows[table], schema=_arrow_schema(table))
            tmp = self.path / table / f".{name}.tmp"
            pq.write_table(t, tmp)
            os.replace(tmp, self.path / table / name)
            self._rows[table] = []
        self._pending = 0
        self._parts += 1

    def close(self) -> None:
        self.flush()


def read_parquet_tables(path: Path) -> dict[str, list[dict]]:
    import pyarrow.parquet as pq

    out: dict[str, list[dict]] = {}
    for table in TABLES:
        rows: list[dict] = []
        for p in sorted((path / table).glob("*.parquet")):
            rows.extend(pq.read_table(p).to_pylist())
        out[table] = rows
    return out


# ------------------------------------------------------------------ SQLite


def sqlite_schema() -> list[str]:
    """CREATE statements of the SQLite store."""
    stmts = []
    for table, cols in TABLES.items():
        defs = [f'"{c}" {t}' for c, t in cols]
        key = "PRIMARY KEY (id)" if table == "articles" else "PRIMARY KEY (article_id, seq)"
        stmts.append(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(defs)}, {key})")
    for table, columns in SQLITE_INDEXES.items():
        for c in columns:
            stmts.append(f"CREATE INDEX IF NOT EXISTS {table}_{c} ON {table} ({c})")
    return stmts


#: The SQLite layout's version, kept in ``PRAGMA user_version`` (0: a store written before it was kept there).
SQLITE_VERSION = int(SCHEMA_VERSION)


def migrate_sqlite(db: sqlite3.Connection, path: Path | str) -> list[str]:
    """Bring the tables of an existing store up to :data:`TABLES`: add the columns an
    older schema lacks (``counts.metric`` and ``amounts.metric`` of schema 2; null in
    the rows already there) and set ``user_version``, in one transaction.  Returns the
    columns added (``table.column``).  A store of a newer schema is a :class:`PipelineError`."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SQLITE_VERSION:
        raise PipelineError(f"{path} holds records of schema {version}, newer than this zh-news-ie writes "
                            f"({SQLITE_VERSION}); upgrade zh-news-ie to resume into it, or run without --resume "
                            f"(or to another --output) to start afresh")
    added: list[str] = []
    db.execute("BEGIN")
    try:
        for table, cols in TABLES.items():
            have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
            if not have:
                continue  # created with the current layout below
            for column, sql_type in cols:
                if column not in have:
                    db.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {sql_type}')
                    added.append(f"{table}.{column}")
        db.execute(f"PRAGMA user_version = {SQLITE_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return added


def _sqlite_insert(table: str, cols: list[tuple[str, str]]) -> str:
    """The INSERT of one row, columns named: a migrated table has them in another order (added ones last)."""
    names = ", ".join('"%s"' % c for c, _ in cols)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"


class SqliteWriter(_Base):
    """An SQLite database; one transaction per ``batch`` records (a record is never half stored).

    ``migrated``: the columns added to an older store opened with ``resume`` (see
    :func:`migrate_sqlite`); the records already there have null in them."""

    def __init__(self, path: Path | str, *, resume: bool = False, batch: int = 200) -> None:
        super().__init__(path, resume=resume)
        self.batch = batch
        self._db: sqlite3.Connection | None = None
        self._pending = 0
        self.migrated: list[str] = []
        self._inserts = {t: _sqlite_insert(t, cols) for t, cols in TABLES.items()}

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.resume and self.path.exists():
            self.path.unlink()
            for extra in ("-wal", "-shm", "-journal"):
                Path(f"{self.path}{extra}").unlink(missing_ok=True)
        self._db = connect_sqlite(self.path)
        if self.resume:
            self.migrated = migrate_sqlite(self._db, self.path)
        for stmt in sqlite_schema():
            self._db.execute(stmt)
        self._db.execute(f"PRAGMA user_version = {SQLITE_VERSION}")
        self._db.commit()
        if self.resume:
            self._done = {r[0] for r in self._db.execute("SELECT id FROM articles")}

    def write(self, article: Article) -> None:
        assert self._db is not None, "use the writer as a context manager"
        for table, rows in to_rows(article).items():
            if rows:
                cols = [c for c, _ in TABLES[table]]
                self._db.executemany(self._inserts[table], [[r[c] for c in cols] for r in rows])
        self._pending += 1
        if self._pending >= self.batch:
            self._db.commit()
            self._pending = 0

    def close(self) -> None:
        if self._db is not None:
            self._db.commit()
            self._db.close()
            self._db = None


def connect_sqlite(path: Path | str) -> sqlite3.Connection:
    db = sqlite3.connect(str(path))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def read_sqlite_tables(path: Path) -> dict[str, list[dict]]:
    db = sqlite3.connect(str(path))
    db.row_factory = sqlite3.Row
    try:
        order = {"articles": "rowid"}
        return {t: [dict(r) for r in db.execute(f"SELECT * FROM {t} ORDER BY {order.get(t, 'rowid')}")]
                for t in TABLES}
    finally:
        db.close()


# ------------------------------------------------------------------ reading back


def read_jsonl(path: Path) -> Iterator[Article]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Article.model_validate_json(line)


def read_records(path: Path | str, fmt: str | None = None) -> Iterator[Article]:
    """Read the records of any store (a file, a store directory, or a partitioned dask output)."""
    path = Path(str(path))
    if path.is_dir() and fmt is None:
        if (path / "articles.csv").exists():
            fmt = "csv"
        elif (path / "articles").is_dir():
            fmt = "parquet"
        else:
            return _chain(read_jsonl(p) for p in sorted(path.glob("*.jsonl")))
    kind = infer_format(path, fmt)
    if kind == "jsonl":
        return read_jsonl(path)
    if kind == "csv":
        return from_rows({t: list(_read_csv(path / f"{t}.csv")) for t in TABLES if (path / f"{t}.csv").exists()})
    if kind == "parquet":
        return from_rows(read_parquet_tables(path))
    return from_rows(read_sqlite_tables(path))


def _chain(its: Iterable[Iterator[Article]]) -> Iterator[Article]:
    for it in its:
        yield from it
