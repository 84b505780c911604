"""Tests for pipeline.cli: the run, eval, validate and stage commands."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import cli
from pipeline.cli import app
from pipeline.records import Article

GOLD = Path(__file__).resolve().parent.parent / "corpus" / "gold"
GOOD_TEXT = ("石桥镇召开脱贫攻坚推进会\n发布日期：2023-03-08\n"
             "  本报讯 近日，石桥镇召开脱贫攻坚推进会。石桥镇委书记王立衡表示，"
             "全镇还有126户困难户需要重点帮扶，今年已发放救助资金35.6万元。\n")
OTHER_TEXT = "柳塘乡党委书记陈佩芝带队走访，该乡共有低保对象48人。\n"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Call the console entry point, which turns user errors into status 2."""
    monkeypatch.setattr(sys, "argv", ["pipeline", *map(str, args)])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


@pytest.fixture()
def mixed_inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "legacy.txt").write_bytes(OTHER_TEXT.encode("gbk"))
    lines = [json.dumps({"id": "j1", "text": OTHER_TEXT}, ensure_ascii=False),
             '{"id": "j2", "text": "没有结尾',
             json.dumps({"id": "j3", "text": GOOD_TEXT}, ensure_ascii=False)]
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_cli_run_one_record_per_article_and_line(runner: CliRunner, mixed_inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "records.jsonl"
    result = runner.invoke(app, ["run", str(mixed_inputs), "--output", str(out)])
    assert result.exit_code == 1, result.output
    records = {r["id"]: r for r in _records(out)}
    assert sorted(records) == ["batch:2", "binary", "empty", "good", "j1", "j3", "legacy"]
    failed = {k: r for k, r in records.items() if not r["ok"]}
    assert sorted(failed) == ["batch:2", "binary", "empty"]
    for key, name in [("empty", "empty.txt"), ("binary", "binary.txt")]:
        (error,) = failed[key]["errors"]
        assert error["origin"].endswith(name) and error["stage"] == "input"
    assert failed["batch:2"]["errors"][0]["origin"].endswith("batch.jsonl:2")
    # GBK is decoded (pipeline.io.decoding): the same facts as the UTF-8 line j1
    assert records["legacy"]["ok"] and records["legacy"]["counts"] == records["j1"]["counts"]
    good = records["good"]
    assert good["ok"] and any(o["name"] == "王立衡" for o in good["officials"])
    assert any(c["value"] == 126 and c["unit"] == "户" for c in good["counts"])


def test_cli_run_all_good_exits_zero(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "b.txt").write_text(OTHER_TEXT, encoding="utf-8")
    out = tmp_path / "records.jsonl"
    result = runner.invoke(app, ["run", str(folder), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in _records(out)] == ["a", "b"]
    assert "articles" in result.stderr  # the summary table


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--set", "nonsense"], "--set", id="set-without-equals"),
        pytest.param(["--set", "nosuch.section=1"], "nosuch", id="set-unknown-section"),
        pytest.param(["--set", "components.numbers.bogus=1"], "bogus", id="set-unknown-key"),
        pytest.param(["--set", "nlp.tokenizer.segmenter=xyz"], "xyz", id="set-bad-value"),
        pytest.param(["--config", "missing.cfg"], "missing.cfg", id="missing-config"),
    ],
)
def test_cli_run_config_error_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path, args: list[str], expected: str) -> None:
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    args = [a.replace("missing.cfg", str(tmp_path / "missing.cfg")) for a in args]
    code, err = _main(monkeypatch, capsys, "run", tmp_path / "a.txt", "--output", tmp_path / "o.jsonl", *args)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], err


def test_cli_run_missing_input_exits_two(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    code, err = _main(monkeypatch, capsys, "run", tmp_path / "nope.txt", "--output", tmp_path / "o.jsonl")
    assert code == 2
    assert err.strip().splitlines() == [err.strip()] and "nope.txt" in err


def test_cli_app_raises_pipeline_error_for_user_mistakes(runner: CliRunner, tmp_path: Path) -> None:
    from pipeline.errors import PipelineError

    result = runner.invoke(app, ["run", str(tmp_path), "--output", str(tmp_path / "o.jsonl"), "--set", "x"])
    assert isinstance(result.exception, PipelineError)


def _write_predictions(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_cli_eval_scores_gold_against_predictions(runner: CliRunner, tmp_path: Path) -> None:
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))]
    perfect = tmp_path / "perfect.jsonl"
    _write_predictions(perfect, gold)
    result = runner.invoke(app, ["eval", str(GOLD), str(perfect), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["micro_f1"] == 1.0

    with_counts = next(g for g in gold if g.get("counts"))
    damaged = [dict(g, counts=g["counts"][1:]) if g is with_counts else g for g in gold]
    worse = tmp_path / "worse.jsonl"
    _write_predictions(worse, damaged)
    result = runner.invoke(app, ["eval", str(GOLD), str(worse), "--json"])
    scores = json.loads(result.stdout)
    assert scores["counts"]["fn"] == 1 and scores["counts"]["fp"] == 0
    assert scores["micro_f1"] < 1.0

    table = runner.invoke(app, ["eval", str(GOLD), str(worse)])
    assert table.exit_code == 0 and "micro F1" in table.stdout


def test_cli_validate_good_and_corrupted(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(Article(id="a").model_dump_json() + "\n" + Article(id="b").model_dump_json() + "\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 0 and "all records valid" in result.stdout

    bad = tmp_path / "bad.jsonl"
    extra = json.loads(Article(id="c").model_dump_json()) | {"bogus": 1}
    bad.write_text(good.read_text(encoding="utf-8") + json.dumps(extra) + "\n" + '{"id": "d", \n',
                   encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3:" in result.stderr and f"{bad}:4:" in result.stderr
    assert "2 invalid record(s)" in result.stdout


def test_cli_stage_numbers_prints_quantities(runner: CliRunner) -> None:
    result = runner.invoke(app, ["stage", "numbers", "该镇有259户贫困户、576名贫困人口，发放资金36.3万元。"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    found = {(q["value"], q["unit"]) for q in view["quantities"]}
    assert {(259.0, "户"), (576.0, "人"), (363000.0, "元")} <= found
    assert "officials" not in view  # stopped before relations


# ---------------------------------------------------------------- stage on files


def test_cli_stage_reads_a_gbk_file_as_run_does(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(OTHER_TEXT.encode("gbk"))
    result = runner.invoke(app, ["stage", "numbers", str(path)])
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert (view["id"], view["origin"], view["text"]) == ("legacy", str(path), OTHER_TEXT)
    assert {(q["value"], q["unit"]) for q in view["quantities"]} == {(48.0, "人")}


def test_cli_stage_unreadable_file_is_one_line_and_exit_1(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 4)
    result = runner.invoke(app, ["stage", "numbers", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"error: {path}: binary file: ")


@pytest.mark.parametrize("arg", ["notes/nope.txt", "稿件.html", "corpus/syn_99"])
def test_cli_stage_missing_path_is_not_taken_for_text(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str], arg: str) -> None:
    code, err = _main(monkeypatch, capsys, "stage", "numbers", arg)
    assert code == 2
    assert err.strip().splitlines() == [f"error: no such file or folder: {arg}; give an existing .txt/.html/.jsonl "
                                        "file or folder, or the text itself (--text takes it as text)"]


def test_cli_stage_text_that_merely_contains_a_slash_is_text(runner: CliRunner) -> None:
    result = runner.invoke(app, ["stage", "numbers", "人均补助1200元/户"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["text"] == "人均补助1200元/户"
    forced = runner.invoke(app, ["stage", "numbers", "--text", "nope.txt"])
    assert forced.exit_code == 0 and json.loads(forced.stdout)["text"] == "nope.txt"


def test_cli_stage_jsonl_gives_a_list_and_exit_1_for_a_bad_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps({"id": "t1", "text": OTHER_TEXT}, ensure_ascii=False) + "\n{broken\n"
                    + json.dumps({"id": "t2", "text": GOOD_TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["stage", "entities", str(path)])
    assert result.exit_code == 1
    assert [v["id"] for v in json.loads(result.stdout)] == ["t1", "t2"]
    assert result.stderr.startswith(f"error: {path}:2: not valid JSON: ")


def test_cli_help_states_the_exit_codes(runner: CliRunner) -> None:
    for command in ("run", "stage"):
        text = " ".join(runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout.split())
        assert "Exit status: 0 all articles processed without errors; 1 finished, but some records carry " \
               "errors; 2 could not start" in text, command


# ---------------------------------------------------------------- run: missing inputs, closing line


def test_cli_run_missing_path_among_others_is_an_error_record(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(OTHER_TEXT, encoding="utf-8")
    missing = tmp_path / "typo.txt"
    out = tmp_path / "cli_records.jsonl"
    result = runner.invoke(app, ["run", str(tmp_path / "a.txt"), str(missing), str(tmp_path / "b.txt"),
                                 "-o", str(out), "-q"])
    assert result.exit_code == 1, result.output
    records = _records(out)
    assert [r["id"] for r in records] == ["a", "typo", "b"]
    assert records[0]["ok"] and records[2]["ok"]
    [error] = records[1]["errors"]
    assert (error["stage"], error["reason"], error["origin"]) == ("input", "input not found", str(missing))
    assert "check the spelling" in error["hint"]
    # the run ends by naming the output and the input whose record carries errors
    assert result.stderr.strip().splitlines()[-1] == (f'1 record(s) carry errors (see their "errors" in {out}): '
                                                      f"{missing}")


def test_cli_run_without_errors_has_no_closing_error_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    result = runner.invoke(app, ["run", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o.jsonl"), "-q"])
    assert result.exit_code == 0 and "carry errors" not in result.stderr


def test_cli_error_note_names_at_most_ten_inputs() -> None:
    origins = [f"in/{i}.txt" for i in range(10)]
    note = cli._error_note(Path("out/cli_x.jsonl"), 14, origins)
    assert note.endswith("in/8.txt, in/9.txt and 4 more") and "out/cli_x.jsonl" in note
    assert "on stdout" in cli._error_note(Path("-"), 1, ["a.txt"])


def test_cli_show_exits_1_when_articles_carry_errors_as_run_does(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    run = runner.invoke(app, ["run", str(tmp_path), "-o", str(tmp_path / "r.jsonl"), "-q"])
    show = runner.invoke(app, ["show", str(tmp_path), "--output", str(tmp_path / "site")])
    assert (run.exit_code, show.exit_code) == (1, 1), show.output
    assert (tmp_path / "site" / "index.html").is_file()


# ---------------------------------------------------------------- messages, help, progress


def test_cli_set_with_a_wrong_type_names_the_type_for_people(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    code, err = _main(monkeypatch, capsys, "run", tmp_path / "a.txt", "-o", tmp_path / "o.jsonl",
                      "--set", "components.relations.model_titles=maybe")
    assert code == 2
    assert "<class" not in err and "'maybe' is not true or false" in err
    assert "--set components.relations.model_titles" in err


def test_cli_run_help_fits_80_columns(runner: CliRunner) -> None:
    result = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 80
    assert "components.numbers.tables=my.yaml" in result.stdout and "[limits] in the config" in result.stdout
    # continuation lines of the help texts start where the help column starts: at most 44
    # characters in, so help is at least ~34 characters wide (it was 20 before panels and metavars)
    indents = [len(line) - len(line[1:].lstrip()) for line in lines
               if line.startswith("│ ") and line[1:].strip(" │") and not line[1:].lstrip().startswith(("-", "*"))]
    assert indents and max(indents) <= 44, max(indents)


def test_cli_out_and_output_both_name_the_output_folder() -> None:
    import typer.main

    root = typer.main.get_command(app)
    for group, command in (("rules", "learn"), ("train", "segmenter")):
        cmd = root.commands[group].commands[command]
        [param] = [p for p in cmd.params if p.name == "output"]
        assert param.opts[0] == "--output" and {"-o", "--out"} <= set(param.opts), (group, command)


def test_cli_progress_rate_counts_from_the_built_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(cli.time, "perf_counter", lambda: now[0])
    bar = cli._Progress(False, 40)
    now[0] = 130.0  # 30 s building the pipeline: not processing time
    bar.start()
    bar.advance(20, skipped=True)  # already done (--resume): moves the bar, not the rate
    now[0] = 130.5
    bar.advance(4)
    assert bar.rate() is None  # half a second is too little to say
    now[0] = 132.0
    bar.advance(4)
    assert bar.rate() == pytest.approx(4.0)  # 8 articles in 2 s, not 8 in 32 s or 28 in 0.001 s


def test_cli_modules_do_not_import_each_other_in_a_circle() -> None:
    import ast

    package = Path(cli.__file__).parent
    for module in ("cli_review.py", "cli_rules.py", "cli_scale.py", "cli_options.py"):
        tree = ast.parse((package / module).read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "cli" not in imported, module
