"""What a count or an amount counts: its ``metric``, and a cleaned ``subject``.

Sums are only honest over facts that count the same thing (120 poor
households and the 68 of them lifted out are not 188 of anything).  Each fact
gets a metric from the small taxonomy in ``configs/rules/metrics.yaml``
(registered_poor, lifted_out, relocated, employed_trained, population,
investment_funds, income_per_capita, collective_income, donation, other),
decided from cue words, all of them data; the decision procedure is described
in that file's header and in :meth:`MetricRules.classify`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .paths import rules_dir
from .rulefiles import load_yaml

METRICS_FILE = "metrics.yaml"
Kind = Literal["count", "amount"]
_NAME = r"^[a-z][a-z0-9_]*$"
# clause boundaries inside a sentence: the cue of a figure is in its own clause
# (an ASCII comma between digits groups thousands: 1,280 is not two clauses)
_CLAUSE = re.compile(r"[，；;。：:！!？?\n]|(?<!\d),|,(?!\d)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Metric(_Strict):
    name: str = Field(pattern=_NAME)
    description: str = Field(min_length=1)
    kinds: list[Kind] = Field(min_length=1)
    per_capita: bool | None = None
    cues: list[str] = Field(min_length=1)
    # decide only when no metric's cue is in the subject or the clause (全村, 共有)
    weak_cues: list[str] = []

    def applies(self, kind: str, per_capita: bool) -> bool:
        if kind not in self.kinds:
            return False
        return self.per_capita is None or kind != "amount" or self.per_capita == per_capita


class SubjectRules(_Strict):
    min_length: int = Field(default=2, ge=1)
    figure_chars: str = ""
    stop_words: list[str] = []


class MetricRules(_Strict):
    default: str = Field(default="other", pattern=_NAME)
    per_capita_default: str = Field(pattern=_NAME)
    metrics: list[Metric] = Field(min_length=1)
    subject: SubjectRules = SubjectRules()

    @model_validator(mode="after")
    def _names(self) -> MetricRules:
        names = [m.name for m in self.metrics]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"metric names listed twice: {', '.join(dup)}")
        if self.default in names:
            raise ValueError(f"default {self.default!r} must not be a listed metric (it has no cues)")
        if self.per_capita_default not in names:
            raise ValueError(f"per_capita_default {self.per_capita_default!r} is not a listed metric")
        return self

    @property
    def names(self) -> list[str]:
        """Every metric a fact can get, in the order of precedence, the default last."""
        return [m.name for m in self.metrics] + [self.default]

    def clean_subject(self, subject: str | None) -> str:
        """``subject`` as is, or "" when it is junk: shorter than ``min_length``,
        only figure characters (89人, 342户) or a stop word (解决, 计)."""
        s = (subject or "").strip()
        if len(s) < self.subject.min_length or s in self._stop_words:
            return ""
        if self._figure_chars and self._figure_chars.issuperset(s):
            return ""
        return s

    @cached_property
    def _ranked(self) -> dict[tuple[str, bool, bool], tuple[tuple[str, str], ...]]:
        """For each (kind, per_capita, weak): the (cue, metric) pairs that apply, longest
        cue first, equal length in the order listed, so the first cue found wins
        (asked for every fact; the rules are frozen, so this is built once)."""
        ranked = {}
        for kind in ("count", "amount"):
            for per_capita in (False, True):
                for weak in (False, True):
                    pairs = [(-len(cue), rank, cue, m.name) for rank, m in enumerate(self.metrics)
                             if m.applies(kind, per_capita) for cue in (m.weak_cues if weak else m.cues)]
                    ranked[kind, per_capita, weak] = tuple((cue, name) for _, _, cue, name in sorted(pairs))
        return ranked

    @cached_property
    def _figure_chars(self) -> frozenset[str]:
        return frozenset(self.subject.figure_chars)

    @cached_property
    def _stop_words(self) -> frozenset[str]:
        return frozenset(self.subject.stop_words)

    @cached_property
    def _matched(self) -> dict[tuple[str, str, bool, bool], str | None]:
        """What :meth:`_match` found, by its arguments (subjects and clauses recur)."""
        return {}

    def _match(self, text: str, kind: str, per_capita: bool, weak: bool = False) -> str | None:
        """The metric of the longest cue in ``text`` (equal length: the one listed first)."""
        key = (text, kind, per_capita, weak)
        memo = self._matched
        if key in memo:
            return memo[key]
        if len(memo) >= _MATCH_MEMO:
            memo.clear()
        cues = self._ranked.get((kind, per_capita, weak), ())
        found = memo[key] = next((name for cue, name in cues if cue in text), None)
        return found

    def classify(self, kind: str, subject: str, before: str = "", after: str = "",
                 per_capita: bool = False) -> str:
        """The metric of a fact: cues in the subject, else in the clause before the
        number, else in the clause after it; per-capita amounts default to
        ``per_capita_default``, everything else to ``default``.  Weak cues are
        looked for (in the same order) only when no cue was found."""
        texts: list[str] = []
        for text in _cue_texts(subject, before, after):
            texts.append(text)
            found = self._match(text, kind, per_capita) if text else None
            if found is not None:
                return found
        for text in texts:
            found = self._match(text, kind, per_capita, weak=True) if text else None
            if found is not None:
                return found
        if kind == "amount" and per_capita:
            return self.per_capita_default
        return self.default


_MATCH_MEMO = 50_000  # entries of MetricRules._matched; it starts afresh when full


def _cue_texts(subject: str, before: str, after: str) -> Iterator[str]:
    """Where a fact's cues are looked for, in order; a clause is cut only when
    asked for (the subject alone decides most facts)."""
    yield subject
    yield clause_before(before)
    yield clause_after(after)


def clause_before(text: str) -> str:
    """The part of ``text`` after its last clause boundary (the clause a number ends).

    ``_CLAUSE`` reads the same backwards (its comma rule looks at both sides),
    so this is the first clause of the reversed text: one split that stops at
    the first boundary instead of splitting every clause of the sentence."""
    return clause_after(text[::-1])[::-1]


def clause_after(text: str) -> str:
    """The part of ``text`` before its first clause boundary."""
    return _CLAUSE.split(text, maxsplit=1)[0] if text else ""


def load_metric_rules(directory: Path | str | None = None) -> MetricRules:
    """``metrics.yaml`` from ``directory``, validated; the shipped file when
    ``directory`` is None or has no ``metrics.yaml`` (a rule folder from before
    the taxonomy existed still runs, with the shipped taxonomy)."""
    if directory is None or not (Path(directory) / METRICS_FILE).is_file():
        directory = rules_dir()
    return _load(str(Path(directory)))


@lru_cache(maxsize=8)
def _load(directory: str) -> MetricRules:
    return load_yaml(Path(directory) / METRICS_FILE, MetricRules)
