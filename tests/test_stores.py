"""Output stores: lossless round trips, SQLite keys and indexes, resume repair, the town query."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pipeline import api
from pipeline.errors import PipelineError
from pipeline.query import TOWN_TOTALS, query
from pipeline.records import SCHEMA_VERSION, Article, Count, Amount, ErrorRecord, Evidence, Place
from pipeline.writers import TABLES, JsonlWriter, open_writer, read_records, repair_jsonl

TEXT = ("石桥镇召开脱贫攻坚推进会\n发布日期：2023-03-08\n"
        "  本报讯 近日，石桥镇召开脱贫攻坚推进会。石桥镇委书记王立衡表示，"
        "全镇还有126户困难户需要重点帮扶，今年已发放救助资金35.6万元。\n")
EV = Evidence(rule="r", sentence="s", start=0, end=1, confidence=0.5)
# placed by the attach ranker: its second choice rides along (a village; "no place" below)
RANKED = Evidence(rule="count.attach.ranker", sentence="s", start=0, end=1, confidence=0.62,
                  runner_up_place="青石村", runner_up_probability=0.21)
RANKED_NONE = Evidence(rule="money.attach.ranker", sentence="s", start=0, end=1, confidence=0.7,
                       runner_up_place=None, runner_up_probability=0.18)


def _handmade() -> list[Article]:
    town = [Place(name="柳塘乡", level="镇", mentions=2), Place(name="青石村", level="村", mentions=1)]
    return [
        Article(id="h1", places=town, reporters=["李明"], url="http://x/1",
                counts=[Count(place="柳塘乡", value=48, unit="户", subject="低保户", approx=False, evidence=EV,
                              metric="registered_poor"),
                        Count(place="青石村", value=7, unit="户", subject="", approx=True, evidence=RANKED)],
                amounts=[Amount(place="柳塘乡", value_yuan=120000.0, subject="资金", approx=False,
                                per_capita=False, evidence=RANKED_NONE, metric="investment_funds"),
                         Amount(place="柳塘乡", value_yuan=3000.0, subject="人均", approx=False,
                                per_capita=True, evidence=EV, metric="income_per_capita"),
                         Amount(place="柳塘乡", value_yuan=9000.0, subject="销售额", approx=False,
                                per_capita=False, evidence=EV)]),
        Article(id="h2", places=town[:1],
                counts=[Count(place="柳塘乡", value=2, unit="户", subject="", approx=False, evidence=EV,
                              metric="registered_poor"),
                        Count(place="柳塘乡", value=9, unit="户", subject="", approx=False, evidence=EV)],
                errors=[ErrorRecord(stage="validate", reason="x", data={"name": "甲", "n": [1, None]})], ok=False),
        Article(id="h3", errors=[ErrorRecord(stage="input", reason="empty file", origin="a.txt", hint="fill it")],
                ok=False),
    ]


@pytest.fixture(scope="module")
def records(nlp) -> list[Article]:
    return [api.extract(TEXT, id="real", nlp=nlp, origin="in/real.txt"), *_handmade()]


def _dump(articles) -> list[str]:
    return [a.model_dump_json() for a in articles]


@pytest.mark.parametrize("name", ["out.jsonl", "out.csv", "out.sqlite", "out.parquet"])
def test_store_round_trip_is_lossless(tmp_path: Path, records: list[Article], name: str) -> None:
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    path = tmp_path / name
    with open_writer(path) as w:
        for a in records:
            w.write(a)
    assert _dump(read_records(path)) == _dump(records)


def test_csv_has_one_file_per_record_type(tmp_path: Path, records: list[Article]) -> None:
    with open_writer(tmp_path / "out", "csv") as w:
        for a in records:
            w.write(a)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "amounts.csv", "articles.csv", "counts.csv", "errors.csv", "officials.csv", "places.csv"]
    header = (tmp_path / "out" / "counts.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("article_id,seq,place,place_code,value,unit")


def test_sqlite_tables_keys_and_indexes(tmp_path: Path, records: list[Article]) -> None:
    path = tmp_path / "r.db"
    with open_writer(path) as w:
        for a in records:
            w.write(a)
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "officials", "counts", "amounts", "errors", "places"} <= tables
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"officials_place", "officials_name", "counts_place", "amounts_place", "places_name"} <= indexes
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO counts (article_id, seq, unit) VALUES ('h1', 0, '户')")
    assert db.execute("SELECT name, title, place FROM officials WHERE article_id='real'").fetchall() == [
        ("王立衡", "镇委书记", "石桥镇")]


@pytest.mark.parametrize("suffix", [".sqlite", ".jsonl"])
def test_town_query_households_and_money(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"r{suffix}"
    with open_writer(path) as w:
        for a in _handmade():
            w.write(a)
    columns, rows = query(path, TOWN_TOTALS)
    assert columns == ["town", "code", "metric", "households", "people", "person_times", "money_wan_yuan", "facts"]
    # 48 + 2 households in two articles; per-capita money, `other` facts and the village are left out
    assert rows == [("柳塘乡", None, "investment_funds", None, None, None, 12.0, 1),
                    ("柳塘乡", None, "registered_poor", 50, None, None, None, 2)]


@pytest.mark.parametrize("suffix", [".sqlite", ".jsonl"])
def test_town_query_groups_one_town_written_two_ways_by_its_code(tmp_path: Path, suffix: str) -> None:
    code = "999999001"  # not a real division: the query only needs the codes to agree
    def article(id: str, name: str, households: int) -> Article:
        return Article(id=id, places=[Place(name=name, level="镇", mentions=1, code=code)],
                       counts=[Count(place=name, place_code=code, value=households, unit="户", subject="",
                                     approx=False, evidence=EV, metric="population")])
    other = Article(id="o", places=[Place(name="柳塘镇", level="镇", mentions=1)],
                    counts=[Count(place="柳塘镇", value=5, unit="户", subject="", approx=False, evidence=EV,
                                  metric="population")])
    path = tmp_path / f"r{suffix}"
    with open_writer(path) as w:
        for a in (article("a", "柳塘乡", 30), article("b", "柳塘镇", 12), other):
            w.write(a)
    _, rows = query(path, TOWN_TOTALS)
    # the two linked spellings are one row; the unlinked homonym stays apart
    rows = sorted((",".join(sorted(r[0].split(","))), *r[1:]) for r in rows)
    assert rows == sorted([("柳塘乡,柳塘镇", code, "population", 42, None, None, None, 2),
                           ("柳塘镇", None, "population", 5, None, None, None, 1)])


@pytest.mark.parametrize("suffix", [".sqlite", ".jsonl", ".csv"])
def test_town_query_keeps_a_part_apart_from_its_whole(tmp_path: Path, nlp, suffix: str) -> None:
    """120 poor households and the 68 of them lifted out are two metrics, never 188."""
    text = "青禾镇扶贫工作简报\n  青禾镇有贫困户120户，其中68户已脱贫。\n"
    article = api.extract(text, id="part", nlp=nlp)
    assert {(c.value, c.metric) for c in article.counts} == {(120, "registered_poor"), (68, "lifted_out")}
    path = tmp_path / (f"r{suffix}" if suffix != ".csv" else "r")
    with open_writer(path, "csv" if suffix == ".csv" else None) as w:
        w.write(article)
    columns, rows = query(path, TOWN_TOTALS)
    got = {(r[columns.index("metric")], r[columns.index("households")]) for r in rows}
    assert got == {("registered_poor", 120), ("lifted_out", 68)}
    assert all(r[columns.index("households")] != 188 for r in rows)


def test_query_cli_and_bad_sql(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    path = tmp_path / "r.sqlite"
    with open_writer(path) as w:
        for a in _handmade():
            w.write(a)
    result = CliRunner().invoke(app, ["query", str(path), "--as", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.splitlines()[0])["town"] == "柳塘乡"
    result = CliRunner().invoke(app, ["query", str(path), "--sql", "SELECT nope FROM counts"])
    assert isinstance(result.exception, PipelineError)


def test_jsonl_resume_cuts_partial_line_and_appends(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    first, second, third = _handmade()
    path.write_text(first.model_dump_json() + "\n" + second.model_dump_json()[:40], encoding="utf-8")
    with JsonlWriter(path, resume=True) as w:
        assert w.done_ids() == {"h1"}
        w.write(second)
        w.write(third)
    assert [a.id for a in read_records(path)] == ["h1", "h2", "h3"]
    assert repair_jsonl(path) == {"h1", "h2", "h3"}


def test_jsonl_without_resume_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "old"}\n', encoding="utf-8")
    with open_writer(path) as w:
        assert w.done_ids() == set()
        w.write(_handmade()[0])
    assert [a.id for a in read_records(path)] == ["h1"]


def test_csv_resume_drops_rows_of_unfinished_records(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first, second, _ = _handmade()
    with open_writer(out, "csv") as w:
        w.write(first)
    # a kill after h2's child rows but before its article row, mid-line
    with (out / "counts.csv").open("a", encoding="utf-8") as fh:
        fh.write("h2,0,柳塘乡,2,户,,0,r,s,0,1,0.5\nh2,1,柳")
    with open_writer(out, "csv", resume=True) as w:
        assert w.done_ids() == {"h1"}
        w.write(second)
    assert _dump(read_records(out)) == _dump([first, second])


def test_csv_resume_cuts_a_torn_row_with_a_newline_inside_quotes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first, second, third = _handmade()
    with open_writer(out, "csv") as w:
        w.write(first)
    torn = third.model_copy(update={"text": "第一段\n第二段"})
    # a kill in the middle of the article row of a record whose text holds a newline
    with (out / "articles.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write('h3,0,,,"第一段\n第二')
    with open_writer(out, "csv", resume=True) as w:
        assert w.done_ids() == {"h1"}
        w.write(second)
        w.write(torn)
    assert _dump(read_records(out)) == _dump([first, second, torn])


def test_sqlite_resume_keeps_committed_records(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    first, second, third = _handmade()
    with open_writer(path) as w:
        w.write(first)
        w.write(second)
    with open_writer(path, resume=True) as w:
        assert w.done_ids() == {"h1", "h2"}
        w.write(third)
    assert [a.id for a in read_records(path)] == ["h1", "h2", "h3"]


def test_parquet_resume_drops_parts_without_articles(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "out.parquet"
    first, second, third = _handmade()
    with open_writer(out, batch=1) as w:
        w.write(first)
        w.write(second)
    (part,) = [p for p in (out / "articles").glob("*.parquet") if p.stat().st_size and "00001" in p.name]
    part.unlink()  # h2's parts were written but its articles part never was
    with open_writer(out, resume=True) as w:
        assert w.done_ids() == {"h1"}
        w.write(second)
        w.write(third)
    assert _dump(read_records(out)) == _dump([first, second, third])


def test_only_jsonl_goes_to_stdout() -> None:
    with pytest.raises(PipelineError, match="stdout"):
        open_writer("-", "sqlite")
    with pytest.raises(PipelineError, match="format"):
        open_writer("x.out", "xml")


def test_jsonl_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with open_writer("-") as w:
        for a in _handmade():
            w.write(a)
    assert [json.loads(x)["id"] for x in capsys.readouterr().out.splitlines()] == ["h1", "h2", "h3"]


def test_an_output_that_cannot_hold_the_store_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken.csv").write_text("not a folder", encoding="utf-8")
    (tmp_path / "dir.jsonl").mkdir()
    for path, fmt in ((tmp_path / "taken.csv", "csv"), (tmp_path / "dir.jsonl", "jsonl")):
        with pytest.raises(PipelineError, match=f"cannot open output {path}"):
            with open_writer(path, fmt):
                pass


def test_readme_shows_the_town_query_as_it_is() -> None:
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**Querying.**"):]
    sql = re.search(r"```sql\n(.*?)```", section, re.S).group(1)
    assert sql.strip().rstrip(";") == TOWN_TOTALS.strip()


# -- resuming into a store an older version wrote -------------------------------------
# what a store of schema 2 gains: the metric (schema 3) and the ranker's runner-up (schema 4)
ADDED_SINCE_2 = ["officials.runner_up_place", "officials.runner_up_probability",
                 "counts.metric", "counts.runner_up_place", "counts.runner_up_probability",
                 "amounts.metric", "amounts.runner_up_place", "amounts.runner_up_probability"]
# The SQLite layout of schema 2 (before counts and amounts carried a metric), as written then.
_EV2 = '"rule" TEXT, "sentence" TEXT, "start" INTEGER, "end" INTEGER, "confidence" REAL'
SCHEMA_2 = [
    'CREATE TABLE articles ("id" TEXT, "schema_version" TEXT, "origin" TEXT, "url" TEXT, "text" TEXT, '
    '"title" TEXT, "published" TEXT, "source" TEXT, "reporters" TEXT, "ok" INTEGER, "n_places" INTEGER, '
    '"n_officials" INTEGER, "n_counts" INTEGER, "n_amounts" INTEGER, "n_errors" INTEGER, PRIMARY KEY (id))',
    'CREATE TABLE places ("article_id" TEXT, "seq" INTEGER, "name" TEXT, "level" TEXT, "mentions" INTEGER, '
    '"code" TEXT, "parent_code" TEXT, "path" TEXT, "link_rule" TEXT, "link_confidence" REAL, '
    '"candidates" INTEGER, PRIMARY KEY (article_id, seq))',
    'CREATE TABLE officials ("article_id" TEXT, "seq" INTEGER, "name" TEXT, "title" TEXT, "place" TEXT, '
    f'"place_code" TEXT, {_EV2}, PRIMARY KEY (article_id, seq))',
    'CREATE TABLE counts ("article_id" TEXT, "seq" INTEGER, "place" TEXT, "place_code" TEXT, "value" INTEGER, '
    f'"unit" TEXT, "subject" TEXT, "approx" INTEGER, {_EV2}, PRIMARY KEY (article_id, seq))',
    'CREATE TABLE amounts ("article_id" TEXT, "seq" INTEGER, "place" TEXT, "place_code" TEXT, '
    f'"value_yuan" REAL, "subject" TEXT, "approx" INTEGER, "per_capita" INTEGER, {_EV2}, '
    'PRIMARY KEY (article_id, seq))',
    'CREATE TABLE errors ("article_id" TEXT, "seq" INTEGER, "stage" TEXT, "reason" TEXT, "origin" TEXT, '
    '"hint" TEXT, "data" TEXT, PRIMARY KEY (article_id, seq))',
    "CREATE INDEX counts_place ON counts (place)",
    "CREATE INDEX amounts_place ON amounts (place)",
]


def _schema_2_store(path: Path) -> None:
    """A store as schema 2 left it: one article of 柳塘乡 with a count and an amount, no metric anywhere."""
    db = sqlite3.connect(path)
    for stmt in SCHEMA_2:
        db.execute(stmt)
    db.execute("INSERT INTO articles VALUES ('old', '2', NULL, NULL, NULL, NULL, NULL, NULL, '[]', 1, 1, 0, 1, 1, 0)")
    db.execute("INSERT INTO places VALUES ('old', 0, '柳塘乡', '镇', 1, NULL, NULL, '[]', NULL, 0.0, 0)")
    db.execute("INSERT INTO counts VALUES ('old', 0, '柳塘乡', NULL, 30, '户', '贫困户', 0, 'r', 's', 0, 1, 0.5)")
    db.execute("INSERT INTO amounts VALUES ('old', 0, '柳塘乡', NULL, 50000.0, '资金', 0, 0, 'r', 's', 0, 1, 0.5)")
    db.commit()
    db.close()


def _columns(path: Path, table: str) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
    finally:
        db.close()


def test_resume_into_a_schema_2_sqlite_store_adds_the_metric_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _schema_2_store(path)
    assert "metric" not in _columns(path, "counts")
    new = _handmade()[0]
    with open_writer(path, resume=True) as w:
        assert w.done_ids() == {"old"}
        assert w.migrated == ADDED_SINCE_2
        w.write(new)
    assert _columns(path, "counts")[-3:] == _columns(path, "amounts")[-3:] == ["metric", "runner_up_place", "runner_up_probability"]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == int(SCHEMA_VERSION)
    # the old rows have no metric (null), the new ones theirs; nothing else of either is lost
    assert db.execute("SELECT article_id, metric FROM counts ORDER BY article_id, seq").fetchall() == [
        ("h1", "registered_poor"), ("h1", "other"), ("old", None)]
    db.close()
    old, again = list(read_records(path))
    assert (old.id, old.schema_version, old.counts[0].value, old.counts[0].metric) == ("old", "2", 30, "other")
    assert old.amounts[0].value_yuan == 50000.0 and old.amounts[0].metric == "other"
    assert _dump([again]) == _dump([new])
    # the town query runs over the mixed store and sums only classified facts (the new record's)
    _, rows = query(path)
    assert [(r[0], r[2], r[3]) for r in rows if r[3] is not None] == [("柳塘乡", "registered_poor", 48)]
    # a second resume finds nothing to add
    with open_writer(path, resume=True) as w:
        assert w.migrated == [] and w.done_ids() == {"old", "h1"}


def test_resume_into_a_store_of_a_newer_schema_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    with open_writer(path) as w:
        w.write(_handmade()[0])
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(PipelineError, match=f"^{path} holds records of schema 99, newer") as err:
        with open_writer(path, resume=True):
            pass
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("kind", ["sqlite", "csv"])
def test_pipeline_run_resume_into_a_schema_2_store(tmp_path: Path, kind: str) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    path = tmp_path / ("old.sqlite" if kind == "sqlite" else "old")
    (_schema_2_store if kind == "sqlite" else _schema_2_csv)(path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "old.txt").write_text(TEXT, encoding="utf-8")  # done already: skipped
    (tmp_path / "in" / "real.txt").write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "in"), "-o", str(path), "--format", kind, "--resume",
                                      "-q"])
    assert result.exit_code == 0, result.output
    assert f"note: {path} was written by an older zh-news-ie; added {', '.join(ADDED_SINCE_2)}" in result.stderr
    records = {a.id: a for a in read_records(path)}
    assert sorted(records) == ["old", "real"]
    assert records["real"].schema_version == SCHEMA_VERSION and {c.metric for c in records["real"].counts} != {"other"}


# The CSV folder of schema 2: every file as then, counts.csv and amounts.csv without metric.
CSV_2 = {
    "articles": ("id,schema_version,origin,url,text,title,published,source,reporters,ok,n_places,n_officials,"
                 "n_counts,n_amounts,n_errors", ["old,2,,,,,,,[],1,1,0,1,1,0"]),
    "places": ("article_id,seq,name,level,mentions,code,parent_code,path,link_rule,link_confidence,candidates",
               ["old,0,柳塘乡,镇,1,,,[],,0.0,0"]),
    "officials": ("article_id,seq,name,title,place,place_code,rule,sentence,start,end,confidence", []),
    "counts": ("article_id,seq,place,place_code,value,unit,subject,approx,rule,sentence,start,end,confidence",
               ["old,0,柳塘乡,,30,户,贫困户,0,r,s,0,1,0.5"]),
    "amounts": ("article_id,seq,place,place_code,value_yuan,subject,approx,per_capita,rule,sentence,start,end,"
                "confidence", ["old,0,柳塘乡,,50000.0,资金,0,0,r,s,0,1,0.5"]),
    "errors": ("article_id,seq,stage,reason,origin,hint,data", []),
}


def _schema_2_csv(out: Path) -> None:
    """The record of :func:`_schema_2_store` in a CSV folder as schema 2 wrote it."""
    out.mkdir()
    for table, (header, rows) in CSV_2.items():
        (out / f"{table}.csv").write_bytes("".join(f"{line}\r\n" for line in (header, *rows)).encode("utf-8"))


def _csv_rows(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_resume_into_a_schema_2_csv_folder_adds_the_metric_column(tmp_path: Path) -> None:
    out = tmp_path / "old"
    _schema_2_csv(out)
    new = _handmade()[0]
    with open_writer(out, "csv", resume=True) as w:
        assert w.done_ids() == {"old"}
        assert w.migrated == ADDED_SINCE_2
        w.write(new)
    for table in ("counts", "amounts"):
        header, *rows = _csv_rows(out / f"{table}.csv")
        assert header == CSV_2[table][0].split(",") + ["metric", "runner_up_place", "runner_up_probability"]
        assert all(len(r) == len(header) for r in rows), f"{table}.csv rows misaligned with its header"
    # the old row has an empty metric, the new ones theirs; nothing else of either is lost
    metric = [c for c, _ in TABLES["counts"]].index("metric")
    assert [(r[0], r[metric]) for r in _csv_rows(out / "counts.csv")[1:]] == [
        ("old", ""), ("h1", "registered_poor"), ("h1", "other")]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in CSV_2)  # no temp file left
    old, again = list(read_records(out))
    assert (old.id, old.schema_version, old.counts[0].value, old.counts[0].metric) == ("old", "2", 30, "other")
    assert old.amounts[0].value_yuan == 50000.0 and old.amounts[0].metric == "other"
    assert _dump([again]) == _dump([new])
    # as in SQLite: the town query sums only classified facts (the new record's)
    _, rows = query(out)
    assert [(r[0], r[2], r[3]) for r in rows if r[3] is not None] == [("柳塘乡", "registered_poor", 48)]
    with open_writer(out, "csv", resume=True) as w:
        assert w.migrated == [] and w.done_ids() == {"old", "h1"}


def test_csv_resume_puts_right_rows_an_older_resume_wrote_under_the_schema_2_header(tmp_path: Path) -> None:
    """A resume before the migration appended rows with a metric cell under the old header."""
    out, fresh = tmp_path / "old", tmp_path / "fresh"
    _schema_2_csv(out)
    first, second, _ = _handmade()
    with open_writer(fresh, "csv") as w:
        w.write(first)
    for table in CSV_2:
        lines = (fresh / f"{table}.csv").read_bytes().split(b"\r\n", 1)[1]
        with (out / f"{table}.csv").open("ab") as fh:
            fh.write(lines)
    with open_writer(out, "csv", resume=True) as w:
        assert w.done_ids() == {"old", "h1"}
        w.write(second)
    assert all(len(r) == len(TABLES[t]) for t in ("counts", "amounts") for r in _csv_rows(out / f"{t}.csv"))
    old, *rest = read_records(out)
    assert old.id == "old" and _dump(rest) == _dump([first, second])


def test_resume_into_a_csv_folder_of_a_newer_schema_is_one_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "new"
    with open_writer(out, "csv") as w:
        w.write(_handmade()[0])
    counts = out / "counts.csv"
    header, *rows = counts.read_text(encoding="utf-8").split("\n", 1)
    counts.write_text(header.rstrip("\r") + ",unit_code\r\n" + rows[0], encoding="utf-8")
    before = counts.read_bytes()
    with pytest.raises(PipelineError, match=f"^{counts} has a column this zh-news-ie does not write") as err:
        with open_writer(out, "csv", resume=True):
            pass
    assert "\n" not in str(err.value) and "unit_code" in str(err.value)
    assert counts.read_bytes() == before


def _schema_2_jsonl(path: Path) -> None:
    """The record of :func:`_schema_2_store` as a line of schema 2 (no metric in its facts)."""
    ev = {"rule": "r", "sentence": "s", "start": 0, "end": 1, "confidence": 0.5}
    record = {"id": "old", "schema_version": "2", "reporters": [], "ok": True,
              "places": [{"name": "柳塘乡", "level": "镇", "mentions": 1}],
              "counts": [{"place": "柳塘乡", "place_code": None, "value": 30, "unit": "户", "subject": "贫困户",
                          "approx": False, "evidence": ev}],
              "amounts": [{"place": "柳塘乡", "place_code": None, "value_yuan": 50000.0, "subject": "资金",
                           "approx": False, "per_capita": False, "evidence": ev}]}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("kind", ["sqlite", "csv", "jsonl"])
def test_query_reads_a_schema_2_store_as_it_is(tmp_path: Path, kind: str) -> None:
    """Never resumed, so never migrated: the query reads it without changing it, and its facts
    have no metric (null, as in a store migrated by resume), so the town query sums none of them."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    path = {"sqlite": tmp_path / "old.sqlite", "csv": tmp_path / "old", "jsonl": tmp_path / "old.jsonl"}[kind]
    {"sqlite": _schema_2_store, "csv": _schema_2_csv, "jsonl": _schema_2_jsonl}[kind](path)
    before = _snapshot(tmp_path)
    assert query(path) == (["town", "code", "metric", "households", "people", "person_times", "money_wan_yuan",
                            "facts"], [])
    _, rows = query(path, "SELECT article_id, value, metric FROM counts "
                          "UNION ALL SELECT article_id, value_yuan, metric FROM amounts")
    assert rows == [("old", 30, None), ("old", 50000.0, None)]
    result = CliRunner().invoke(app, ["query", str(path), "--sql", "SELECT COUNT(*) AS n FROM counts "
                                      "WHERE metric IS NULL", "--as", "json"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert json.loads(result.output) == {"n": 1}
    assert _snapshot(tmp_path) == before  # nothing added, rewritten or left beside it


def test_query_never_writes_to_an_sqlite_store(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    with open_writer(path) as w:
        w.write(_handmade()[0])
    before = _snapshot(tmp_path)
    with pytest.raises(PipelineError, match="readonly"):
        query(path, "DELETE FROM counts")
    assert _snapshot(tmp_path) == before
