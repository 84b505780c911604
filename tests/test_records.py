"""Tests for pipeline.records: JSON round trip and strict schemas."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pipeline.records import Amount, Article, Count, ErrorRecord, Evidence, Official, Place

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
PLACES = st.none() | st.text(CJK, min_size=2, max_size=6)
FINITE = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)


@st.composite
def evidence(draw: st.DrawFn) -> Evidence:
    start = draw(st.integers(min_value=0, max_value=100_000))
    return Evidence(rule=draw(st.text(min_size=1, max_size=40)), sentence=draw(st.text(max_size=80)),
                    start=start, end=start + draw(st.integers(min_value=0, max_value=200)),
                    confidence=draw(st.floats(min_value=0, max_value=1)))


officials = st.builds(Official, name=st.text(CJK, min_size=2, max_size=6), title=st.text(CJK, min_size=1, max_size=30),
                      place=PLACES, evidence=evidence())
counts = st.builds(Count, place=PLACES, value=st.integers(min_value=0, max_value=10**9),
                   unit=st.sampled_from(["户", "人", "人次"]), subject=st.text(max_size=20), approx=st.booleans(),
                   evidence=evidence())
amounts = st.builds(Amount, place=PLACES, value_yuan=FINITE, subject=st.text(max_size=20), approx=st.booleans(),
                    per_capita=st.booleans(), evidence=evidence())
places = st.builds(Place, name=st.text(CJK, min_size=2, max_size=6),
                   level=st.sampled_from(["省", "市", "县", "镇", "村"]), mentions=st.integers(1, 50))
json_values = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
errors = st.builds(ErrorRecord, stage=st.sampled_from(["input", "validate"]), reason=st.text(max_size=40),
                   origin=st.none() | st.text(max_size=30), hint=st.none() | st.text(max_size=30),
                   data=st.none() | st.dictionaries(st.text(max_size=8), json_values, max_size=3))
articles = st.builds(
    Article, id=st.text(min_size=1, max_size=20), origin=st.none() | st.text(max_size=30),
    url=st.none() | st.text(max_size=30), title=st.none() | st.text(max_size=30),
    published=st.none() | st.dates().map(str), source=st.none() | st.text(max_size=20),
    reporters=st.lists(st.text(CJK, min_size=2, max_size=4), max_size=3),
    places=st.lists(places, max_size=3), officials=st.lists(officials, max_size=3),
    counts=st.lists(counts, max_size=3), amounts=st.lists(amounts, max_size=3),
    errors=st.lists(errors, max_size=2), ok=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(articles)
def test_records_article_json_round_trip(article: Article) -> None:
    assert Article.model_validate_json(article.model_dump_json()) == article


@pytest.mark.parametrize(
    ("model", "data"),
    [
        pytest.param(Article, {"id": "a", "summary": "x"}, id="article"),
        pytest.param(Evidence, {"rule": "r", "sentence": "", "start": 0, "end": 1, "confidence": 1,
                                "source": "x"}, id="evidence"),
        pytest.param(Place, {"name": "青禾镇", "level": "镇", "mentions": 1, "wikidata": "Q1"}, id="place"),
        pytest.param(Article, {"id": "a", "officials": [{
            "name": "林振邦", "title": "镇委书记", "place": "青禾镇", "rank": 1,
            "evidence": {"rule": "r", "sentence": "", "start": 0, "end": 1, "confidence": 1}}]},
            id="nested-official"),
    ],
)
def test_records_forbid_unknown_fields(model: type, data: dict) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate(data)


def test_records_are_frozen() -> None:
    article = Article(id="a")
    with pytest.raises(ValidationError):
        article.id = "b"  # type: ignore[misc]


def test_records_evidence_rejects_end_before_start() -> None:
    with pytest.raises(ValidationError, match="before start"):
        Evidence(rule="r", sentence="", start=5, end=4, confidence=0.5)
