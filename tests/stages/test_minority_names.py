"""Transliterated names (issue 13): dotted parts read whole, long model names kept.
Names and texts are invented for these tests."""
from __future__ import annotations

from spacy.language import Language

from pipeline import api
from pipeline.entities.lexicon import load_entity_rules
from pipeline.entities.mention import Mention
from pipeline.entities.persons import PersonFinder
from pipeline.records import Official


def _finder() -> PersonFinder:
    return PersonFinder(load_entity_rules().persons)


def test_a_dotted_name_is_read_whole_and_ends_before_the_next_word() -> None:
    finder = _finder()
    text = "县委书记艾尼瓦尔·买买提表示，要抓好产业。"
    m = finder.name_at(text, text.index("艾"))
    assert m is not None and m.text == "艾尼瓦尔·买买提"
    text = "乡长阿不都热合曼·吐尔逊带队检查。"
    assert finder.name_at(text, text.index("阿")).text == "阿不都热合曼·吐尔逊"
    text = "主任库尔班•依明说"  # another middle-dot character, kept as written
    assert finder.name_at(text, text.index("库")).text == "库尔班•依明"


def test_han_names_and_dotless_text_are_read_as_before() -> None:
    finder = _finder()
    text = "镇长王海涛表示，全镇增收。"
    assert finder.name_at(text, text.index("王")).text == "王海涛"
    assert finder.name_at("书记·王海涛出席", 3).text == "王海涛"      # a dot before the name is no part of it
    assert finder.name_at("书记·王海涛", 2) is None                   # nor does a name start at a dot


def test_officials_keep_long_transliterated_names(nlp: Language) -> None:
    article = api.extract("塔城县委书记艾尼瓦尔·买买提表示，全县共有农户1200户。", id="x", nlp=nlp)
    assert [(o.name, o.title) for o in article.officials] == [("艾尼瓦尔·买买提", "县委书记")]
    assert Official(name="阿不都热合曼·吐尔逊", title="乡长", place=None,
                    evidence={"rule": "official.person.after_title", "start": 0, "end": 12,
                              "confidence": 0.9, "sentence": ""}).name.endswith("吐尔逊")


def test_a_model_name_of_up_to_six_characters_right_after_a_title_is_used() -> None:
    from pipeline.relations import RelationExtractor, load_relation_rules
    from pipeline.scope import ScopeIndex

    text = "嘎查党支部书记巴特尔额尔敦介绍，牧民增收。"
    title = Mention(2, 7, "TITLE", "党支部书记", "t")
    model = Mention(7, 13, "PERSON", "巴特尔额尔敦", "model.ner-news")
    extractor = RelationExtractor(load_relation_rules(), _finder())
    scope = ScopeIndex.build(text, [])
    facts = extractor.officials(text, [title], scope, set(), [model])
    assert [f.name for f in facts] == ["巴特尔额尔敦"]
