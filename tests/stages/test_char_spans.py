"""Spans from character offsets: made directly when tokens are characters, aligned otherwise."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.lang.zh import Chinese
from spacy.tokens import Doc

from pipeline.doc import char_spans


def _doc(words: list[str]) -> Doc:
    return Doc(Chinese().vocab, words=words, spaces=[False] * len(words))


def test_one_token_per_character_gives_the_same_spans_as_char_span() -> None:
    text = "青松村有农户560户。"
    doc = _doc(list(text))
    items = [(0, 3, "PLACE"), (6, 10, "COUNT"), (8, 8, "EMPTY"), (5, 99, "OUTSIDE")]
    got = [(s.start_char, s.end_char, s.label_) for s in char_spans(doc, items)]
    assert got == [(0, 3, "PLACE"), (6, 10, "COUNT")]
    ref = [doc.char_span(s, e, label=lab, alignment_mode="expand") for s, e, lab in items[:2]]
    assert got == [(s.start_char, s.end_char, s.label_) for s in ref]


def test_longer_tokens_are_aligned_by_expanding() -> None:
    doc = _doc(["青松村", "  ", "有", "农户", "560户"])      # a whitespace run and word tokens
    got = [(s.start_char, s.end_char, s.label_) for s in char_spans(doc, [(0, 2, "PLACE"), (8, 10, "COUNT")])]
    assert got == [(0, 3, "PLACE"), (8, 12, "COUNT")]


@given(st.lists(st.sampled_from(["村", "有", "12", "户", "\n\n", "  ", "\n", "青松村"]), min_size=1, max_size=12),
       st.lists(st.tuples(st.integers(-2, 30), st.integers(-2, 30)), max_size=8))
@settings(max_examples=200, deadline=None)
def test_tiling_tokens_give_what_char_span_expand_gives(words: list[str], offsets: list[tuple[int, int]]) -> None:
    doc = _doc(words)
    items = [(s, e, "X") for s, e in offsets if 0 <= s < e <= len(doc.text)]
    ref = [doc.char_span(s, e, label="X", alignment_mode="expand") for s, e, _ in items]
    got = char_spans(doc, items)
    assert [(s.start, s.end) for s in got] == [(s.start, s.end) for s in ref if s is not None]
