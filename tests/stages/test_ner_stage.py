"""How the statistical NER stage is combined with the rules."""
from __future__ import annotations

from pipeline.entities.mention import Mention
from pipeline.relations import _longer
from pipeline.stages.ner import NerSettings, StatisticalNer


def _stage(**kw) -> StatisticalNer:
    return StatisticalNer(NerSettings(models=[], **kw))


def test_ner_stage_runs_only_around_titles() -> None:
    text = "今年全镇增收明显。镇长林怀远表示,要继续努力。其他句子没有职务。"
    title = Mention(9, 11, "TITLE", "镇长", "t")
    regions = _stage(window=4)._regions(text, [title])
    assert regions == [(9, 15)]
    assert _stage(window=0)._regions(text, [title]) == [(9, 23)]
    assert len(_stage(all_sentences=True)._regions(text, [])) == 3


def test_ner_stage_reads_less_before_a_title_than_after_it() -> None:
    text = "今年全镇增收明显。该镇镇长林怀远表示,要继续努力。"
    title = Mention(11, 13, "TITLE", "镇长", "t")
    assert _stage(window=6, window_before=2)._regions(text, [title]) == [(9, 19)]
    assert _stage(window=6)._regions(text, [title]) == [(9, 19)]        # the sentence starts at 9
    assert _stage(window=4, window_before=1)._regions(text, [title]) == [(10, 17)]


def test_ner_stage_regions_merge_when_they_overlap() -> None:
    text = "镇委副书记、镇长曾少生表示。"
    titles = [Mention(0, 5, "TITLE", "镇委副书记", "t"), Mention(6, 8, "TITLE", "镇长", "t")]
    assert _stage(window=3)._regions(text, titles) == [(0, 11)]


def test_ner_stage_longer_name_wins_only_at_the_same_start() -> None:
    rule = Mention(5, 7, "PERSON", "何春", "rule")
    model = Mention(5, 8, "PERSON", "何春来", "model")
    assert _longer(model, rule) is model
    short_model = Mention(5, 7, "PERSON", "陈里", "model")
    long_rule = Mention(5, 8, "PERSON", "陈里焱", "rule")
    assert _longer(short_model, long_rule) is long_rule
    elsewhere = Mention(9, 12, "PERSON", "王某某", "model")
    assert _longer(elsewhere, rule) is rule
    assert _longer(None, rule) is rule and _longer(model, None) is model


class _Ext:
    def __init__(self, titles, persons):
        self.titles, self.persons, self.prepared = titles, persons, None


class _Doc:
    def __init__(self, text, titles, persons):
        self._ = _Ext(titles, persons)
        self.text, self.user_data = text, {}


def _title(text: str, word: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return Mention(start, start + len(word), "TITLE", word, "t")


def test_ner_stage_skips_titles_whose_three_character_name_the_rules_found() -> None:
    text = "镇长林振邦到会，主任何春来讲话，书记随后发言。"
    title_a = _title(text, "镇长")    # 镇长林振邦: the rules have the whole name
    title_b = _title(text, "主任")    # 主任何春: two characters, maybe cut short
    title_c = _title(text, "书记")    # no rule name at all
    persons = [Mention(2, 5, "PERSON", "林振邦", "r"), Mention(10, 12, "PERSON", "何春", "r")]
    doc = _Doc(text, [title_a, title_b, title_c], persons)
    assert _stage(skip_named=True)._titles(doc) == [title_b, title_c]
    assert _stage(skip_named=False)._titles(doc) == [title_a, title_b, title_c]


def test_ner_stage_skips_titles_whose_two_character_name_ends_at_a_speech_verb() -> None:
    text = "主任李华表示同意，镇长何春来讲话，书记王平告别。"
    spoken = _title(text, "主任")     # 李华表示: the verb closes the name
    cut = _title(text, "镇长")        # 何春|来: two characters the model may lengthen
    other = _title(text, "书记")      # 王平告别: 告别 is no speech verb
    persons = [Mention(2, 4, "PERSON", "李华", "r"), Mention(11, 13, "PERSON", "何春", "r"),
               Mention(19, 21, "PERSON", "王平", "r")]
    doc = _Doc(text, [spoken, cut, other], persons)
    assert _stage(skip_named=True)._titles(doc) == [cut, other]


def test_ner_stage_skips_titles_followed_by_punctuation() -> None:
    # no name can start right after 县长、 or 主任） (a model name counts only in Chinese
    # characters right after the title); 书记： and 的 leave a gap a name may follow
    text = "副县长、常务副县长出席。办公室（主任）到场。书记：高明说，支部的书记的陈光也在。"
    after_comma = _title(text, "副县长")
    in_brackets = _title(text, "主任")
    colon = _title(text, "书记")
    particle = _title(text, "书记", 1)
    doc = _Doc(text, [after_comma, in_brackets, colon, particle], [])
    assert _stage(skip_named=True)._titles(doc) == [colon, particle]


def test_a_name_running_into_the_next_word_is_cut_before_it() -> None:
    from pipeline.entities.lexicon import load_entity_rules
    from pipeline.entities.persons import PersonFinder

    finder = PersonFinder(load_entity_rules().persons)
    text = "社区书记王海涛再次走访，队长周立记得清楚。"
    assert finder.name_at(text, text.index("王")).text == "王海涛"     # 涛再 is no word
    names = [finder.name_at(text, text.index(c)).text for c in ("周",)]
    assert names == ["周立"]                                            # 记得 is the next word
    model = Mention(text.index("王"), text.index("王") + 4, "PERSON", "王海涛再", "model.ner-news")
    assert finder.trim(text, model).text == "王海涛"                    # 再次


def test_ner_stage_reads_after_a_status_only_at_the_end_of_a_chain_of_posts() -> None:
    from pipeline.entities.titles import UNRECORDED

    text = "帮扶干部张三走访。第一书记、县农业局干部李华说。"
    alone = Mention(2, 4, "TITLE", "干部", UNRECORDED)
    post = _title(text, "第一书记")
    chained = Mention(text.index("干部", 5), text.index("干部", 5) + 2, "TITLE", "干部", UNRECORDED)
    doc = _Doc(text, [alone, post, chained], [])
    # 第一书记、 is followed by punctuation: the name is read after the chain's last title
    assert _stage(skip_named=True)._titles(doc) == [chained]
