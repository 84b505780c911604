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
from functools import lru_cache
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
        rules = self.subject
        if len(s) < rules.min_length or s in rules.stop_words:
            return ""
        if rules.figure_chars and all(ch in rules.figure_chars for ch in s):
            return ""
        return s

    def _match(self, text: str, kind: str, per_capita: bool, weak: bool = False) -> str | None:
        """The metric of the longest cue in ``text`` (equal length: the one listed first)."""
        best: tuple[int, int] | None = None
        for rank, m in enumerate(self.metrics):
            if not m.applies(kind, per_capita):
                continue
            for cue in (m.weak_cues if weak else m.cues):
                if cue in text and (best is None or (-len(cue), rank) < best):
                    best = (-len(cue), rank)
        return self.metrics[best[1]].name if best is not None else None

    def classify(self, kind: str, subject: str, before: str = "", after: str = "",
                 per_capita: bool = False) -> str:
        """The metric of a fact: cues in the subject, else in the clause before the
        number, else in the clause after it; per-capita amounts default to
        ``per_capita_default``, everything else to ``default``.  Weak cues are
        looked for (in the same order) only when no cue was found."""
        texts = (subject, clause_before(before), clause_after(after))
        for weak in (False, True):
            for text in texts:
                found = self._match(text, kind, per_capita, weak) if text else None
                if found is not None:
                    return found
        if kind == "amount" and per_capita:
            return self.per_capita_default
        return self.default


def clause_before(text: str) -> str:
    """The part of ``text`` after its last clause boundary (the clause a number ends)."""
    parts = _CLAUSE.split(text)
    return parts[-1] if parts else ""


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
