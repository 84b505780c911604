"""Tests for pipeline.numerals: reading and writing numerals."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.numerals import NumeralTables, default_numbers_path, parse_decimal, parse_numeral, to_chinese
from pipeline.quantities import load_number_tables

PARSE_CASES = [
    ("259", 259),
    ("0", 0),
    ("1,234", 1234),
    ("12,345,678", 12345678),
    ("1,234.5", 1234.5),
    ("３２", 32),
    ("１．５万", 15000),
    ("36.3", 36.3),
    ("一千零五十", 1050),
    ("两万三千", 23000),
    ("十五", 15),
    ("十", 10),
    ("二十", 20),
    ("一百一十", 110),
    ("一百零一", 101),
    ("十万", 100000),
    ("十万零一十", 100010),
    ("一千零十", 1010),
    ("〇", 0),
    ("零", 0),
    ("二〇一九", 2019),
    ("三万五", 35000),
    ("一百五", 150),
    ("两千三", 2300),
    ("一千零五", 1005),
    ("壹佰贰拾", 120),
    ("玖仟捌佰", 9800),
    ("百万", 1000000),
    ("1.2万", 12000),
    ("3.36万", 33600),
    ("4221.165万", 42211650),
    ("36.3万", 363000),
    ("1.2亿", 120000000),
    ("两千万", 20000000),
    ("3千万", 30000000),
    ("1万5", 15000),
    ("1万5000", 15000),
    ("三亿五千万", 350000000),
    ("一亿零五百万", 105000000),
    ("1.2万亿", 1200000000000),
    ("一万亿", 10**12),
    ("一亿亿", 10**16),
    (" 42 ", 42),
    ("二点五", 2.5),
    ("十五点七", 15.7),
    ("零点五", 0.5),
    ("二点五万", 25000),
    ("一点二亿", 120000000),
    ("二点〇五", 2.05),
    ("三百点零一", 300.01),
    ("三点五万亿", 3.5 * 10**12),
    (".5", 0.5),
    ("．5", 0.5),
    (".25万", 2500),
    ("三萬五千", 35000),
    ("兩萬", 20000),
    ("九千五百九十二億", 959200000000),
    ("參拾陸萬", 360000),
]


@pytest.mark.parametrize(("text", "value"), [pytest.param(t, v, id=t.strip()) for t, v in PARSE_CASES])
def test_numerals_parse(text: str, value: float) -> None:
    assert parse_numeral(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("4221.165万", "42211650"), ("36.3万", "363000"), ("0.1亿", "10000000"), ("3.36万", "33600"),
     ("两千万点五五四四", "20000000.5544"), ("二点五万", "25000"), ("十五点七", "15.7")],
)
def test_numerals_parse_decimal_is_exact(text: str, value: str) -> None:
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize(
    "text",
    ["", " ", "abc", "万", "亿元", "十十", "十三五", "3五", "1,23", "1234,567", "1,2345", "3.3.3", "-5", "百分之",
     "一万百", "点五", "二点", "二点十", "二点五十", "三万二点五万", "二点五点五", "5.", "..5", "3.5.", "1.5点五",
     "四十九兆", "四十九兆九千五百九十二亿"],
)
def test_numerals_parse_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_numeral(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "零"),
        (7, "七"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (110, "一百一十"),
        (101, "一百零一"),
        (1050, "一千零五十"),
        (1500, "一千五百"),
        (20000, "二万"),
        (100000, "十万"),
        (100010, "十万零一十"),
        (10005000, "一千万五千"),
        (203000, "二十万三千"),
        (2030000, "二百零三万"),
        (110000000, "一亿一千万"),
        (100000001, "一亿零一"),
        (10**12, "一万亿"),
        (Decimal("2.5"), "二点五"),
        (Decimal("2.50"), "二点五"),
        (Decimal("0.05"), "零点零五"),
        (Decimal("15.7"), "十五点七"),
        (Decimal("20000000.5544"), "二千万点五五四四"),
        (Decimal("3"), "三"),
        (Decimal("1E+2"), "一百"),
    ],
)
def test_numerals_to_chinese(value: int | Decimal, text: str) -> None:
    assert to_chinese(value) == text


@pytest.mark.parametrize("value", [-1, 1.5, True, "3", Decimal("-0.5"), Decimal("NaN"), Decimal("Infinity")])
def test_numerals_to_chinese_rejects_non_counts(value: object) -> None:
    with pytest.raises(ValueError):
        to_chinese(value)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**12))
def test_numerals_round_trip(n: int) -> None:
    assert parse_decimal(to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=10**15))
def test_numerals_thousands_separators(n: int) -> None:
    assert parse_decimal(f"{n:,}") == n


@given(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_numerals_thousands_separators_with_decimals(x: Decimal) -> None:
    assert parse_decimal(f"{x:,}") == x


@given(st.integers(min_value=0, max_value=10**9))
def test_numerals_full_width_digits(n: int) -> None:
    full = str(n).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert parse_numeral(full) == n


_DECIMALS = st.decimals(min_value=0, max_value=10**12, places=4, allow_nan=False, allow_infinity=False)


@given(_DECIMALS)
def test_numerals_decimal_round_trip(x: Decimal) -> None:
    """Any decimal written with 点 (二点五, 两千万点五五四四) reads back exactly."""
    assert parse_decimal(to_chinese(x)) == x


@given(st.decimals(min_value=0, max_value=9999, places=4, allow_nan=False, allow_infinity=False),
       st.sampled_from(["万", "亿", "万亿"]))
def test_numerals_decimal_times_section(x: Decimal, big: str) -> None:
    """A 万/亿 after the decimal digits multiplies the whole decimal: 二点五万 = 25000."""
    factor = {"万": 10**4, "亿": 10**8, "万亿": 10**12}[big]
    assert parse_decimal(to_chinese(x) + big) == x * factor


@given(st.text(alphabet="0123456789", min_size=1, max_size=8), st.sampled_from([".", "．"]))
def test_numerals_leading_point(digits: str, point: str) -> None:
    assert parse_decimal(point + digits) == Decimal("0." + digits)


def _with_zhao(value: object) -> NumeralTables:
    data = load_number_tables().numerals.model_dump()
    data["ambiguous_multipliers"] = {"兆": value}
    return NumeralTables.model_validate(data)


def test_numerals_zhao_is_skipped_by_default() -> None:
    assert load_number_tables().numerals.ambiguous_multipliers == {"兆": None}
    with pytest.raises(ValueError, match="ambiguous"):
        parse_decimal("三兆")


@pytest.mark.parametrize("value", ["1e12", 1e12, 10**12, "1000000000000"])
def test_numerals_zhao_opt_in(value: object) -> None:
    tables = _with_zhao(value)
    assert parse_decimal("四十九兆九千五百九十二億", tables=tables) == 49 * 10**12 + 9592 * 10**8
    assert parse_decimal("四十九兆九千五百九十二亿", tables=tables) == 49 * 10**12 + 9592 * 10**8
    assert parse_decimal("1.5兆", tables=tables) == Decimal("1.5") * 10**12


def test_numerals_zhao_as_mega() -> None:
    assert parse_decimal("五兆", tables=_with_zhao("1e6")) == 5 * 10**6


@pytest.mark.parametrize("value", [7, "1e-3", "1.5e12", "many"])
def test_numerals_zhao_must_be_a_power_of_ten(value: object) -> None:
    with pytest.raises(ValueError):
        _with_zhao(value)


def test_numerals_default_path_is_numbers_yaml() -> None:
    assert default_numbers_path().name == "numbers.yaml" and default_numbers_path().is_file()
