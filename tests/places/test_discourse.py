"""One place name per discourse (pipeline.places.discourse); texts written for these tests."""
from __future__ import annotations

from pipeline.entities.mention import Mention
from pipeline.places.discourse import trim_to_written_names


def _village(text: str, start: int, name: str) -> Mention:
    return Mention(start, start + len(name), "PLACE", name, "place.suffix.村", level="村")


def test_a_name_that_swallowed_a_verb_is_cut_to_the_name_written_alone() -> None:
    text = "他在石榴湾村长大。去年他回石榴湾村当了村主任。"
    places = [_village(text, 2, "石榴湾村"), _village(text, 12, "回石榴湾村")]
    got = trim_to_written_names(places)
    assert [(p.start, p.end, p.text) for p in got] == [(2, 6, "石榴湾村"), (13, 17, "石榴湾村")]
    assert all(text[p.start:p.end] == p.text for p in got)


def test_a_stem_is_never_cut_below_two_characters_nor_without_the_shorter_name() -> None:
    text = "回龙村和龙村相邻。回马岭村在北边。"
    places = [_village(text, 0, "回龙村"), _village(text, 4, "龙村"), _village(text, 9, "回马岭村")]
    assert trim_to_written_names(places) == places


def test_gazetteer_names_are_left_as_they_are() -> None:
    county = Mention(0, 3, "PLACE", "回民区", "place.gazetteer.full", level="县")
    other = Mention(5, 7, "PLACE", "民区", "place.suffix.区", level="县")
    assert trim_to_written_names([county, other]) == [county, other]
