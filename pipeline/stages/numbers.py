"""Stage ``zh_news_numbers``: count and money mentions (extract, then resolve).

Writes ``doc._.quantities`` (:class:`~pipeline.quantities.Quantity`) and
``doc.spans["quantities"]`` with labels COUNT and MONEY.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc

from ..doc import char_spans, text_of
from ..quantities import find_quantities, load_number_tables


class NumberSettings(BaseModel):
    """Settings of the number stage."""

    model_config = ConfigDict(extra="forbid")
    tables: str | None = None
    spans_key: str = "quantities"


class Numbers:
    """Find quantities with the tables of ``numbers.yaml``."""

    def __init__(self, settings: NumberSettings) -> None:
        self.settings = settings
        self.tables = load_number_tables(Path(settings.tables) if settings.tables else None)

    def __call__(self, doc: Doc) -> Doc:
        found = find_quantities(text_of(doc), self.tables)
        doc._.quantities = found
        doc.spans[self.settings.spans_key] = char_spans(doc, [(q.start, q.end, q.kind.upper()) for q in found])
        return doc


@Language.factory(
    "zh_news_numbers",
    assigns=["doc._.quantities", "doc.spans"],
    default_config=NumberSettings().model_dump(),
)
def make_numbers(nlp: Language, name: str, tables: str | None, spans_key: str) -> Numbers:
    return Numbers(NumberSettings(tables=tables, spans_key=spans_key))
