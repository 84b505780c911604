"""Stage ``zh_news_relations``: officials, counts and amounts with evidence.

Reads the candidates, quantities and scope; writes ``doc._.officials``,
``doc._.facts`` and ``doc._.metric_rules`` (the taxonomy the records' metrics
are decided by: ``metrics.yaml`` of ``rules_dir``, the shipped one when that
folder has none).  Reporters named in the byline are never officials.  With
``attach_model`` set (a ranker file from ``make train-attach``, relative to
the repository root or absolute) the ranker of :mod:`pipeline.attach`
re-chooses the place of counts and amounts (evidence rule ``*.attach.ranker``).
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc

from ..attach.attacher import Attacher
from ..doc import text_of
from ..entities.lexicon import load_entity_rules
from ..entities.persons import PersonFinder
from ..metrics import load_metric_rules
from ..places.gazetteer import load_gazetteer
from ..relations import RelationExtractor, load_relation_rules


class RelationSettings(BaseModel):
    """Settings of the relation stage."""

    model_config = ConfigDict(extra="forbid")
    rules_dir: str | None = None
    model_titles: bool = False
    attach_model: str | None = None


class Relations:
    """Link officials to titles and places, and numbers to places."""

    def __init__(self, settings: RelationSettings) -> None:
        self.settings = settings
        rules_dir = Path(settings.rules_dir) if settings.rules_dir else None
        entity_rules = load_entity_rules(settings.rules_dir)
        heads = tuple(sorted({h.text for h in entity_rules.titles.heads}, key=len, reverse=True))
        self.extractor = RelationExtractor(load_relation_rules(rules_dir), PersonFinder(entity_rules.persons), heads)
        self.metrics = load_metric_rules(rules_dir)
        self.attacher = (Attacher.from_file(settings.attach_model, load_gazetteer(settings.rules_dir))
                         if settings.attach_model else None)
        # set to a list to collect each article's facts with candidates and features (training)
        self.recorder: list | None = None

    def __call__(self, doc: Doc) -> Doc:
        for field in ("titles", "quantities", "scope"):
            if getattr(doc._, field) is None:
                raise ValueError(f"zh_news_relations needs doc._.{field}: "
                                 "add zh_news_entities, zh_news_numbers and zh_news_scope first")
        text = text_of(doc)
        excluded = self.extractor.persons.reporters(text)
        if doc._.prepared is not None:
            excluded |= set(doc._.prepared.meta.reporters)
        model_persons = [m for m in doc._.persons or [] if m.rule.startswith(("model.", "hanlp."))]
        titles = list(doc._.titles)
        if self.settings.model_titles:
            titles += [m for m in doc._.model_titles or []
                       if not any(t.start < m.end and m.start < t.end for t in titles)]
        links = doc._.place_links or {}
        prefectures = frozenset(surface for surface, link in links.items()
                                if link.code is not None and link.path and link.path[-1].endswith("自治州"))
        doc._.officials = self.extractor.officials(text, titles, doc._.scope, excluded, model_persons, prefectures)
        choose = None
        if self.attacher is not None or self.recorder is not None:
            attacher = self.attacher or Attacher(None, load_gazetteer(self.settings.rules_dir))
            sink = None
            if self.recorder is not None:
                sink = []
                self.recorder.append(sink)
            choose = attacher.for_doc(text, doc._.scope, doc._.place_links, sink)
        doc._.facts = self.extractor.quantities(text, doc._.quantities, doc._.scope, choose)
        doc._.metric_rules = self.metrics
        return doc


@Language.factory(
    "zh_news_relations",
    requires=["doc._.titles", "doc._.quantities", "doc._.scope"],
    assigns=["doc._.officials", "doc._.facts", "doc._.metric_rules"],
    default_config=RelationSettings().model_dump(),
)
def make_relations(nlp: Language, name: str, rules_dir: str | None, model_titles: bool,
                   attach_model: str | None) -> Relations:
    return Relations(RelationSettings(rules_dir=rules_dir, model_titles=model_titles, attach_model=attach_model))
