"""The metric taxonomy (configs/rules/metrics.yaml) and subject cleaning; invented text only."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import api
from pipeline.errors import RuleFileError
from pipeline.learn.ruleset import COPIED_FILES
from pipeline.metrics import METRICS_FILE, MetricRules, clause_after, clause_before, load_metric_rules
from pipeline.rulefiles import parse_yaml


@pytest.fixture(scope="module")
def rules() -> MetricRules:
    return load_metric_rules()


def test_taxonomy_names_and_order(rules: MetricRules) -> None:
    assert rules.names == ["income_per_capita", "collective_income", "donation", "investment_funds",
                           "employed_trained", "relocated", "lifted_out", "registered_poor", "population", "other"]
    assert METRICS_FILE in COPIED_FILES  # rule sets written by `rules learn` stay complete


@pytest.mark.parametrize("kind, subject, before, after, per_capita, metric", [
    ("count", "建档立卡贫困户", "", "", False, "registered_poor"),
    ("count", "贫困人口", "", "", False, "registered_poor"),
    ("count", "", "全乡累计", "实现脱贫", False, "lifted_out"),
    ("count", "摘帽", "", "", False, "lifted_out"),
    ("count", "易地搬迁群众", "", "", False, "relocated"),
    ("count", "外出务工人员", "", "", False, "employed_trained"),
    ("count", "", "开展技能培训", "", False, "employed_trained"),
    ("count", "户籍人口", "", "", False, "population"),
    ("count", "", "枫树村位于镇北，全村共", "", False, "population"),
    ("amount", "扶贫资金", "", "", False, "investment_funds"),
    ("amount", "", "县里拨付", "", False, "investment_funds"),
    ("amount", "村民人均纯收入", "", "", True, "income_per_capita"),
    ("amount", "", "农民人均可支配收入由", "", False, "income_per_capita"),
    ("amount", "村集体经济收入", "", "", False, "collective_income"),
    ("amount", "爱心企业捐赠", "", "", False, "donation"),
    ("amount", "销售额", "", "", False, "other"),
    ("amount", "分红", "", "", True, "income_per_capita"),   # a per-capita amount no cue claims
    ("count", "党员", "", "", False, "other"),
])
def test_each_metric(rules: MetricRules, kind, subject, before, after, per_capita, metric) -> None:
    assert rules.classify(kind, subject, before, after, per_capita) == metric


def test_precedence_longest_cue_then_listed_first(rules: MetricRules) -> None:
    # 未脱贫 (3) is longer than 脱贫 (2): still poor, not lifted out
    assert rules.classify("count", "现行标准下未脱贫") == "registered_poor"
    # 吸纳 and 脱贫 are both 2 long: employed_trained is listed first
    assert rules.classify("count", "吸纳脱贫劳动力") == "employed_trained"
    # 村集体经济 beats 投入 and 资金 is absent: collective income
    assert rules.classify("amount", "村集体经济收入") == "collective_income"
    # kinds: 搬迁 money is funds, not relocated people
    assert rules.classify("amount", "易地搬迁后续扶持资金") == "investment_funds"


def test_subject_first_then_clause_before_then_after(rules: MetricRules) -> None:
    # the subject decides over the clause around the number
    assert rules.classify("count", "搬迁群众", before="全镇脱贫", after="") == "relocated"
    # only the clause the number is in counts, not earlier clauses of the sentence
    assert rules.classify("count", "", before="全镇有贫困户120户，其中", after="已脱贫") == "lifted_out"
    assert clause_before("全镇有贫困户120户，其中") == "其中"
    assert clause_before("共有脱贫户1,280户") == "共有脱贫户1,280户"  # a thousands comma is no boundary
    assert clause_after("已脱贫，其余") == "已脱贫"


@pytest.mark.parametrize("junk", ["象", "计", "89人", "342户", "一千零五十户", "解决", "元至", "", "  "])
def test_junk_subjects_are_cleaned(rules: MetricRules, junk: str) -> None:
    assert rules.clean_subject(junk) == ""


@pytest.mark.parametrize("good", ["贫困户", "搬迁群众", "村集体经济收入", "培训"])
def test_real_subjects_stay(rules: MetricRules, good: str) -> None:
    assert rules.clean_subject(good) == good


def test_records_carry_metric_and_clean_subject(nlp) -> None:
    text = ("柳溪镇扶贫简报\n  柳溪镇有建档立卡贫困户240户，其中150户已脱贫。"
            "全镇今年投入帮扶资金860万元，村集体经济年收入达12万元。\n")
    a = api.extract(text, id="m", nlp=nlp)
    got = {(c.value, c.metric) for c in a.counts} | {(m.value_yuan, m.metric) for m in a.amounts}
    assert (240, "registered_poor") in got and (150, "lifted_out") in got
    assert (8600000.0, "investment_funds") in got and (120000.0, "collective_income") in got
    for fact in [*a.counts, *a.amounts]:
        assert fact.subject == "" or len(fact.subject) >= 2


def test_bad_rule_file_points_at_the_field() -> None:
    bad = ("per_capita_default: nope\nmetrics:\n  - name: a\n    description: x\n"
           "    kinds: [count]\n    cues: [贫困]\n")
    with pytest.raises(RuleFileError, match="per_capita_default"):
        parse_yaml(bad, MetricRules, path=Path("metrics.yaml"))
    with pytest.raises(RuleFileError, match="kinds"):
        parse_yaml("per_capita_default: a\nmetrics:\n  - name: a\n    description: x\n"
                   "    kinds: [people]\n    cues: [贫困]\n", MetricRules)


# -- a rule folder's own metrics.yaml (--rules DIR) ----------------------------------
_TOWN = ("柳溪镇扶贫简报\n  柳溪镇有建档立卡贫困户240户，其中150户已脱贫。"
         "全镇今年投入帮扶资金860万元，村集体经济年收入达12万元。\n")
# a taxonomy unlike the shipped one: other names, and another default
_OWN_METRICS = """\
default: unclassified
per_capita_default: per_head
metrics:
  - name: per_head
    description: per-capita money
    kinds: [amount]
    per_capita: true
    cues: [人均]
  - name: needy_households
    description: poor households, lifted out or not
    kinds: [count]
    cues: [贫困户, 脱贫]
"""


def _rules_copy(tmp_path: Path, metrics: str | None) -> Path:
    import shutil

    from pipeline.paths import rules_dir

    folder = shutil.copytree(rules_dir(), tmp_path / "rules")
    if metrics is None:
        (folder / METRICS_FILE).unlink()
    else:
        (folder / METRICS_FILE).write_text(metrics, encoding="utf-8")
    return folder


def _metrics_of(article) -> set[tuple[float, str]]:
    return {(c.value, c.metric) for c in article.counts} | {(m.value_yuan, m.metric) for m in article.amounts}


def test_rules_dir_with_its_own_metrics_yaml_decides_the_metrics(tmp_path: Path) -> None:
    folder = _rules_copy(tmp_path, _OWN_METRICS)
    got = _metrics_of(api.extract(_TOWN, id="m", nlp=api.load(rules=folder)))
    assert (240, "needy_households") in got and (150, "needy_households") in got
    assert (8600000.0, "unclassified") in got and (120000.0, "unclassified") in got
    # the review site charts by the same taxonomy
    from pipeline.review.build import _taxonomy

    assert _taxonomy(api.load(rules=folder)).names == ["per_head", "needy_households", "unclassified"]
    # and the same through the command line, where --rules DIR is the user's way in
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.records import Article

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "town.txt").write_text(_TOWN, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["run", str(tmp_path / "in"), "--rules", str(folder), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    records = [Article.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert _metrics_of(records[0]) == got


def test_rules_dir_without_metrics_yaml_uses_the_shipped_taxonomy(tmp_path: Path, nlp) -> None:
    folder = _rules_copy(tmp_path, None)
    assert load_metric_rules(folder) == load_metric_rules()
    got = _metrics_of(api.extract(_TOWN, id="m", nlp=api.load(rules=folder)))
    assert got == _metrics_of(api.extract(_TOWN, id="m", nlp=nlp))
    assert (240, "registered_poor") in got and (8600000.0, "investment_funds") in got
