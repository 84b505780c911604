"""Training data for the attach ranker: facts of gold articles with labelled candidates.

``collect`` runs a pipeline once over gold articles and keeps, per article,
the record and every count/amount with its candidates and features (the
rules' flow is unchanged, so features do not depend on any model).  Labels
match facts to gold by value and unit as :mod:`pipeline.evaluate` does; a
candidate is gold when its place matches the gold place with or without its
suffix.  ``records_with`` rebuilds the records with a ranker's choices, so
k-fold scores need one pipeline run only.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language

from .. import api
from ..evaluate import normalise_place
from .candidates import FactCandidates
from .ranker import Example, Ranker, train_ranker


@dataclass
class ArticleFacts:
    id: str
    record: dict
    facts: list[FactCandidates]


def collect(nlp: Language, gold: Sequence[dict]) -> list[ArticleFacts]:
    """Run ``nlp`` over the gold texts, keeping each fact's candidates."""
    pipe = nlp.get_pipe("relations")
    pipe.recorder = []
    try:
        out = []
        for g, doc in zip(gold, nlp.pipe([g["text"] for g in gold])):
            record = api.to_article(doc, id=str(g["id"])).model_dump(mode="json")
            out.append(ArticleFacts(str(g["id"]), record, pipe.recorder[-1]))
        return out
    finally:
        pipe.recorder = None


def _fact_key(kind: str, value: float, unit: str | None):
    try:
        return ("count", int(value), unit) if kind == "count" else ("money", round(float(value), 2))
    except (TypeError, ValueError, OverflowError):
        return None


def gold_places(g: dict) -> dict[tuple, set[str | None]]:
    """Gold fact key -> the normalised places gold gives it."""
    out: dict[tuple, set[str | None]] = {}
    for c in g.get("counts") or []:
        k = _fact_key("count", c.get("value"), c.get("unit"))
        if k is not None:
            out.setdefault(k, set()).add(normalise_place(c.get("place")))
    for a in g.get("amounts") or []:
        k = _fact_key("money", a.get("value_yuan"), None)
        if k is not None:
            out.setdefault(k, set()).add(normalise_place(a.get("place")))
    return out


def examples(articles: Sequence[ArticleFacts], gold: Sequence[dict]) -> list[Example]:
    """Labelled facts: only facts gold also has (by value and unit)."""
    by_id = {str(g["id"]): g for g in gold}
    out: list[Example] = []
    for art in articles:
        g = by_id.get(art.id)
        if g is None:
            continue
        places = gold_places(g)
        for f in art.facts:
            k = _fact_key(f.kind, f.value, f.unit)
            if k not in places:
                continue
            out.append((f.features, [c.key in places[k] for c in f.candidates]))
    return out


def train(articles: Sequence[ArticleFacts], gold: Sequence[dict], **kw) -> Ranker:
    return train_ranker(examples(articles, gold), **kw)


def records_with(art: ArticleFacts, ranker: Ranker | None) -> dict:
    """The article's record with counts and amounts placed by ``ranker`` (None: the rules)."""
    counts, amounts = [], []
    for f in art.facts:
        place = f.rule.place
        if ranker is not None:
            best, _, _ = ranker.choose(f.features)
            if f.candidates[best].key != normalise_place(place):
                place = f.candidates[best].place
        if f.kind == "count":
            if float(f.value).is_integer() and f.unit in ("户", "人", "人次") and f.value >= 0:
                counts.append({"place": place, "value": int(f.value), "unit": f.unit})
        elif f.value >= 0:
            amounts.append({"place": place, "value_yuan": float(f.value)})
    return {"id": art.id, "officials": art.record.get("officials") or [], "counts": counts, "amounts": amounts}
