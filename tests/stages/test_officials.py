"""Officials: title grammar and name boundaries, cases kept as data in
tests/cases/officials.jsonl (texts written for these tests)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline import api

CASES = [json.loads(line) for line in
         (Path(__file__).resolve().parent.parent / "cases" / "officials.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_officials_case(nlp: Language, case: dict) -> None:
    article = api.extract(case["text"], id=case["id"], nlp=nlp)
    got = {(o.name, o.title, o.place) for o in article.officials}
    assert got == {tuple(x) for x in case["officials"]}


def test_a_modifier_is_stripped_as_a_prefix_not_as_a_set_of_characters() -> None:
    """With a level word among the modifiers (县级, as rule learning may add), 副县长 still
    names the county level: only a whole modifier comes off the head."""
    from pipeline.entities.lexicon import load_entity_rules
    from pipeline.entities.titles import TitleFinder

    rules = load_entity_rules().titles
    finder = TitleFinder(rules.model_copy(update={"modifiers": [*rules.modifiers, "县级", "村级"]}))
    text = "云溪县召开推进会。分管扶贫工作的副县长林志强说。"
    titles = finder.find(text, [])
    assert [(t.text, t.level) for t in titles] == [("副县长", "县")]
