"""Rule learning: rule sets as data, learning with precision accounting,
bootstrapping, the per-rule report and the CLI."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipeline import api
from pipeline.cli import app
from pipeline.errors import ConfigError
from pipeline.learn.bootstrap import BootstrapSettings, bootstrap
from pipeline.learn.harness import Harness, load_gold
from pipeline.learn.learner import LearnSettings, learn
from pipeline.learn.report import build_report, format_table
from pipeline.learn.ruleset import FAMILIES, LearnedRule, RuleSet

REPO = Path(__file__).resolve().parents[2]
GOLD = REPO / "corpus" / "gold"
WORKREPORTS = REPO / "corpus" / "workreports" / "gold"
RULES_ONLY = {"nlp.pipeline": ["entities", "numbers", "scope", "relations"]}
TITLE_FAMILIES = ("title_head", "title_prefix", "title_modifier")


def _gold(names: list[str], folder: Path = GOLD) -> list[dict]:
    return [g for g in load_gold(folder) if any(str(g["id"]).startswith(n) for n in names)]


def _rule(family: str, entry, **kw) -> LearnedRule:
    fam = FAMILIES[family]
    base = dict(support=3, negatives=1, precision=0.75, confidence=0.75, round=0, source="gold",
                evidence=["a1"])
    return LearnedRule(family=family, file=fam.file, path=fam.path, entry=entry, **{**base, **kw})


# -- rule sets ---------------------------------------------------------------------
def test_unchanged_rule_set_written_out_extracts_the_same(tmp_path):
    out = RuleSet.load().write(tmp_path / "rules")
    text = (REPO / "corpus" / "syn_01_yunxi_roundup.txt").read_text(encoding="utf-8")
    shipped = api.extract(text, nlp=api.load(overrides=RULES_ONLY))
    rewritten = api.extract(text, nlp=api.load(overrides=RULES_ONLY, rules=out))
    assert rewritten.model_dump(exclude={"id"}) == shipped.model_dump(exclude={"id"})


def test_learned_entries_are_written_with_scores_and_read_back(tmp_path):
    rules = RuleSet.load()
    rules.add_learned(_rule("title_head", {"text": "网格长", "village_role": True}))
    rules.add_learned(_rule("money_cue", "以工代赈"))
    out = rules.write(tmp_path / "learned")
    titles = (out / "titles.yaml").read_text(encoding="utf-8")
    line = next(l for l in titles.splitlines() if "网格长" in l)
    assert "# learned (gold, round 0): support 3, precision 0.75" in line
    assert "以工代赈" in (out / "numbers.yaml").read_text(encoding="utf-8")
    again = RuleSet.load(out)
    assert again.has("title_head", "网格长") and again.has("money_cue", "以工代赈")
    assert [(r.family, r.text, r.support) for r in again.learned] == [("title_head", "网格长", 3),
                                                                      ("money_cue", "以工代赈", 3)]
    # the learned head is used when running with --rules
    article = api.extract("石门镇网格长刘春生表示，今年将继续做好排查。", nlp=api.load(overrides=RULES_ONLY, rules=out))
    assert [(o.name, o.title) for o in article.officials] == [("刘春生", "网格长")]


def test_rules_dir_missing_files_is_a_clear_error(tmp_path):
    (tmp_path / "titles.yaml").write_text("heads: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="lacks places.yaml"):
        api.load(rules=tmp_path)


def test_minimal_rule_set_runs_and_finds_no_officials():
    minimal = RuleSet.load().minimal()
    assert not minimal.entries("title_head") and not minimal.entries("anaphor")
    assert minimal.data["numbers.yaml"]["units"], "numbers and units stay"
    with Harness(_gold(["syn_01"])) as h:
        out = h.run(minimal)
    assert out.f1("officials") == 0.0
    assert out.f1("counts") > 0.0


# -- learning ----------------------------------------------------------------------
def test_learning_title_rules_from_minimal_raises_f1_and_scores_every_rule():
    gold = _gold(["syn_01", "syn_03", "syn_12"])
    start = RuleSet.load().minimal()
    res = learn(gold, start, LearnSettings(max_rounds=2, families=TITLE_FAMILIES))
    assert res.f1_final > res.f1_base
    heads = res.rules.texts("title_head")
    assert heads, "learned some heads"
    for rule in res.rules.learned:
        assert rule.family in TITLE_FAMILIES
        assert rule.support >= 1 and rule.precision >= 0.75 and rule.evidence
        assert rule.confidence <= rule.precision
    assert res.rounds[0].f1_after >= res.rounds[0].f1_before


@pytest.mark.slow
def test_learning_on_five_work_reports_raises_held_out_f1():
    """The acceptance measurement in small: a new register, 5 annotated articles."""
    train = _gold(["wr_01", "wr_02", "wr_03", "wr_04", "wr_05"], WORKREPORTS)
    test = _gold(["wr_06", "wr_07", "wr_08"], WORKREPORTS)
    hand = RuleSet.load()
    res = learn(train, hand, LearnSettings(max_rounds=2))
    with Harness(test) as h:
        before, after = h.run(hand).f1(), h.run(res.rules).f1()
    assert after > before


def test_learned_title_heads_transfer_to_held_out_work_reports():
    """Fast form of the register test: title rules only, one round."""
    train = _gold(["wr_01", "wr_02"], WORKREPORTS)
    test = _gold(["wr_06", "wr_07"], WORKREPORTS)
    hand = RuleSet.load()
    res = learn(train, hand, LearnSettings(max_rounds=1, families=("title_head",)))
    assert res.rules.learned
    with Harness(test) as h:
        assert h.run(res.rules).f1("officials") > h.run(hand).f1("officials")


def test_negative_rules_need_two_articles():
    gold = _gold(["syn_01"])
    res = learn(gold, RuleSet.load(), LearnSettings(max_rounds=1, families=("not_name", "not_place", "not_title")))
    assert not res.rules.learned  # one article is never enough to blind the pipeline


# -- bootstrapping -----------------------------------------------------------------
def test_bootstrap_finds_a_new_head_from_known_patterns():
    names = ["刘春生", "王海涛", "陈立新", "张丽华", "赵明远", "孙建国"]
    known = [f"石门镇镇长{n}表示，要把工作做细。" for n in names[:3]]
    new = [f"桐溪镇网格长{n}表示，已完成排查。" for n in names[3:]]
    texts = ["".join(known + new[:2]), "".join(new[2:] + known[:1])]
    rules, rounds = bootstrap(texts, RuleSet.load(), BootstrapSettings(max_rounds=2))
    assert rules.has("title_head", "网格长")
    added = [r for r in rules.learned if r.text == "网格长"]
    assert added[0].source == "bootstrap" and added[0].support >= 2 and added[0].evidence
    assert rounds[0].seeds >= 3 and rounds[0].patterns >= 1


def test_bootstrap_adds_nothing_without_confident_patterns():
    texts = ["今天天气很好，大家都很开心。"] * 3
    rules, rounds = bootstrap(texts, RuleSet.load(), BootstrapSettings(max_rounds=2))
    assert not rules.learned and len(rounds) == 1


# -- report ------------------------------------------------------------------------
def test_report_accounts_for_a_bad_rule_and_lists_conflicts():
    gold = _gold(["syn_01", "syn_04"])
    rules = RuleSet.load()
    rules.add_learned(_rule("title_head", {"text": "记者"}))  # reporters are not officials
    rules.add_learned(_rule("not_title", "组织员"))             # conflicts with the head 组织员
    rep = build_report(gold, rules)
    rows = {r.rule: r for r in rep.rules}
    good = rows["titles.yaml:heads:书记"]
    assert good.tp > 0 and good.precision is not None and good.recall > 0
    assert rows["titles.yaml:heads:记者"].source == "learned (gold)"
    assert any("组织员" in c and "not_title" in c for c in rep.conflicts)
    assert "titles.yaml:heads:指挥长" in rep.never_fire
    assert any(r.rule.startswith("official.") for r in rep.routes)
    table = format_table(rep)
    assert "never fire" in table and "conflicts" in table
    json.dumps(rep.to_json(), ensure_ascii=False)


# -- CLI ---------------------------------------------------------------------------
def test_cli_learn_then_run_with_learned_rules(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    for name in ("wr_01_shimen_work_report", "wr_02_tongxi_progress_notice"):
        shutil.copy(WORKREPORTS / f"{name}.json", gold)
    out = tmp_path / "learned"
    runner = CliRunner()
    res = runner.invoke(app, ["rules", "learn", "--gold", str(gold), "--out", str(out), "--rounds", "1", "--json"])
    assert res.exit_code == 0, res.output
    learned = json.loads(res.stdout.strip().splitlines()[-1])
    assert learned and all({"support", "precision", "confidence"} <= set(r) for r in learned)
    data = yaml.safe_load((out / "learned.yaml").read_text(encoding="utf-8"))
    assert len(data["learned"]) == len(learned)
    rep = runner.invoke(app, ["rules", "report", "--gold", str(gold), "--rules", str(out), "--json"])
    assert rep.exit_code == 0, rep.output
    report = json.loads(rep.stdout)
    learned_rows = [r for r in report["rules"] if r["source"].startswith("learned")]
    assert learned_rows and all(r["support"] is not None for r in learned_rows)


def test_cli_learn_bad_gold_folder_exits_2(tmp_path):
    (tmp_path / "a.json").write_text("{not json", encoding="utf-8")
    from pipeline.cli import main
    import sys
    argv = sys.argv
    sys.argv = ["pipeline", "rules", "learn", "--gold", str(tmp_path), "--out", str(tmp_path / "o")]
    try:
        with pytest.raises(SystemExit) as exc:
            main()
    finally:
        sys.argv = argv
    assert exc.value.code == 2


def test_cli_run_with_rules_folder_uses_learned_rules(tmp_path):
    rules = RuleSet.load()
    rules.add_learned(_rule("title_head", {"text": "网格长"}))
    folder = rules.write(tmp_path / "rules")
    article = tmp_path / "a.txt"
    article.write_text("石门镇网格长刘春生表示，今年将继续做好排查。", encoding="utf-8")
    runner = CliRunner()
    outs = {}
    for name, extra in (("shipped", []), ("learned", ["--rules", str(folder)])):
        out = tmp_path / f"{name}.jsonl"
        res = runner.invoke(app, ["run", str(article), "--output", str(out), "--quiet", *extra])
        assert res.exit_code == 0, res.output
        outs[name] = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert outs["shipped"]["officials"] == []
    assert [(o["name"], o["title"]) for o in outs["learned"]["officials"]] == [("刘春生", "网格长")]


def test_rules_folder_reaches_every_stage_that_reads_rules() -> None:
    from pipeline.api import load_config, rules_overrides
    from pipeline.paths import rules_dir

    overrides = rules_overrides(rules_dir())
    stages = {k.split(".")[1] for k in overrides}
    assert {"entities", "places", "scope", "relations", "ner", "numbers"} <= stages
    assert stages <= set(load_config().get("components", {}))  # never a section the config lacks
