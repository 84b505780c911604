"""Fuzzing the whole pipeline with hypothesis: no exception escapes, one record per input.

Inputs mix scripts (simplified, traditional, Latin, Cyrillic, emoji), control
characters, lone surrogates, very long numbers, nested brackets and
fragments of the project's synthetic corpus, so the rules actually fire.

The default run (and CI) uses a small budget; ``pytest -m slow
tests/test_fuzz.py`` runs 10,000 cases of the whole-pipeline test (set
``ZH_FUZZ_CASES`` to change it) and prints the figures.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline
from pipeline import api
from pipeline.io import readers
from pipeline.io.readers import InputFailure, SourceArticle
from pipeline.records import Article

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SLOW_CASES = int(os.environ.get("ZH_FUZZ_CASES", "10000"))
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])
SLOW = settings(max_examples=SLOW_CASES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                              HealthCheck.data_too_large])

_SENTENCES = [s for p in sorted(CORPUS.glob("*.txt"))
              for s in re.split(r"(?<=[。！？\n])", p.read_text(encoding="utf-8")) if s.strip()]
_TRADITIONAL = [opencc.OpenCC("s2t").convert(s) for s in _SENTENCES[::3]]
_NLP = None


def nlp():
    global _NLP
    if _NLP is None:
        _NLP = pipeline.load()
    return _NLP


any_char = st.characters(codec=None)  # every code point, surrogates included
pieces = st.one_of(
    st.sampled_from(_SENTENCES),
    st.sampled_from(_TRADITIONAL),
    st.text(any_char, max_size=40),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=10),
    st.sampled_from("\ud800\udfff\ud83d\x00\x1b\u202e\ufeff\ufffd\r\n\u3000"),
    st.integers(1, 3000).map(lambda n: "9" * n),
    st.integers(1, 400).map(lambda n: "１２３４５６７８９０"[: n % 10 + 1] * (n // 10 + 1) + "万元"),
    st.integers(1, 300).map(lambda n: "（" * n + "镇长" + "）" * n),
    st.integers(1, 300).map(lambda n: "[{(<《【" * n + "书记" + "】》>)}]" * (n // 2)),
    st.sampled_from(["Ω镇 ёж 村", "😀县委书记😀", "ＡＢＣ合作社", "共有贫困户3,500户", "投入资金1.2亿元",
                     "该镇", "全村", "<p>镇长</p>", "&nbsp;&amp;", "一二三四五六七八九十百千万亿户"]),
)
articles = st.lists(pieces, max_size=25).map("".join)


def check_one(text: str) -> Article:
    records = list(api.process(nlp(), [SourceArticle("fuzz", text, "fuzz.txt")], time_limit=60))
    assert len(records) == 1
    record = records[0]
    line = record.model_dump_json()  # must be writable as UTF-8 JSON
    assert Article.model_validate_json(line) == record
    for fact in [*record.officials, *record.counts, *record.amounts]:
        assert 0 <= fact.evidence.start <= fact.evidence.end <= len(text)
    return record


@FAST
@given(articles)
def test_fuzz_pipeline_one_record_no_exception(text: str) -> None:
    check_one(text)


@FAST
@given(st.binary(max_size=3000), st.booleans())
def test_fuzz_bytes_through_the_reader(data: bytes, html: bool) -> None:
    item = readers._article_from_bytes(data, Path("fuzz.html" if html else "fuzz.txt"), html=html)
    assert isinstance(item, (SourceArticle, InputFailure))
    if isinstance(item, SourceArticle):
        check_one(item.text)
    else:
        assert api.failure_record(item).model_dump_json()


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(any_char, max_size=30),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                                        max_size=4), max_leaves=10)


@FAST
@given(st.one_of(json_values, st.fixed_dictionaries({"id": json_values, "text": json_values},
                                                    optional={"url": json_values})))
def test_fuzz_jsonl_records(value: object) -> None:
    item = readers._article_from_record(value, "f.jsonl:1", "f:1")
    assert isinstance(item, (SourceArticle, InputFailure))
    record = check_one(item.text) if isinstance(item, SourceArticle) else api.failure_record(item)
    assert json.loads(record.model_dump_json())


@pytest.mark.slow
def test_fuzz_pipeline_slow_budget(capsys: pytest.CaptureFixture[str]) -> None:
    stats = {"cases": 0, "records": 0, "ok": 0, "exceptions": 0}

    @SLOW
    @given(articles)
    def run(text: str) -> None:
        stats["cases"] += 1
        try:
            record = check_one(text)
        except Exception:
            stats["exceptions"] += 1
            raise
        stats["records"] += 1
        stats["ok"] += record.ok

    run()
    with capsys.disabled():
        print(f"\nfuzz: {stats}")
    assert stats["cases"] >= SLOW_CASES * 0.99 and stats["exceptions"] == 0
    assert stats["records"] == stats["cases"]
