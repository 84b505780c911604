"""Tests for the spaCy plug-in API: our stages in a plain ``zh`` pipeline."""
from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

import pipeline.stages  # noqa: F401  (registers the factories)

TEXT = ("石桥镇召开脱贫攻坚推进会。石桥镇委书记王立衡表示，全镇还有126户困难户需要重点帮扶，"
        "今年已发放救助资金35.6万元。")
OUR_STAGES = ("zh_news_entities", "zh_news_numbers", "zh_news_scope", "zh_news_relations")


@Language.component("test_plugin_drop_households")
def drop_households(doc: Doc) -> Doc:
    """Toy stage: forget every household quantity before scope and relations run."""
    doc._.quantities = [q for q in doc._.quantities if q.unit != "户"]
    return doc


def _blank(*factories: str) -> Language:
    nlp = spacy.blank("zh")
    for factory in factories:
        nlp.add_pipe(factory)
    return nlp


def test_plugin_stages_run_on_plain_doc() -> None:
    nlp = _blank(*OUR_STAGES)
    doc = nlp(TEXT)
    assert doc._.prepared is None  # the default zh tokenizer, not ours
    assert doc._.quantities and doc._.scope is not None
    assert {q.unit for q in doc._.quantities} >= {"户", "元"}
    assert doc._.officials is not None and doc._.facts is not None
    assert "candidates" in doc.spans and "quantities" in doc.spans


def test_plugin_toy_component_between_stages() -> None:
    nlp = _blank(*OUR_STAGES)
    nlp.add_pipe("test_plugin_drop_households", after="zh_news_numbers")
    assert nlp.pipe_names.index("test_plugin_drop_households") == 2
    doc = nlp(TEXT)
    assert all(f.unit != "户" for f in doc._.facts)
    assert any(f.kind == "money" for f in doc._.facts)


def test_plugin_missing_prerequisite_is_reported() -> None:
    nlp = _blank("zh_news_entities", "zh_news_numbers", "zh_news_relations")
    problems = nlp.analyze_pipes()["problems"]
    assert "doc._.scope" in problems["zh_news_relations"]
    with pytest.raises(ValueError, match="zh_news_scope"):
        nlp(TEXT)
