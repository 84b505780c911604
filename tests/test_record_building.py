"""Building records from facts: validation in one call, the metric lookups, the GC
setting of a run.  Each fast path is checked against the plain definition it replaces."""
from __future__ import annotations

import gc
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import api
from pipeline.metrics import _CLAUSE, MetricRules, clause_before, load_metric_rules
from pipeline.records import Count, ErrorRecord

RULES = load_metric_rules()
EVIDENCE = {"rule": "count.scope.sentence", "sentence": "全村有贫困户12户。", "start": 3, "end": 7, "confidence": 0.9}


def _count(value: object, **extra: object) -> dict:
    return {"place": "枫树村", "value": value, "unit": "户", "subject": "贫困户", "approx": False,
            "evidence": dict(EVIDENCE), "metric": "registered_poor", **extra}


def test_all_valid_rows_are_the_records_one_by_one() -> None:
    rows = [_count(12), _count(0, place=None), _count(7, metric="other")]
    errors: list[ErrorRecord] = []
    assert api._validated(Count, rows, errors) == [Count.model_validate(r) for r in rows]
    assert errors == []


def test_a_rejected_row_is_an_error_and_the_others_stay() -> None:
    bad_evidence = {**EVIDENCE, "start": 9, "end": 3}
    rows = [_count(12), _count(-1), _count(5, evidence=bad_evidence), _count(3)]
    errors: list[ErrorRecord] = []
    records = api._validated(Count, rows, errors)
    assert [r.value for r in records] == [12, 3]
    assert [e.stage for e in errors] == ["validate", "validate"]
    assert errors[0].reason.startswith("Count rejected: value: ") and errors[0].data["value"] == -1
    assert "evidence end 3 before start 9" in errors[1].reason


def test_an_infinite_amount_is_kept_as_a_string() -> None:
    from pipeline.records import Amount

    row = {"place": None, "value_yuan": math.inf, "subject": "", "approx": False, "per_capita": False,
           "evidence": dict(EVIDENCE), "metric": "other"}
    errors: list[ErrorRecord] = []
    assert api._validated(Amount, [row], errors) == []
    assert errors[0].reason.startswith("Amount rejected: value_yuan") and errors[0].data["value_yuan"] == "inf"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="村户12,，；。:\n a", max_size=30))
def test_clause_before_is_the_last_split_part(text: str) -> None:
    assert clause_before(text) == _CLAUSE.split(text)[-1]


def _longest_cue(rules: MetricRules, text: str, kind: str, per_capita: bool, weak: bool) -> str | None:
    """The definition: the metric of the longest cue in ``text``, equal length the one listed first."""
    found = [(-len(cue), rank, m.name) for rank, m in enumerate(rules.metrics) if m.applies(kind, per_capita)
             for cue in (m.weak_cues if weak else m.cues) if cue in text]
    return min(found)[2] if found else None


_CUES = sorted({cue for m in RULES.metrics for cue in m.cues + m.weak_cues})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CUES) | st.text(alphabet="的了户人元", max_size=2), max_size=5),
       st.sampled_from(["count", "amount"]), st.booleans(), st.booleans())
def test_match_is_the_longest_cue_listed_first(parts: list[str], kind: str, per_capita: bool, weak: bool) -> None:
    text = "".join(parts)
    assert RULES._match(text, kind, per_capita, weak) == _longest_cue(RULES, text, kind, per_capita, weak)


def test_a_run_freezes_the_heap_only_while_it_runs() -> None:
    assert gc.get_freeze_count() == 0
    with api._long_lived_frozen():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_by_the_caller_is_left_frozen() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with api._long_lived_frozen():
            pass
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_a_run_collects_young_objects_less_often_and_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    with api._long_lived_frozen():
        assert gc.get_threshold() == (max(before[0], api._RUN_GC_THRESHOLD), *before[1:])
    assert gc.get_threshold() == before
    gc.set_threshold(10 * api._RUN_GC_THRESHOLD, *before[1:])
    try:
        with api._long_lived_frozen():
            assert gc.get_threshold()[0] == 10 * api._RUN_GC_THRESHOLD  # a caller's higher one is kept
    finally:
        gc.set_threshold(*before)
