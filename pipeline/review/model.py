"""What a review page shows, computed from a record and (when there is one) its Doc.

Facts and relations always come from the :class:`~pipeline.records.Article`
record; entity mentions (places, titles, persons, organisations, numbers)
come from the processed Doc, mapped to offsets in the original text.  All
offsets here are offsets into the original input text, ``end`` exclusive.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from spacy.tokens import Doc

from ..records import Amount, Article, Count, ErrorRecord, Evidence, Official
from .markup import Span, highlight

#: entity labels in the order the legend lists them
LABELS = ("PERSON", "TITLE", "PLACE", "ORG", "COUNT", "MONEY")


@dataclass(frozen=True)
class Entity:
    """One highlighted mention: ``text`` is ``original[start:end]``."""

    id: str
    label: str
    start: int
    end: int
    text: str
    rule: str
    detail: str = ""
    anaphor: bool = False


@dataclass(frozen=True)
class Node:
    """One end of a relation (a person, a title, a place, a number) and the mention it points to."""

    role: str
    text: str
    entity: str | None = None


@dataclass(frozen=True)
class Relation:
    """A fact drawn as a chain of nodes: official → title → place, count → place, amount → place."""

    id: str
    kind: str
    nodes: tuple[Node, ...]
    evidence: Evidence | None
    fields: dict[str, str]
    #: where the evidence lies in the text; None when it cannot be shown there
    in_text: bool = True


@dataclass
class ArticlePage:
    """Everything one article page shows."""

    article: Article
    slug: str
    text: str | None
    body: Markup | None
    entities: list[Entity]
    relations: list[Relation]
    failed: list[Relation]
    warnings: list[str] = field(default_factory=list)

    @property
    def entity_counts(self) -> dict[str, int]:
        counts = {label: 0 for label in LABELS}
        for e in self.entities:
            counts[e.label] = counts.get(e.label, 0) + 1
        return counts


# ------------------------------------------------------------------ entities


def doc_entities(doc: Doc) -> list[Entity]:
    """Entity mentions of a processed Doc, in original-text offsets.

    Places (anaphors such as 该镇 included), titles and persons come from the
    rule and model mention lists; organisations and model places, which only
    the NER stage's spans carry, from ``doc.spans["candidates"]``; counts and
    money from ``doc._.quantities``.  Exact duplicates are dropped.
    """
    prepared = doc._.prepared
    original = prepared.original if prepared is not None else doc.text
    to_original = prepared.offsets.to_original if prepared is not None else (lambda s, e: (s, e))
    found: list[tuple[str, int, int, str, str, bool]] = []
    for field_name in ("places", "titles", "persons", "model_titles"):
        for m in getattr(doc._, field_name) or []:
            found.append((m.label, m.start, m.end, m.rule, m.level or "", m.anaphor))
    mentions = list(found)
    for span in doc.spans["candidates"] if "candidates" in doc.spans else []:
        s, e = span.start_char, span.end_char
        # the rule mentions are in the spans too (token-aligned): keep only what they lack
        if span.label_ in LABELS and not any(f[0] == span.label_ and f[1] < e and s < f[2] for f in mentions):
            found.append((span.label_, s, e, "ner model", "", False))
    for q in doc._.quantities or []:
        label = "MONEY" if q.kind == "money" else "COUNT"
        found.append((label, q.start, q.end, f"numbers.{q.unit_source}",
                      format_value(q.value, q.unit, q.approx), False))
    entities: list[Entity] = []
    seen: set[tuple[str, int, int]] = set()
    for label, start, end, rule, detail, anaphor in sorted(found, key=lambda f: (f[1], -f[2], LABELS.index(f[0]))):
        if end <= start:
            continue
        o_start, o_end = to_original(start, end)
        if (label, o_start, o_end) in seen:
            continue
        seen.add((label, o_start, o_end))
        entities.append(Entity(f"e{len(entities)}", label, o_start, o_end, original[o_start:o_end], rule,
                               detail, anaphor))
    return entities


def format_value(value: float, unit: str, approx: bool = False) -> str:
    """``3900000.0, 元`` → ``3,900,000 元``; approximate values get a leading ≈."""
    number = f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{'≈' if approx else ''}{number} {unit}"


# ------------------------------------------------------------------ relations


def _overlaps(e: Entity, start: int, end: int) -> bool:
    return e.start < end and start < e.end


def _pick(entities: list[Entity], labels: tuple[str, ...], ev: Evidence | None,
          want: str | None = None, match: str = "equal") -> str | None:
    """The mention a relation node points to: one inside the evidence span first,
    else the nearest one before it, else any; ``want`` filters by text."""
    def ok(e: Entity) -> bool:
        if e.label not in labels:
            return False
        if want is None:
            return True
        return e.text == want if match == "equal" else want in e.text
    candidates = [e for e in entities if ok(e)]
    if not candidates:
        return None
    if ev is None:
        return candidates[0].id
    inside = [e for e in candidates if _overlaps(e, ev.start, ev.end)]
    if inside:
        return max(inside, key=lambda e: e.end - e.start).id
    before = [e for e in candidates if e.end <= ev.start]
    return (before[-1] if before else candidates[0]).id


def _place_node(entities: list[Entity], place: str | None, ev: Evidence | None) -> Node:
    if place is None:
        return Node("place", "(no place)")
    places = [e for e in entities if e.label == "PLACE"]
    named = [e for e in places if not e.anaphor and e.text == place]
    if ev is not None:
        # the place named in the evidence, else the anaphor (该镇, 全村) the evidence reaches it through
        for pool in (named, [e for e in places if e.anaphor]):
            inside = [e for e in pool if _overlaps(e, ev.start, ev.end)]
            if inside:
                return Node("place", place, inside[0].id)
    return Node("place", place, _pick(named, ("PLACE",), ev))


def _evidence_fields(ev: Evidence) -> dict[str, str]:
    fields = {"rule": ev.rule, "confidence": f"{ev.confidence:.2f}", "sentence": ev.sentence,
              "start": str(ev.start), "end": str(ev.end)}
    if ev.runner_up_probability is not None:  # the ranker's second choice: why this place and not that
        fields["runner_up"] = f"{ev.runner_up_place or '(no place)'} {ev.runner_up_probability:.2f}"
    return fields


def official_relation(i: int, o: Official, entities: list[Entity]) -> Relation:
    ev = o.evidence
    nodes = (Node("person", o.name, _pick(entities, ("PERSON",), ev, o.name, "contains")),
             Node("title", o.title, _pick(entities, ("TITLE",), ev, o.title, "contains")),
             _place_node(entities, o.place, ev))
    fields = {"kind": "official", "name": o.name, "title": o.title, "place": o.place or ""}
    return Relation(f"o{i}", "official", nodes, ev, fields | _evidence_fields(ev))


def count_relation(i: int, c: Count, entities: list[Entity]) -> Relation:
    ev = c.evidence
    value = format_value(c.value, c.unit, c.approx)
    nodes = (Node("count", value, _pick(entities, ("COUNT",), ev)), _place_node(entities, c.place, ev))
    fields = {"kind": "count", "value": str(c.value), "unit": c.unit, "place": c.place or "",
              "subject": c.subject, "metric": c.metric, "approx": str(c.approx).lower()}
    return Relation(f"c{i}", "count", nodes, ev, fields | _evidence_fields(ev))


def amount_relation(i: int, a: Amount, entities: list[Entity]) -> Relation:
    ev = a.evidence
    value = format_value(a.value_yuan, "元", a.approx) + (" per capita" if a.per_capita else "")
    nodes = (Node("money", value, _pick(entities, ("MONEY",), ev)), _place_node(entities, a.place, ev))
    fields = {"kind": "amount", "value": repr(float(a.value_yuan)), "unit": "元", "place": a.place or "",
              "subject": a.subject, "metric": a.metric, "approx": str(a.approx).lower(),
              "per_capita": str(a.per_capita).lower()}
    return Relation(f"a{i}", "amount", nodes, ev, fields | _evidence_fields(ev))


def failed_relation(i: int, err: ErrorRecord, entities: list[Entity]) -> Relation:
    """An error record as a row; a rejected fact keeps its evidence so the text shows where it was."""
    data: dict[str, Any] = err.data or {}
    ev = None
    raw = data.get("evidence")
    if isinstance(raw, dict):
        try:
            ev = Evidence.model_validate(raw)
        except ValueError:
            ev = None
    shown = [str(data[k]) for k in ("name", "title", "value", "value_yuan", "unit", "place") if data.get(k) is not None]
    nodes = (Node("error", err.stage), Node("detail", " ".join(shown) or err.reason[:80]))
    fields = {"kind": "error", "stage": err.stage, "reason": err.reason, "hint": err.hint or "",
              "origin": err.origin or ""}
    if ev is not None:
        fields |= _evidence_fields(ev)
    return Relation(f"x{i}", "error", nodes, ev, fields)


# ------------------------------------------------------------------ pages

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def slug_for(article_id: str, taken: set[str]) -> str:
    """A file-name-safe, unique page name for an article id."""
    base = _UNSAFE.sub("_", article_id).strip("._")[:80] or "article"
    digest = hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:8]
    slug = base if base == article_id else f"{base}-{digest}"
    n = 2
    while slug.lower() in taken:  # ids differing only in case must not share a file
        slug, n = f"{base}-{digest}-{n}", n + 1
    taken.add(slug.lower())
    return slug


def build_page(article: Article, text: str | None, doc: Doc | None, slug: str,
               warnings: Iterable[str] = ()) -> ArticlePage:
    """The page of one record.  ``text`` is the original input text (None when
    not available); ``doc`` a Doc of it that has run at least the entity stages."""
    notes = list(warnings)
    entities = doc_entities(doc) if doc is not None else []
    if doc is not None and text is not None:
        entities += _relation_persons(article, text, entities)
    relations = [official_relation(i, o, entities) for i, o in enumerate(article.officials)]
    relations += [count_relation(i, c, entities) for i, c in enumerate(article.counts)]
    relations += [amount_relation(i, a, entities) for i, a in enumerate(article.amounts)]
    failed = [failed_relation(i, e, entities) for i, e in enumerate(article.errors)]
    body = None
    if text is None:
        if article.ok or any(r.evidence for r in relations):
            notes.append("The original text of this article is not available: pass its input file to "
                         "`pipeline show` to see it highlighted.")
        relations = [_off_text(r) for r in relations]
        failed = [_off_text(r) for r in failed]
    else:
        outside = [r for r in relations + failed if r.evidence is not None and r.evidence.end > len(text)]
        if outside:
            notes.append(f"{len(outside)} fact(s) point past the end of the input text "
                         f"({len(text)} characters): the records and this input do not match.")
        relations = [_off_text(r) if r in outside else r for r in relations]
        failed = [_off_text(r) if r in outside else r for r in failed]
        body = highlight(text, _spans(text, doc, entities, relations, failed))
    return ArticlePage(article, slug, text, body, entities, relations, failed, notes)


def _relation_persons(article: Article, text: str, entities: list[Entity]) -> list[Entity]:
    """Names that only the relation stage found (the subject of 当选/担任, a name
    before its title): a PERSON mention where the evidence holds the name."""
    out: list[Entity] = []
    for o in article.officials:
        ev = o.evidence
        have = [e for e in entities + out if e.label == "PERSON" and e.text == o.name]
        if not o.name or any(_overlaps(e, ev.start, ev.end) for e in have):
            continue
        at = text.find(o.name, ev.start, ev.end)
        if at < 0:
            continue
        out.append(Entity(f"e{len(entities) + len(out)}", "PERSON", at, at + len(o.name), o.name, ev.rule))
    return out


def _off_text(r: Relation) -> Relation:
    return Relation(r.id, r.kind, r.nodes, r.evidence, r.fields, in_text=False)


def _spans(text: str, doc: Doc | None, entities: list[Entity], relations: list[Relation],
           failed: list[Relation]) -> Iterator[Span]:
    prepared = doc._.prepared if doc is not None else None
    for line in prepared.removed if prepared is not None else ():
        if line.end > line.start:
            yield Span(line.start, line.end, ("removed",), {"title": f"left out of the cleaned text: {line.rule}"},
                       layer=0)
    for r in relations + failed:
        if r.evidence is not None and r.in_text:
            classes = ("ev", "ev-error") if r.kind == "error" else ("ev",)
            yield Span(r.evidence.start, r.evidence.end, classes, {"data-fact": r.id}, layer=1)
    for e in entities:
        classes = ("ent", f"ent-{e.label}") + (("anaphor",) if e.anaphor else ())
        tip = f"{e.label}{' (anaphor)' if e.anaphor else ''} · {e.rule}{' · ' + e.detail if e.detail else ''}"
        yield Span(e.start, e.end, classes,
                   {"data-ent": e.id, "data-label": e.label, "data-start": str(e.start), "data-end": str(e.end),
                    "title": tip}, tag="mark", layer=2)
