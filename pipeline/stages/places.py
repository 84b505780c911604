"""Stage ``zh_news_places``: link place mentions to the national gazetteer.

Reads ``doc._.places`` (from ``zh_news_entities``), links every place name to
a division with :class:`~pipeline.places.linker.PlaceLinker` (using the
article's title, breadcrumb and source as context), and writes the links by
name to ``doc._.place_links``; ``doc._.places`` gets the gazetteer's levels,
loses weak short forms nothing supports, and suffix-found names that swallowed
a character are cut to the name the article writes alone
(:mod:`pipeline.places.discourse`).
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc

from ..doc import text_of
from ..entities.lexicon import load_entity_rules
from ..places.finder import shared_recognizer
from ..places.gazetteer import load_gazetteer
from ..places.discourse import trim_to_written_names
from ..places.linker import PlaceLinker
from .entities import to_spans


class PlaceLinkSettings(BaseModel):
    """Settings of the place-linking stage."""

    model_config = ConfigDict(extra="forbid")
    rules_dir: str | None = None
    margin: float = Field(default=1.5, ge=1.0)
    candidates_key: str = "candidates"


class PlaceLinking:
    """Link the article's places; see the module doc."""

    def __init__(self, settings: PlaceLinkSettings) -> None:
        self.settings = settings
        gazetteer = load_gazetteer(settings.rules_dir)
        self.recognizer = shared_recognizer(load_entity_rules(settings.rules_dir).places, gazetteer)
        self.linker = PlaceLinker(gazetteer, margin=settings.margin)

    def __call__(self, doc: Doc) -> Doc:
        places = doc._.places
        if places is None:
            raise ValueError("zh_news_places needs doc._.places: add zh_news_entities before it")
        meta = doc._.prepared.meta if doc._.prepared is not None else None
        context = []
        if meta is not None:
            for item in (meta.title, meta.source, *meta.breadcrumb):
                if item:
                    context += self.recognizer.find(item)
        trimmed = trim_to_written_names(places)
        links, kept = self.linker.link(text_of(doc), trimmed, context)
        gone = {(p.start, p.end) for p in places} - {(p.start, p.end) for p in kept}
        if gone and self.settings.candidates_key in doc.spans:
            group = doc.spans[self.settings.candidates_key]
            came = {(p.start, p.end) for p in kept} - {(p.start, p.end) for p in places}
            doc.spans[self.settings.candidates_key] = [
                s for s in group if not (s.label_ == "PLACE" and (s.start_char, s.end_char) in gone)
            ] + to_spans(doc, [p for p in kept if (p.start, p.end) in came])
        doc._.places, doc._.place_links = kept, links
        return doc


@Language.factory(
    "zh_news_places",
    requires=["doc._.places"],
    assigns=["doc._.places", "doc._.place_links"],
    default_config=PlaceLinkSettings().model_dump(),
)
def make_places(nlp: Language, name: str, rules_dir: str | None, margin: float,
                candidates_key: str) -> PlaceLinking:
    return PlaceLinking(PlaceLinkSettings(rules_dir=rules_dir, margin=margin, candidates_key=candidates_key))
