"""Stage ``zh_news_entities``: places, titles and person candidates by rules.

Writes ``doc._.places``, ``doc._.titles``, ``doc._.persons`` and the spans
group ``doc.spans["candidates"]`` (overlapping PLACE/TITLE/PERSON spans are
kept: in 月城镇委书记 the 镇 belongs to the place and to the title).  A
statistical NER stage can later add to or filter these candidates.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..doc import char_spans, text_of
from ..entities.lexicon import load_entity_rules
from ..entities.mention import Mention
from ..entities.persons import PersonFinder
from ..entities.titles import TitleFinder
from ..places.finder import shared_recognizer
from ..places.gazetteer import load_gazetteer


class EntitySettings(BaseModel):
    """Settings of the entity stage."""

    model_config = ConfigDict(extra="forbid")
    rules_dir: str | None = None
    spans_key: str = "candidates"


class RuleEntities:
    """Find PLACE, TITLE and PERSON candidates with the rule files."""

    def __init__(self, settings: EntitySettings) -> None:
        self.settings = settings
        rules = load_entity_rules(settings.rules_dir)
        self.places = shared_recognizer(rules.places, load_gazetteer(settings.rules_dir))
        self.titles = TitleFinder(rules.titles)
        self.persons = PersonFinder(rules.persons)

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        meta = doc._.prepared.meta if doc._.prepared is not None else None
        context = "\n".join(x for x in (meta.title, meta.source) if x) if meta is not None else ""
        places = self.places.find(text, context)
        titles = self.titles.find(text, places)
        persons = [p for t in titles if (p := self.persons.name_at(text, t.end)) is not None]
        persons += self.persons.speakers(text)
        doc._.places, doc._.titles, doc._.persons = places, titles, persons
        doc.spans[self.settings.spans_key] = to_spans(doc, [*places, *titles, *persons])
        return doc


def to_spans(doc: Doc, mentions: list[Mention]) -> list[Span]:
    """Spans for mentions (token boundaries expanded to cover the characters)."""
    return char_spans(doc, [(m.start, m.end, m.label) for m in mentions])


@Language.factory(
    "zh_news_entities",
    assigns=["doc._.places", "doc._.titles", "doc._.persons", "doc.spans"],
    default_config=EntitySettings().model_dump(),
)
def make_entities(nlp: Language, name: str, rules_dir: str | None, spans_key: str) -> RuleEntities:
    return RuleEntities(EntitySettings(rules_dir=rules_dir, spans_key=spans_key))
