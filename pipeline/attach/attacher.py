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
from ..scope import Resolution, ScopeIndex
from .candidates import FactCandidates, candidates_for
from .features import FeatureContext, featurise
from .ranker import Ranker, load_ranker

RULE = "attach.ranker"
Chooser = Callable[[Quantity, Resolution], "tuple[Resolution, float] | None"]


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
        ctx = FeatureContext(text, scope, links or {}, self.gazetteer)

        def choose(q: Quantity, rule: Resolution) -> tuple[Resolution, float] | None:
            cands = candidates_for(text, q, scope, rule)
            feats = featurise(ctx, q, rule, cands)
            if sink is not None:
                sink.append(FactCandidates(q.kind, q.value, q.unit, q.start, q.end, rule, cands, feats))
            if self.ranker is None:
                return None
            best, prob, _ = self.ranker.choose(feats)
            picked = cands[best]
            if not math.isfinite(prob) or picked.key == normalise_place(rule.place):
                return None  # the rules agree: keep their evidence
            return Resolution(picked.place, RULE, picked.mention), round(prob, 4)

        return choose
