"""Stage ``zh_news_scope``: sentences, sections and place resolution.

Builds a :class:`~pipeline.scope.ScopeIndex` on ``doc._.scope`` from the
places found by the entity stage, the article title and the breadcrumb.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc

from ..doc import text_of
from ..entities.lexicon import load_entity_rules
from ..places.finder import shared_recognizer
from ..places.gazetteer import load_gazetteer
from ..places.subunits import subunit_mentions
from ..scope import ScopeIndex


class ScopeSettings(BaseModel):
    """Settings of the scope stage."""

    model_config = ConfigDict(extra="forbid")
    rules_dir: str | None = None
    use_title: bool = True
    use_breadcrumb: bool = True


class Scope:
    """Resolve which place each part of the text is about."""

    def __init__(self, settings: ScopeSettings) -> None:
        self.settings = settings
        rules = load_entity_rules(settings.rules_dir).places
        self.places = shared_recognizer(rules, load_gazetteer(settings.rules_dir))
        self.org_words = tuple(rules.org_words)
        self.giver_cues = tuple(rules.giver_cues)
        self.giver_funds = tuple(rules.giver_funds)
        self.receiving_verbs = tuple(rules.receiving_verbs)
        self.subunits = tuple(rules.subunits)
        self.subunit_not_before = tuple(rules.subunit_not_before)

    def __call__(self, doc: Doc) -> Doc:
        places = doc._.places
        if places is None:
            raise ValueError("zh_news_scope needs doc._.places: add zh_news_entities before it")
        meta = doc._.prepared.meta if doc._.prepared is not None else None
        title, crumbs = [], []
        if meta is not None and self.settings.use_title and meta.title:
            title = [p for p in self.places.find(meta.title) if not p.anaphor]
        if meta is not None and self.settings.use_breadcrumb:
            for item in meta.breadcrumb:
                crumbs += [p for p in self.places.find(item) if not p.anaphor]
        text = text_of(doc)
        units = subunit_mentions(text, places, self.subunits, self.subunit_not_before)
        if units:  # 乌龙寺小组 speaks of its village: scope sees it as a mention of that village
            taken = [(p.start, p.end) for p in places]
            units = [u for u in units if not any(s < u.end and u.start < e for s, e in taken)]
            places = sorted([*places, *units], key=lambda m: (m.start, -m.end))
        doc._.scope = ScopeIndex.build(text, places, title_places=title, breadcrumb_places=crumbs,
                                       org_words=self.org_words, giver_cues=self.giver_cues,
                                       giver_funds=self.giver_funds, receiving_verbs=self.receiving_verbs)
        return doc


@Language.factory(
    "zh_news_scope",
    requires=["doc._.places"],
    assigns=["doc._.scope"],
    default_config=ScopeSettings().model_dump(),
)
def make_scope(nlp: Language, name: str, rules_dir: str | None, use_title: bool,
               use_breadcrumb: bool) -> Scope:
    return Scope(ScopeSettings(rules_dir=rules_dir, use_title=use_title, use_breadcrumb=use_breadcrumb))
