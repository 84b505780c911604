"""Place recognition: gazetteer matches with boundary checks, plus validated suffix finds."""
from __future__ import annotations

import pytest

from pipeline.entities.lexicon import load_entity_rules
from pipeline.places.finder import PlaceRecognizer
from pipeline.places.gazetteer import load_gazetteer


@pytest.fixture(scope="module")
def finder() -> PlaceRecognizer:
    return PlaceRecognizer(load_entity_rules().places, load_gazetteer())


def names(finder: PlaceRecognizer, text: str) -> list[str]:
    return [m.text for m in finder.find(text) if not m.anaphor]


@pytest.mark.parametrize(("text", "expected"), [
    ("西藏当雄县的牧民", ["西藏", "当雄县"]),            # not 雄县 inside 当雄县
    ("来自河北雄县的客商", ["河北", "雄县"]),
    ("陕西镇坪县城关镇召开大会", ["陕西", "镇坪县", "城关镇"]),  # a county that begins with 镇
    ("阿拉善左旗巴彦浩特镇乌兰嘎查", ["阿拉善左旗", "巴彦浩特镇", "乌兰嘎查"]),
    ("他在巴音苏木放牧", ["巴音苏木"]),
    ("茂南区新坡镇车田村", ["茂南区", "新坡镇", "车田村"]),
    ("凉山州昭觉县", ["凉山州", "昭觉县"]),
    ("来到江苏江阴市月城镇", ["江苏", "江阴市", "月城镇"]),
    # a suffix character that ends no place may sit inside a village's stem
    ("工作队派驻新乡坪村的干部", ["新乡坪村"]),
    ("记者来到石镇沟村采访", ["石镇沟村"]),
    # ... but a stem never opens with one
    ("这个村马坑村有农户", ["马坑村"]),
    # transliterated names open with 阿 and run a character longer
    ("他家在昭觉县阿吉拉达村", ["昭觉县", "阿吉拉达村"]),
    # 村委会/居委会 name the administrative village as written
    ("在石坝村委会张家小组种植魔芋", ["石坝村委会"]),
    ("他来到柳林居委会走访", ["柳林居委会"]),
    # a unit's level-scoped posts: X村村级河长, X镇镇级林长
    ("双溪村村级河长带队巡河", ["双溪村"]),
])
def test_names_stay_whole(finder: PlaceRecognizer, text: str, expected: list[str]) -> None:
    assert names(finder, text) == expected


@pytest.mark.parametrize("text", [
    "请县里的同志利用市场",          # 请县, 利用市: verb fragments before a suffix
    "鼓励青年返乡创业",               # 返乡
    "推进新型城镇建设",               # 城镇
    "撤换村干部三人",                 # 撤换村
    "改善交通城市面貌",               # 通城 (a county stem) inside 交通城市
    "扩大上海市场份额",               # 上海市 before 场
    "领导小组和县政府研究",            # 和县 after a word
    "各村委会结合实际制定方案",         # 各村委会 is no name, and no stem runs across it (会结合)
    "她被选为村委会主任",
])
def test_fragments_are_not_places(finder: PlaceRecognizer, text: str) -> None:
    assert names(finder, text) == []


def test_a_short_form_before_a_suffix_is_another_place(finder: PlaceRecognizer) -> None:
    # 赤城镇 is a township of its own name, not the county 赤城
    assert names(finder, "赤城镇的干部") == ["赤城镇"]


def test_anaphors_are_kept(finder: PlaceRecognizer) -> None:
    found = finder.find("该镇共有贫困户20户，全村人口300人")
    assert [(m.text, m.level) for m in found if m.anaphor] == [("该镇", "镇"), ("全村", "村")]


def test_levels_come_from_the_gazetteer(finder: PlaceRecognizer) -> None:
    levels = {m.text: m.level for m in finder.find("江阴市和无锡市")}
    assert levels == {"江阴市": "县", "无锡市": "市"}  # a county-level city is a county


def test_a_county_the_gazetteer_lacks_needs_a_second_sighting_or_a_government_body(finder: PlaceRecognizer) -> None:
    # 雾溪县 is invented: no division of that name exists
    assert "雾溪县" not in names(finder, "雾溪县举行了一场演出。")
    assert "雾溪县" in names(finder, "雾溪县财政局拨付资金。")
    assert "雾溪县" in names(finder, "雾溪县举行了一场演出，雾溪县群众踊跃参加。")
    in_source = finder.find("雾溪县举行了一场演出。", context="来源：雾溪县融媒体中心")
    assert "雾溪县" in [m.text for m in in_source]


def test_short_texts_are_memoised_and_callers_get_their_own_list(finder: PlaceRecognizer) -> None:
    text = "首页 > 赤城县人民政府 > 该镇动态"
    first = finder.find(text)
    first.clear()  # a caller changing its list changes nothing for the next one
    again = finder.find(text)
    assert again == PlaceRecognizer(finder.rules, finder.gazetteer).find(text)
    assert [m.text for m in again] == ["赤城县", "该镇"]
    long_text = "赤城县" + "的" * 100
    assert [m.text for m in finder.find(long_text)] == ["赤城县"]


def test_stages_share_one_recognizer_per_rules_and_gazetteer(finder: PlaceRecognizer) -> None:
    from pipeline.places.finder import shared_recognizer

    one = shared_recognizer(finder.rules, finder.gazetteer)
    assert shared_recognizer(finder.rules, finder.gazetteer) is one
    other_rules = finder.rules.model_copy(deep=True)
    assert shared_recognizer(other_rules, finder.gazetteer) is not one
