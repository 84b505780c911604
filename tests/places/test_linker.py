"""Linking place names to division codes: unique names, homonyms decided by context,
undecidable ones left unlinked, weak short forms needing support (invented texts)."""
from __future__ import annotations

import pytest

from pipeline.entities.lexicon import load_entity_rules
from pipeline.places.finder import PlaceRecognizer
from pipeline.places.gazetteer import load_gazetteer
from pipeline.places.linker import PlaceLinker


@pytest.fixture(scope="module")
def tools() -> tuple[PlaceRecognizer, PlaceLinker]:
    gaz = load_gazetteer()
    return PlaceRecognizer(load_entity_rules().places, gaz), PlaceLinker(gaz)


def link(tools, text: str, context_text: str = ""):
    finder, linker = tools
    context = finder.find(context_text) if context_text else []
    return linker.link(text, finder.find(text), context)


def test_chain_decides_a_homonym(tools) -> None:
    links, _ = link(tools, "茂南区新坡镇车田村今年种了三百亩荔枝。")
    town = links["新坡镇"]
    assert town.path == ("广东省", "茂名市", "茂南区", "新坡镇") and town.rule == "gazetteer.context"
    village = links["车田村"]
    assert village.code is None and village.parent_code == town.code and village.rule == "text.chain"


def test_a_co_mentioned_city_decides_a_homonym(tools) -> None:
    links, _ = link(tools, "月城镇召开会议。会上，江阴市的专家介绍了经验。")
    assert links["月城镇"].path[:3] == ("江苏省", "无锡市", "江阴市")


def test_the_dateline_decides_a_homonym(tools) -> None:
    links, _ = link(tools, "新坡镇今年新建道路十公里。", context_text="海口市融媒体中心")
    assert links["新坡镇"].path[:2] == ("海南省", "海口市")


def test_an_undecidable_homonym_stays_unlinked(tools) -> None:
    links, _ = link(tools, "城关镇今年新建道路十公里。")
    lk = links["城关镇"]
    assert lk.code is None and lk.rule == "gazetteer.ambiguous" and lk.candidates > 50


def test_a_unique_name_links_outright(tools) -> None:
    links, _ = link(tools, "镇坪县今年新建道路十公里。")
    assert links["镇坪县"].rule == "gazetteer.unique" and links["镇坪县"].confidence == 1.0


def test_a_weak_short_form_needs_support(tools) -> None:
    links, kept = link(tools, "当地资源丰富，乐业安居。")
    assert "资源" not in links and not [p for p in kept if p.text in ("资源", "乐业")]
    links, kept = link(tools, "桂林市资源今年接待游客百万人次。")
    assert links["资源"].path == ("广西壮族自治区", "桂林市", "资源县")


def test_a_bare_name_prefers_the_higher_level_with_low_confidence(tools) -> None:
    links, _ = link(tools, "吉林的干部来了。")
    assert links["吉林"].code == "220000" and links["吉林"].rule == "gazetteer.prominent"
    assert links["吉林"].confidence < 1


def test_a_sole_township_is_the_parent_of_an_unchained_village(tools) -> None:
    links, _ = link(tools, "镇坪县曙坪镇召开大会。会后，干部走访了黄龙村。")
    assert links["黄龙村"].parent_code == links["曙坪镇"].code
    assert links["黄龙村"].rule == "article.sole_parent"


def test_a_chained_name_with_another_suffix_is_the_parents_own_division(tools) -> None:
    # 上安乡 exists only far away (Hainan); under 井陉县 the town is 上安镇
    links, _ = link(tools, "井陉县上安乡的果农今年增收明显。")
    town = links["上安乡"]
    assert town.code == "130121101" and town.rule == "gazetteer.chain_variant"


def test_a_chained_name_its_parent_lacks_is_not_linked_elsewhere(tools) -> None:
    # no 上安 of any suffix lies under 正定县: a merged or renamed township, not Hainan's
    links, _ = link(tools, "正定县上安乡的果农今年增收明显。")
    town = links["上安乡"]
    assert town.code is None and town.parent_code == "130123" and town.rule == "text.chain"


@pytest.mark.parametrize(("text", "name"), [
    ("澜沧江两岸的茶园", "澜沧"),      # a river
    ("沿着来安路走到头", "来安"),      # a road
    ("新华社记者报道", "新华"),        # a news agency
    ("他爱听黄梅戏", "黄梅"),          # an opera
])
def test_a_short_form_naming_something_else_does_not_fire(tools, text: str, name: str) -> None:
    finder, _ = tools
    assert name not in [m.text for m in finder.find(text)]


def test_an_older_suffix_that_makes_an_ordinary_word_is_no_form(tools) -> None:
    finder, _ = tools
    assert not [m for m in finder.find("农民工涌入大城市打工") if m.text.startswith("大城")]
