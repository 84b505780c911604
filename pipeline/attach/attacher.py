"""The per-article hook the relations stage calls for each count and amount."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..evaluate import normalise_place
from ..paths import repo_path
from ..quantities import Quantity
from ..relations import RunnerUp
from ..scope import Resolution, ScopeIndex
from .candidates import ArticleCandidates, FactCandidates
from .features import FeatureContext, featurise_parts
from .ranker import Ranker, choose_by_score, load_ranker

RULE = "attach.ranker"
Chooser = Callable[[Quantity, Resolution], "tuple[Resolution, float, RunnerUp | None] | None"]


@dataclass
class Attacher:
    """Re-choose the place of facts with ``ranker`` (None: only describe them)."""

    ranker: Ranker | None
    gazetteer: Any = None

    @classmethod
    def from_file(cls, path: str | Path, gazetteer: Any = None) -> Attacher:
        return cls(load_ranker(repo_path(path)), gazetteer)

    def for_doc(self, text: str, scope: ScopeIndex, links: dict | None,
                sink: list[FactCandidates] | None = None) -> Chooser:
        """The chooser of one article; ``sink`` collects every fact's candidates and features."""
        article = ArticleCandidates(scope)
        ctx = FeatureContext(text, scope, links or {}, self.gazetteer, article)

        scores_of = self.ranker.pair_scorer() if self.ranker is not None else None

        def choose(q: Quantity, rule: Resolution) -> tuple[Resolution, float, RunnerUp | None] | None:
            cands = article.for_fact(q, rule)
            own, fact = featurise_parts(ctx, q, rule, cands)
            if sink is not None:
                feats = [{**a, **b} for a, b in zip(own, fact)]
                sink.append(FactCandidates(q.kind, q.value, q.unit, q.start, q.end, rule, cands, feats))
            if self.ranker is None:
                return None
            scores = scores_of(own, fact)
            best, prob, second = choose_by_score(scores)
            picked = cands[best]
            if not math.isfinite(prob) or picked.key == normalise_place(rule.place):
                return None  # the rules agree: keep their evidence
            runner_up = None
            if second is not None and math.isfinite(scores[second]) and math.isfinite(scores[best]):
                # softmax of the second: exp(s2 - s1) times the best one's probability
                runner_up = RunnerUp(cands[second].place,
                                     round(math.exp(scores[second] - scores[best]) * prob, 4))
            return Resolution(picked.place, RULE, picked.mention), round(prob, 4), runner_up

        return choose
