"""The fields our stages add to a spaCy ``Doc`` (declared here, in one place).

============  ============================================  ===============
field         what                                          set by
============  ============================================  ===============
prepared      :class:`~pipeline.textprep.PreparedText`      tokenizer
places        list of place/anaphor :class:`Mention`        entities
titles        list of title mentions                        entities
persons       list of person mentions                       entities (+ ner)
model_titles  TITLE mentions from a statistical model       ner
place_links   name → :class:`~pipeline.places.linker.PlaceLink`  places
quantities    list of :class:`~pipeline.quantities.Quantity`  numbers
scope         :class:`~pipeline.scope.ScopeIndex`           scope
officials     list of :class:`~pipeline.relations.OfficialFact`  relations
facts         list of :class:`~pipeline.relations.QuantityFact`  relations
metric_rules  the stage's :class:`~pipeline.metrics.MetricRules`  relations
============  ============================================  ===============

Candidates are also written to ``doc.spans["candidates"]`` (labels PLACE,
TITLE, PERSON; overlaps kept) and ``doc.spans["quantities"]`` (labels COUNT,
MONEY) so other spaCy code and displaCy can use them.
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Span

FIELDS = ("prepared", "places", "titles", "persons", "model_titles", "place_links", "quantities", "scope", "officials", "facts",
          "metric_rules")


def register_extensions() -> None:
    """Declare the Doc extensions (idempotent)."""
    for name in FIELDS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register_extensions()


def text_of(doc: Doc) -> str:
    """The Doc's text, computed once (``doc.text`` rebuilds it from the tokens each call)."""
    cached = doc.user_data.get("zh_news_text")
    if cached is None:
        cached = doc._.prepared.text if doc._.prepared is not None else doc.text
        doc.user_data["zh_news_text"] = cached
    return cached


def char_spans(doc: Doc, items: Iterable[tuple[int, int, str]]) -> list[Span]:
    """Spans for (start, end, label) character offsets of ``text_of(doc)``, token
    boundaries expanded to cover the characters; offsets that fit no token are skipped.

    With one token per character (the char segmenter on text without whitespace
    runs) a character offset is a token index and the spans are made directly.
    """
    if len(doc) == len(text_of(doc)):
        n = len(doc)
        return [Span(doc, s, e, label=label) for s, e, label in items if 0 <= s < e <= n]
    out = []
    for s, e, label in items:
        span = doc.char_span(s, e, label=label, alignment_mode="expand")
        if span is not None:
            out.append(span)
    return out
