"""Scope resolution cases, kept as data in tests/cases/scope.jsonl."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from pipeline import api
from pipeline.scope import ScopeIndex, split_sentences
from pipeline.entities.mention import Mention

CASES = [json.loads(line) for line in
         (Path(__file__).resolve().parent.parent / "cases" / "scope.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


def _place_of(facts, text: str, written: str) -> str | None:
    start = text.index(written)
    for f in facts:
        if f.evidence.start <= start < f.evidence.end:
            return f.place
    raise AssertionError(f"no fact covers {written!r}")


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_scope_case(nlp: Language, case: dict) -> None:
    article = api.extract(case["text"], id=case["id"], nlp=nlp)
    for kind in ("counts", "amounts"):
        for written, place in case.get(kind, {}).items():
            assert _place_of(getattr(article, kind), case["text"], written) == place, (kind, written)
    for name, place in case.get("officials", {}).items():
        assert {o.place for o in article.officials if o.name == name} == {place}, name


def test_scope_split_sentences_covers_text() -> None:
    text = "第一句。第二句!第三句\n第四句"
    spans = split_sentences(text)
    assert [text[s:e].strip("。!\n") for s, e in spans] == ["第一句", "第二句", "第三句", "第四句"]


def test_scope_unresolved_level_is_none() -> None:
    text = "该镇有农户300户。"
    index = ScopeIndex.build(text, [Mention(0, 2, "PLACE", "该镇", "t", level="镇", anaphor=True)])
    assert index.resolve_level("镇", 0).place is None


def _first_bare_by_scan(text: str, names: frozenset[str]) -> tuple[int, int] | None:
    """The reference: at each offset a three-character name before a two-character one,
    taken only when a character that is not a suffix follows it."""
    for i in range(len(text) - 1):
        for n in (3, 2):
            if text[i:i + n] in names and text[i + n:i + n + 1] not in "省市县区镇乡村":
                return i, i + n
    return None


@given(st.data())
@settings(max_examples=60, deadline=None)
def test_bare_names_are_found_as_a_scan_finds_them(data) -> None:
    from pipeline.scope import _bare_names

    level = data.draw(st.sampled_from("县市镇省"), label="level")
    names = sorted(_bare_names(level))
    if not names:
        return
    piece = st.one_of(st.sampled_from(names), st.sampled_from(["县", "市", "镇", "乡", "村", "省", "区"]),
                      st.text(alphabet="的和在有发展工作，。\n12", max_size=3))
    text = "".join(data.draw(st.lists(piece, max_size=8), label="pieces"))
    found = ScopeIndex.build(text, []).bare_place(level)
    assert (None if found is None else (found.start, found.end)) == _first_bare_by_scan(text, frozenset(names))
