"""The fast paths of the entity stage find exactly what a plain search finds."""
from __future__ import annotations

import pytest

from pipeline.entities.lexicon import load_entity_rules
from pipeline.entities.titles import TitleFinder
from pipeline.places.finder import _surface_index
from pipeline.places.gazetteer import LEVEL_NAMES, load_gazetteer

TEXTS = ["", "陕", "陕西", "陕西省西安市雁塔区", "交通城市建设，赤城镇与和县、雄县在澜沧江边。",
         "𠀀陕西省\ud800镇坪县城关镇", "abc 上海市场 北京 海淀区"]


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(None)


@pytest.mark.parametrize("text", TEXTS)
def test_surface_index_finds_every_occurrence(gazetteer, text: str) -> None:
    forms = {s: (s, kind, LEVEL_NAMES[level]) for s, kind, level in gazetteer.surfaces()}
    longest = max(map(len, forms))
    plain = sorted((i, j, *forms[text[i:j]]) for i in range(len(text))
                   for j in range(i + 2, min(len(text), i + longest) + 1) if text[i:j] in forms)
    assert sorted(_surface_index(gazetteer).matches(text)) == plain


@pytest.mark.parametrize("text", TEXTS + ["副县长王某，常务副县长李某、镇党委书记张某"])
def test_title_heads_unchanged_by_the_lookahead(text: str) -> None:
    import re

    from pipeline.rulefiles import alternation

    rules = load_entity_rules().titles
    plain = re.compile(f"(?:{alternation(rules.modifiers)})?(?:{alternation(h.text for h in rules.heads)})")
    fast = TitleFinder(rules)._head_re
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
