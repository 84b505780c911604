"""The national gazetteer: loading, hierarchy and the surface forms derived by rule."""
from __future__ import annotations

import json

import pytest

from pipeline.places.forms import FULL, SHORT, VARIANT, WEAK, strip_ethnic
from pipeline.places.gazetteer import Gazetteer, load_gazetteer, load_rules


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def test_loads_every_level_with_resolving_parents(gaz: Gazetteer) -> None:
    by_level: dict[int, int] = {}
    for d in gaz.divisions.values():
        by_level[d.level] = by_level.get(d.level, 0) + 1
        if d.parent:
            assert d.parent in gaz, d
    assert by_level[1] >= 30 and by_level[2] >= 300 and by_level[3] >= 2800 and by_level[4] >= 38000
    assert gaz.metadata.get("data_as_of")


def test_path_and_containment(gaz: Gazetteer) -> None:
    (county,) = [f.code for f in gaz.lookup("赤城县")]
    assert gaz.path(county) == ["河北省", "张家口市", "赤城县"]
    assert gaz.contains("130000", county) and not gaz.contains(county, "130000")
    assert gaz.ancestor_at(county, 2).name == "张家口市"


@pytest.mark.parametrize(("surface", "name", "kind"), [
    ("赤城", "赤城县", WEAK),              # every county stem needs support
    ("新疆", "新疆维吾尔自治区", SHORT),     # ethnic name and 自治区 stripped
    ("凉山州", "凉山彝族自治州", SHORT),     # autonomous prefecture with 州
    ("凉山", "凉山彝族自治州", SHORT),
    ("黔东南州", "黔东南苗族侗族自治州", SHORT),  # two ethnic names
    ("峨边县", "峨边彝族自治县", SHORT),
    ("铜仁", "铜仁市", SHORT),
    ("茂南县", "茂南区", VARIANT),          # a county renamed a district keeps its stem
    ("镇坪县", "镇坪县", FULL),
])
def test_short_forms(gaz: Gazetteer, surface: str, name: str, kind: str) -> None:
    forms = [(gaz.divisions[f.code].name, f.kind) for f in gaz.lookup(surface)]
    assert (name, kind) in forms


def test_ordinary_words_are_not_short_forms(gaz: Gazetteer) -> None:
    # verbs and locality words are never places on their own; listed regions neither
    for word in ("保定", "南部", "中国", "城中"):
        assert not [f for f in gaz.lookup(word) if f.kind in (SHORT, WEAK)], word
    # a township stem alone is never a form (too many are words)
    assert not gaz.lookup("新坡")


def test_homonyms_are_all_candidates(gaz: Gazetteer) -> None:
    assert len(gaz.lookup("城关镇")) > 50
    assert len(gaz.lookup("新坡镇")) == 3


def test_strip_ethnic_keeps_two_characters() -> None:
    rules = load_rules()
    assert strip_ethnic("黔东南苗族侗族", rules) == "黔东南"
    assert strip_ethnic("大理白族", rules) == "大理"
    assert strip_ethnic("回族", rules) == "回族"


def test_a_bad_data_file_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "divisions.json"
    bad.write_text(json.dumps({"rows": []}), encoding="utf-8")
    with pytest.raises(RuntimeError, match="cannot read the gazetteer"):
        load_gazetteer(None, str(bad))


def test_from_rows_builds_forms_from_any_table() -> None:
    rows = [[1, "990000", None, "测试省"], [2, "990100", "990000", "样例市"], [3, "990102", "990100", "甲乙县"],
            [4, "990102001", "990102", "丙丁镇"]]
    g = Gazetteer.from_rows(rows, load_rules())
    assert [f.code for f in g.lookup("样例")] == ["990100"]
    assert [f.code for f in g.lookup("丙丁乡")] == ["990102001"]  # 乡 and 镇 interchange
    assert g.path("990102001") == ["测试省", "样例市", "甲乙县", "丙丁镇"]


def test_derived_forms_round_trip_through_the_cache(tmp_path, monkeypatch) -> None:
    from pipeline.places import gazetteer as gz

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rules_json = gz.load_rules().model_dump_json()
    fresh = gz._build.__wrapped__(rules_json, None)
    files = list((tmp_path / "zh-news-ie").glob("gazetteer-*.marshal"))
    assert len(files) == 1
    cached = gz._build.__wrapped__(rules_json, None)
    assert cached.forms is not fresh.forms and len(cached.forms) == len(fresh.forms)
    assert cached.lookup("赤城") == fresh.lookup("赤城") and cached.stems == fresh.stems
    files[0].write_bytes(b"not a cache")  # a damaged cache is derived again, not trusted
    assert gz._build.__wrapped__(rules_json, None).lookup("赤城县") == fresh.lookup("赤城县")
    monkeypatch.setenv("ZH_NEWS_CACHE", "0")
    assert gz._cache_file(rules_json, b"") is None
