"""The attach ranker's second choice in the evidence (issue 12): record, review page."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipeline.records import Count, Evidence
from pipeline.review.model import count_relation


def _ranked(place: str | None, probability: float | None) -> Evidence:
    return Evidence(rule="count.attach.ranker", sentence="s", start=0, end=3, confidence=0.6,
                    runner_up_place=place, runner_up_probability=probability)


def test_a_runner_up_place_needs_its_probability() -> None:
    with pytest.raises(ValidationError, match="runner_up_place without runner_up_probability"):
        _ranked("青石村", None)
    with pytest.raises(ValidationError):
        _ranked("青石村", 1.5)
    assert _ranked(None, 0.2).runner_up_place is None  # "no place" came second


@pytest.mark.parametrize(("place", "shown"), [("青石村", "青石村 0.21"), (None, "(no place) 0.21")])
def test_the_review_page_shows_the_runner_up(place: str | None, shown: str) -> None:
    count = Count(place="柳塘乡", value=48, unit="户", subject="", approx=False, evidence=_ranked(place, 0.21))
    assert count_relation(0, count, []).fields["runner_up"] == shown


def test_facts_the_rules_placed_show_no_runner_up() -> None:
    ev = Evidence(rule="count.scope.same_sentence", sentence="s", start=0, end=3, confidence=0.9)
    count = Count(place="柳塘乡", value=48, unit="户", subject="", approx=False, evidence=ev)
    assert "runner_up" not in count_relation(0, count, []).fields
