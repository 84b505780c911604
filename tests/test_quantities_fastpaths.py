"""The cheap first checks of the numbers stage give the answers of the full checks.

``find_quantities`` looks at one character (or one bounded search) before the
slower work: the per-capita cue, a currency sign behind a gap, an ordinal or
fraction before the numeral, a trailing approximation marker; numerals are
read through a cache.  These cases sit on both sides of each first check.
"""
from __future__ import annotations

import pytest

from pipeline.numerals import numeral_reader
from pipeline.quantities import find_quantities, load_number_tables


@pytest.fixture(scope="module")
def tables():
    return load_number_tables()


def _found(text: str, tables) -> list[tuple[str, float, bool, str | None, str]]:
    return [(q.text, q.value, q.per_capita, q.approx_marker, q.unit_source) for q in find_quantities(text, tables)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("人均收入300元。", [("300元", 300.0, True, None, "unit")], id="per-capita-same-clause"),
        pytest.param("人均收入，300元。", [("300元", 300.0, False, None, "unit")], id="per-capita-cut-by-clause"),
        pytest.param("补贴¥ 300。", [("¥ 300", 300.0, False, None, "prefix")], id="sign-behind-gap"),
        pytest.param("补贴¥\u30001.5万。", [("¥\u30001.5万", 15000.0, False, None, "prefix")], id="sign-behind-wide-gap"),
        pytest.param("第3户", [], id="ordinal-before"),
        pytest.param("三分之二户", [], id="fraction-before"),
        pytest.param("帮扶200户以上。", [("200户以上", 200.0, False, "以上", "unit")], id="trailing-marker"),
        pytest.param("帮扶200户，以上", [("200户", 200.0, False, None, "unit")], id="no-trailing-marker"),
    ],
)
def test_fast_path_cases(text: str, expected: list, tables) -> None:
    assert _found(text, tables) == expected


def test_numeral_cache_keeps_values_and_errors() -> None:
    """A cached reading is the same value; a numeral that is not read fails every time."""
    reader = numeral_reader()
    assert reader.decimal("三万五") == reader.decimal("三万五") == 35000
    assert reader.decimal(" 2.5万") == 25000
    for _ in range(2):
        with pytest.raises(ValueError, match="ambiguous multiplier"):
            reader.decimal("四十九兆")
