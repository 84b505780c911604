"""A linear ranker over the candidates of a fact, stored as plain JSON.

Each candidate gets a score ``w · x + b``; the fact goes to the best one
(the no-place option included).  Two ways to fit the weights: ``pointwise``
(scikit-learn's LogisticRegression on candidate = gold place) and
``softmax`` (a conditional logit over each fact's candidates, the likelihood
of the gold one(s), L2-regularised).  The file holds the feature names and
weights only, so loading needs neither pickle nor scikit-learn.
"""
from __future__ import annotations

import json
import itertools
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "zh-news-ie/attach-ranker"
VERSION = 1
_ZEROS = itertools.repeat(0.0)  # the weight of a feature the model lacks

Example = tuple[list[dict[str, float]], list[bool]]  # candidates' features, which are gold


@dataclass
class Ranker:
    """Feature weights; ``score`` is linear, ``choose`` the softmax argmax."""

    weights: dict[str, float]
    intercept: float = 0.0
    meta: dict = field(default_factory=dict)

    def score(self, feats: dict[str, float]) -> float:
        return self.intercept + sum(map(operator.mul, feats.values(), map(self.weights.get, feats, _ZEROS)))

    def pair_scorer(self) -> Callable[[Sequence[dict[str, float]], Sequence[dict[str, float]]], list[float]]:
        """Scores of candidates whose features come in two parts (own, fact), as
        :func:`~pipeline.attach.features.featurise_parts` gives them: ``score(own) +
        score(fact)``, each own part scored once (cached by identity, as long as the
        scorer lives: one article)."""
        get, intercept, score = self.weights.get, self.intercept, self.score
        cache: dict[int, tuple[dict, float]] = {}

        def scores(own: Sequence[dict[str, float]], fact: Sequence[dict[str, float]]) -> list[float]:
            out = []
            for a, b in zip(own, fact):
                got = cache.get(id(a))
                if got is None or got[0] is not a:
                    got = cache[id(a)] = (a, score(a))
                s = 0.0  # the fact part is small: a plain loop beats map/sum (the same sum, in order)
                for k, v in b.items():
                    s += get(k, 0.0) * v
                out.append(got[1] + (intercept + s))
            return out

        return scores

    def probabilities(self, cands: Sequence[dict[str, float]]) -> list[float]:
        return _softmax([self.score(f) for f in cands])

    def choose(self, cands: Sequence[dict[str, float]]) -> tuple[int, float, int | None]:
        """(best index, its probability among the candidates, runner-up index)."""
        return choose_by_score([self.score(f) for f in cands])

    def to_json(self) -> dict:
        return {"format": FORMAT, "version": VERSION, "intercept": self.intercept,
                "weights": {k: round(v, 6) for k, v in sorted(self.weights.items()) if v != 0.0},
                "meta": self.meta}

    def save(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return path


def _softmax(scores: Sequence[float]) -> list[float]:
    s = [x if math.isfinite(x) else -1e9 for x in scores]  # a broken feature never wins
    top = max(s)
    e = [math.exp(x - top) for x in s]
    z = sum(e)
    return [x / z for x in e]


def choose_by_score(scores: Sequence[float]) -> tuple[int, float, int | None]:
    """(best index, its softmax probability, runner-up index) of candidate scores; ties go to the first."""
    isfinite = math.isfinite
    # a finite sum means every score is finite (an inf or nan makes it inf or nan)
    s = scores if isfinite(sum(scores)) else [x if isfinite(x) else -1e9 for x in scores]  # a broken feature never wins
    top = max(s)
    best = s.index(top)  # the first of equal scores
    prob = 1.0 / sum(map(math.exp, map(operator.sub, s, itertools.repeat(top))))  # the best's softmax: exp(0) / z
    if len(s) == 1:
        return best, prob, None
    rest = list(s)
    rest[best] = -math.inf  # below every other score, -1e9 included
    return best, prob, rest.index(max(rest))  # the first of equal runners-up


def load_ranker(path: Path | str) -> Ranker:
    """A ranker saved by :meth:`Ranker.save`; a wrong file is a ValueError that says so."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable attach model ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValueError(f"{path}: not an attach ranker file (format {FORMAT} v{VERSION}); retrain with "
                         "`make train-attach`")
    weights = {str(k): float(v) for k, v in (data.get("weights") or {}).items()}
    return Ranker(weights, float(data.get("intercept", 0.0)), dict(data.get("meta") or {}))


def _matrix(examples: Sequence[Example]):
    import numpy as np

    names = sorted({k for feats, _ in examples for f in feats for k in f})
    index = {k: i for i, k in enumerate(names)}
    rows = [f for feats, _ in examples for f in feats]
    X = np.zeros((len(rows), len(names)))
    for r, f in enumerate(rows):
        for k, v in f.items():
            X[r, index[k]] = v
    y = np.array([lab for _, labels in examples for lab in labels], dtype=float)
    groups = np.repeat(np.arange(len(examples)), [len(feats) for feats, _ in examples])
    return names, X, y, groups


def train_ranker(examples: Sequence[Example], *, method: str = "softmax", c: float = 0.1) -> Ranker:
    """Fit weights on facts with at least one gold candidate (others are skipped)."""
    import numpy as np

    usable = [e for e in examples if any(e[1]) and len(e[0]) > 1]
    if not usable:
        raise ValueError("no training fact has its gold place among its candidates")
    names, X, y, groups = _matrix(usable)
    if method == "pointwise":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        model.fit(X, y)
        w, b = model.coef_[0], float(model.intercept_[0])
    elif method == "softmax":
        from scipy.optimize import minimize

        n_groups = len(usable)
        starts = np.concatenate([[0], np.cumsum(np.bincount(groups))[:-1]])
        lam = 1.0 / c

        def loss(w):
            s = X @ w
            top = np.maximum.reduceat(s, starts)
            e = np.exp(s - top[groups])
            z = np.add.reduceat(e, starts)
            zpos = np.add.reduceat(e * y, starts)
            nll = -np.sum(np.log(zpos / z))
            p = e / z[groups]
            q = e * y / zpos[groups]
            grad = X.T @ (p - q)
            return nll / n_groups + 0.5 * lam * w @ w / n_groups, grad / n_groups + lam * w / n_groups

        res = minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
        w, b = res.x, 0.0  # a shared intercept does not change a softmax choice
    else:
        raise ValueError(f"unknown method {method!r}: pointwise or softmax")
    weights = {k: float(v) for k, v in zip(names, w) if abs(v) > 1e-9}
    return Ranker(weights, b, {"method": method, "c": c, "facts": len(usable), "features": len(names)})
