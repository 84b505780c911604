"""Units below the village count as mentions of the village they are chained to."""
from __future__ import annotations

from pipeline.entities.mention import Mention
from pipeline.places.subunits import subunit_mentions

UNITS = ["村民小组", "小组", "自然村", "组", "屯"]
AVOID = ["织", "建", "成"]


def _village(text: str, name: str) -> Mention:
    i = text.index(name)
    return Mention(i, i + len(name), "PLACE", name, "test", level="村")


def test_a_chained_group_and_its_later_mentions_name_the_village() -> None:
    text = "记者来到石坝村张家组。张家组有农户42户,张家村民小组长介绍……"
    got = subunit_mentions(text, [_village(text, "石坝村")], UNITS, AVOID)
    assert [(text[m.start:m.end], m.text) for m in got] == [("张家组", "石坝村"), ("张家组", "石坝村"),
                                                          ("张家村民小组", "石坝村")]


def test_only_villages_chain_and_organising_words_are_no_units() -> None:
    text = "青禾镇王家组织干部开会。柳湾村组建合作社。"
    places = [Mention(0, 3, "PLACE", "青禾镇", "test", level="镇"), _village(text, "柳湾村")]
    assert subunit_mentions(text, places, UNITS, AVOID) == []
