"""Tests for pipeline.quantities: table-driven cases plus span and rule-file checks."""
from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import RuleFileError
from pipeline.numerals import to_chinese
from pipeline.quantities import (
    NumberTables,
    Quantity,
    default_numbers_path,
    find_quantities,
    load_number_tables,
)

CASES_PATH = Path(__file__).parent / "cases" / "numbers.jsonl"
EXPECT_KEYS = ("value", "unit", "kind", "approx", "per_capita")


def _load_cases() -> list[Any]:
    params = []
    for number, line in enumerate(CASES_PATH.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            case = json.loads(line)
            params.append(pytest.param(case["text"], case["expect"], id=case.get("id", f"line{number}")))
    return params


CASES = _load_cases()


@pytest.fixture(scope="module")
def tables() -> NumberTables:
    return load_number_tables()


def _observed(q: Quantity, wanted: dict[str, Any]) -> dict[str, Any]:
    got = {key: getattr(q, key) for key in EXPECT_KEYS}
    if "unit_source" in wanted:
        got["unit_source"] = q.unit_source
    if "range" in wanted:
        got["range"] = q.range_id
    return got


@pytest.mark.parametrize(("text", "expect"), CASES)
def test_quantities_cases(text: str, expect: list[dict[str, Any]], tables: NumberTables) -> None:
    found = find_quantities(text, tables)
    assert [_observed(q, w) for q, w in zip(found, expect, strict=False)] == expect[: len(found)]
    assert len(found) == len(expect), [q.text for q in found]


@pytest.mark.parametrize(("text", "expect"), CASES)
def test_quantities_spans_are_consistent(text: str, expect: list[dict[str, Any]], tables: NumberTables) -> None:
    for q in find_quantities(text, tables):
        assert q.text == text[q.start : q.end]
        assert q.start <= q.num_start < q.num_end <= q.end
        if q.noun is not None:
            assert text.startswith(q.noun, q.end)


def test_quantities_case_file_is_large_enough() -> None:
    assert len(CASES) >= 80


@pytest.mark.parametrize(
    ("text", "span", "numeral", "marker"),
    [
        pytest.param("项目总投资近62万元。", "近62万元", "62万", "近", id="marker-before"),
        pytest.param("收入达45万余元。", "45万余元", "45万", "余", id="marker-after-wan"),
        pytest.param("投入500多万元。", "500多万元", "500多万", "多", id="marker-inside"),
        pytest.param("培训300人左右。", "300人左右", "300", "左右", id="marker-trailing"),
        pytest.param("还有70多贫困户。", "70多", "70", "多", id="noun-not-in-span"),
        pytest.param("共3.36万个贫困户。", "3.36万个", "3.36万", None, id="classifier-in-span"),
        pytest.param("慰问金约￥300。", "约￥300", "300", "约", id="currency-sign-in-span"),
        pytest.param("每斤五元三毛左右。", "五元三毛左右", "五", "左右", id="subunits-in-span"),
        pytest.param("每斤便宜八角钱。", "八角钱", "八", None, id="subunit-alone-in-span"),
        pytest.param("投入两千万点五五四四元。", "两千万点五五四四元", "两千万点五五四四", None, id="chinese-point"),
    ],
)
def test_quantities_offsets(text: str, span: str, numeral: str, marker: str | None, tables: NumberTables) -> None:
    (q,) = find_quantities(text, tables)
    assert (q.text, text[q.num_start : q.num_end], q.approx_marker) == (span, numeral, marker)


def test_quantities_noun_recorded(tables: NumberTables) -> None:
    (q,) = find_quantities("全市64.5万贫困人口全部脱贫。", tables)
    assert (q.noun, q.unit_source, q.end) == ("贫困人口", "noun", q.num_end)


def test_quantities_ranges_get_distinct_ids(tables: NumberTables) -> None:
    found = find_quantities("甲类3000-5000元，乙类1000至2000元，另有奖金800元。", tables)
    assert [q.range_id for q in found] == [0, 0, 1, 1, None]


def test_quantities_quantity_is_frozen(tables: NumberTables) -> None:
    (q,) = find_quantities("共259户。", tables)
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.value = 1.0  # type: ignore[misc]


def test_quantities_offsets_survive_long_text(tables: NumberTables) -> None:
    text = "镇里统一部署。" * 50 + "共259户。"
    (q,) = find_quantities(text, tables)
    assert text[q.start : q.end] == "259户" and q.start == 351


def test_quantities_default_path_is_in_repo() -> None:
    assert default_numbers_path().is_file()
    assert default_numbers_path().parent.name == "rules"


def test_quantities_load_is_cached() -> None:
    assert load_number_tables() is load_number_tables(default_numbers_path())


def _bad_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = default_numbers_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "numbers.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_quantities_unknown_key_names_the_line(tmp_path: Path) -> None:
    path = _bad_copy(tmp_path, "per_capita_window: 12", "per_capita_window: 12\nper_capita_windw: 3")
    with pytest.raises(RuleFileError) as info:
        load_number_tables(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.field) == (_line_of(path, "per_capita_windw"), "per_capita_windw")
    assert f"numbers.yaml:{problem.line}" in str(info.value)


def test_quantities_bad_unit_kind_names_the_line(tmp_path: Path) -> None:
    path = _bad_copy(tmp_path, "{text: 户, unit: 户, kind: count}", "{text: 户, unit: 户, kind: weight}")
    with pytest.raises(RuleFileError) as info:
        load_number_tables(path)
    (problem,) = info.value.problems
    assert problem.line == _line_of(path, "kind: weight")
    assert problem.field == "units.0.kind"


def test_quantities_bad_digit_value_is_reported(tmp_path: Path) -> None:
    path = _bad_copy(tmp_path, '"7": 7', '"7": 17')
    with pytest.raises(RuleFileError, match="digits"):
        load_number_tables(path)


def test_quantities_unit_in_both_tables_is_reported(tmp_path: Path) -> None:
    path = _bad_copy(tmp_path, "  - 个村\n", "  - 个村\n  - 户\n")
    with pytest.raises(RuleFileError, match="both in units and skip_units"):
        load_number_tables(path)


def test_quantities_tables_are_extensible(tmp_path: Path) -> None:
    old = "  - {text: 户, unit: 户, kind: count}"
    path = _bad_copy(tmp_path, old, old + "\n  - {text: 家庭, unit: 户, kind: count}")
    (q,) = find_quantities("共有120家庭受益。", load_number_tables(path))
    assert (q.value, q.unit, q.unit_text) == (120.0, "户", "家庭")


# ---------------------------------------------------------------- new number forms


@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=1, max_value=9),
       st.integers(min_value=1, max_value=9), st.booleans(), st.sampled_from(["元", "块"]))
def test_quantities_yuan_jiao_fen(yuan: int, jiao: int, fen: int, chinese: bool, unit: str) -> None:
    """50元6角三分 = 50.63: sub-units after a yuan amount are added to it."""
    tables = load_number_tables()
    write = to_chinese if chinese else str
    text = f"每斤{write(yuan)}{unit}{write(jiao)}角{write(fen)}分。"
    (q,) = find_quantities(text, tables)
    assert (q.kind, q.unit) == ("money", "元")
    assert q.value == float(yuan + Decimal(jiao) / 10 + Decimal(fen) / 100)
    assert q.text == text[2:-1]


@given(st.decimals(min_value=Decimal("0.01"), max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["￥", "¥"]), st.sampled_from(["", "元", "万", "万元"]))
def test_quantities_currency_sign(x: Decimal, sign: str, after: str) -> None:
    """￥300 and ¥1.5万 are yuan, with or without 元 after them."""
    (q,) = find_quantities(f"慰问金{sign}{x}{after}已发放。", load_number_tables())
    factor = 10**4 if "万" in after else 1
    assert (q.kind, q.unit, q.value) == ("money", "元", float(x * factor))
    assert q.text.startswith(sign) and q.unit_source == ("unit" if after.endswith("元") else "prefix")


@given(st.decimals(min_value=0, max_value=9999, places=4, allow_nan=False, allow_infinity=False),
       st.sampled_from(["万元", "亿元", "万户", "万人"]))
def test_quantities_chinese_decimal(x: Decimal, unit: str) -> None:
    """Render a decimal with 点 (二点五), add 万/亿 and a unit, read it back."""
    text = f"全县共计{to_chinese(x)}{unit}。"
    (q,) = find_quantities(text, load_number_tables())
    factor = 10**4 if unit[0] == "万" else 10**8
    assert q.value == float(x * factor)
    assert q.unit == {"元": "元", "户": "户", "人": "人"}[unit[-1]]


def test_quantities_zhao_opt_in(tmp_path: Path) -> None:
    text = "甲国财政收入达四十九兆九千五百九十二亿元。"
    assert find_quantities(text, load_number_tables()) == []
    path = _bad_copy(tmp_path, "    兆: null", "    兆: 1e12")
    (q,) = find_quantities(text, load_number_tables(path))
    assert (q.value, q.unit, q.text) == (49 * 10**12 + 9592 * 10**8, "元", "四十九兆九千五百九十二亿元")
    assert find_quantities("新建电站装机5兆瓦。", load_number_tables(path)) == []


def test_quantities_zhao_bad_value_names_the_line(tmp_path: Path) -> None:
    path = _bad_copy(tmp_path, "    兆: null", "    兆: 7")
    with pytest.raises(RuleFileError, match="power of ten"):
        load_number_tables(path)


def test_quantities_subunits_follow_money_units(tmp_path: Path) -> None:
    path = _bad_copy(tmp_path, "  after: [元, 块, 圆]", "  after: [元, 户]")
    with pytest.raises(RuleFileError, match="not money units"):
        load_number_tables(path)


def test_quantities_without_new_sections_still_load(tmp_path: Path) -> None:
    """A user's numbers.yaml from before money_subunits and money_prefixes still loads."""
    text = default_numbers_path().read_text(encoding="utf-8")
    cut = text[: text.index("# Money below the yuan")] + text[text.index("# Words after a numeral that make it"):]
    path = tmp_path / "numbers.yaml"
    path.write_text(cut, encoding="utf-8")
    tables = load_number_tables(path)
    assert [q.value for q in find_quantities("每斤五元三毛，慰问金￥300。", tables)] == [5.0]
