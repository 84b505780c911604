"""Run the rule pipeline with a candidate rule set on annotated articles and
compare the records with the gold ones.

Learning scores thousands of rule variants, so this keeps to the rule stages
(no statistical model), builds one pipeline per rule set from a temporary
directory and scores fact keys exactly as :mod:`pipeline.evaluate` does.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from .. import api
from ..errors import InputError
from ..evaluate import STRICT, fact_keys
from .ruleset import RuleSet

RULE_STAGES = ["entities", "places", "numbers", "scope", "relations"]


def load_gold(gold_dir: Path | str) -> list[dict]:
    """Gold articles (GUIDELINES format) from ``*.json`` files in ``gold_dir``, by file name."""
    paths = sorted(Path(gold_dir).glob("*.json"))
    out = []
    for p in paths:
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{p}: not a readable gold JSON file ({exc}); fix or remove it") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str) or "id" not in doc:
            raise InputError(f"{p}: a gold article needs 'id' and 'text' (see the annotation guidelines)")
        out.append(doc)
    return out


Key = tuple[str, tuple]  # (kind, fact key)


def gold_keys(doc: dict) -> set[Key]:
    keys = fact_keys(doc)
    return {(k, key) for k in STRICT for key in keys[k]}


@dataclass
class Outcome:
    """Predicted and gold keys per article; the basis of every score."""

    predicted: dict[str, set[Key]]
    gold: dict[str, set[Key]]
    records: dict[str, dict] = field(default_factory=dict)

    def tp(self) -> set[tuple[str, Key]]:
        return {(a, k) for a, ks in self.predicted.items() for k in ks & self.gold.get(a, set())}

    def fp(self) -> set[tuple[str, Key]]:
        return {(a, k) for a, ks in self.predicted.items() for k in ks - self.gold.get(a, set())}

    def fn(self) -> set[tuple[str, Key]]:
        return {(a, k) for a, ks in self.gold.items() for k in ks - self.predicted.get(a, set())}

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        def n(s):
            return sum(1 for _, (k, _) in s if kind is None or k == kind)
        tp, fp, fn = n(self.tp()), n(self.fp()), n(self.fn())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def f1(self, kind: str | None = None) -> float:
        return self.prf(kind)[2]


class Harness:
    """Score rule sets on a fixed list of gold articles."""

    def __init__(self, gold: Sequence[dict], *, keep_records: bool = False) -> None:
        self.gold = list(gold)
        self.texts = [g["text"] for g in self.gold]
        self.ids = [str(g["id"]) for g in self.gold]
        self.gold_keys = {str(g["id"]): gold_keys(g) for g in self.gold}
        self.keep_records = keep_records
        self._tmp = tempfile.TemporaryDirectory(prefix="zh-news-rules-")
        self._n = 0

    def close(self) -> None:
        self._tmp.cleanup()

    def __enter__(self) -> "Harness":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def pipeline(self, rules: RuleSet) -> Language:
        """A rules-only pipeline reading ``rules`` (written to a fresh temporary directory).

        The attach ranker is off: it was trained on the dev gold, and rules
        learnt or scored on dev must be judged by the rules alone.
        """
        self._n += 1
        d = rules.write(Path(self._tmp.name) / f"r{self._n}", check=False)
        return api.load(overrides={"nlp.pipeline": RULE_STAGES, "components.relations.attach_model": None}, rules=d)

    def run(self, rules: RuleSet, subset: Iterable[int] | None = None) -> Outcome:
        nlp = self.pipeline(rules)
        idx = list(range(len(self.gold))) if subset is None else list(subset)
        predicted: dict[str, set[Key]] = {}
        records: dict[str, dict] = {}
        for i, doc in zip(idx, nlp.pipe([self.texts[i] for i in idx])):
            record = api.to_article(doc, id=self.ids[i]).model_dump(mode="json")
            predicted[self.ids[i]] = gold_keys(record)
            if self.keep_records:
                records[self.ids[i]] = record
        gold = {self.ids[i]: self.gold_keys[self.ids[i]] for i in idx}
        return Outcome(predicted, gold, records)
