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
