"""Stage ``zh_news_ner``: statistical NER from trained model directories.

Each model is a spaCy pipeline trained by ``pipeline train ner`` (one per
label family, e.g. PERSON/PLACE/ORG from MSRA, TITLE from CLUENER/Resume).
To stay fast, the models run only on sentences where a name can matter: a
window of ``window`` characters around each rule title candidate (names
are linked to titles), plus sentences matching optional ``triggers``, or
every sentence with ``all_sentences``.  Rules and gazetteers
win: a model span overlapping a rule PLACE or TITLE candidate of another
label is dropped (as HanLP's dictionary whitelist does); the model supplies
open-class names.  Model spans are added to ``doc._.persons`` (PERSON) and
``doc.spans["candidates"]`` with rule ``model.<name>``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

import spacy
from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch
from thinc.api import NumpyOps

from ..doc import text_of
from ..entities.lexicon import load_entity_rules
from ..entities.mention import Mention
from ..entities.persons import PersonFinder, skip_name_gap
from ..entities.titles import UNRECORDED
from ..errors import ModelNotFoundError
from ..rulefiles import alternation
from ..ner import features  # noqa: F401  (registers the model tokenizer)
from ..paths import models_dir
from ..scope import split_sentences
from .entities import to_spans


class NerSettings(BaseModel):
    """Settings of the statistical NER stage."""

    model_config = ConfigDict(extra="forbid")
    models: list[str] = Field(default_factory=list)
    labels: list[str] = ["PERSON", "TITLE", "PLACE", "ORG"]
    triggers: list[str] = []
    all_sentences: bool = False
    window: int = Field(10, ge=0)
    # characters before a title (None: ``window``); names are read after titles,
    # the model only needs a little context before one
    window_before: int | None = Field(None, ge=0)
    # skip titles the rules already found a three-character name right after
    # (镇长林振邦), or a two-character one a speech verb closes (镇长黄兰说): the
    # model is there for the names the rules miss or cut short
    skip_named: bool = False
    spans_key: str = "candidates"
    # matrix products of the models: "numpy" (numpy's BLAS, usually OpenBLAS; ~3x
    # thinc's default blis on AVX-512 CPUs, same spans on the benchmark corpus and
    # the dev set) or "blis".  Threads: OPENBLAS_NUM_THREADS (worker processes use 1).
    ops: Literal["numpy", "blis"] = "numpy"
    # person rules (persons.yaml: name_tail_word_freq trims a model name that
    # runs into the next word); None: configs/rules
    rules_dir: str | None = None


def resolve_model_path(name: str, marker: str = "config.cfg") -> Path:
    """A model directory given absolute, relative to the working directory, or to models/."""
    path = Path(name)
    if not path.is_absolute() and not path.exists():
        path = models_dir() / name
    if not (path / marker).is_file():
        raise ModelNotFoundError(f"NER model {name!r} not found at {path}. Train it with `make train-ner` "
                                 f"(needs ../shared/data/ner) or remove it from [components.ner] models.")
    return path


class StatisticalNer:
    """Run trained NER models on the sentences that matter and merge with the rules.

    Subclasses (the HanLP backend) override :meth:`_load` and :meth:`_predict`.
    """

    def __init__(self, settings: NerSettings) -> None:
        self.settings = settings
        self.models = self._load(settings.models)
        self.persons = PersonFinder(load_entity_rules(settings.rules_dir).persons)
        self._trigger = re.compile(alternation(settings.triggers)) if settings.triggers else None

    def _load(self, names: list[str]) -> list:
        models = [(Path(m).name, spacy.load(resolve_model_path(m))) for m in names]
        if self.settings.ops == "numpy":
            ops = NumpyOps(use_blis=False)
            for _, nlp in models:
                for _, proc in nlp.pipeline:
                    if getattr(proc, "model", None) is not None:
                        for node in proc.model.walk():
                            node.ops = ops
        return models

    def __call__(self, doc: Doc) -> Doc:
        if not self.models:
            return doc
        text = text_of(doc)
        sentences = self._regions(text, self._titles(doc))
        return self._merge(doc, self._predict(text, sentences))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """Like ``__call__`` over a stream, with the regions of ``batch_size`` docs run through
        each model together: the same spans, in fewer and larger matrix products."""
        if not self.models or type(self)._predict is not StatisticalNer._predict:
            yield from map(self, docs)  # no model, or a backend with its own _predict
            return
        for batch in minibatch(docs, size=batch_size):
            texts = [text_of(doc) for doc in batch]
            regions = [self._regions(text, self._titles(doc)) for text, doc in zip(texts, batch)]
            found = self._predict_many(texts, regions)
            yield from (self._merge(doc, f) for doc, f in zip(batch, found))

    def _merge(self, doc: Doc, found: list[Mention]) -> Doc:
        kept = [m for m in found if not _masked(m, doc)]
        text = text_of(doc)
        doc._.persons = (doc._.persons or []) + [self.persons.trim(text, m) for m in kept if m.label == "PERSON"]
        doc._.model_titles = [m for m in kept if m.label == "TITLE"]
        if self.settings.spans_key in doc.spans and kept:
            doc.spans[self.settings.spans_key].extend(to_spans(doc, kept))
        return doc

    def _titles(self, doc: Doc) -> list[Mention]:
        titles = doc._.titles or []
        if not self.settings.skip_named:
            return titles
        # a two-character rule name may still be the start of a longer one the model sees;
        # a title followed by another one (第一书记、驻村工作队队长…) has no name after it,
        # nor one followed by punctuation (县长、 / 主任）): the officials take a model name
        # only where it starts right after a title, in Chinese characters
        # a two-character rule name right before a speech verb (主任李华表示, 镇长黄兰说) is
        # whole too: the speaker's name ends where the verb starts
        text = text_of(doc)
        verbs = self.persons.speech_verbs
        starts = {p.start for p in doc._.persons or []
                  if p.end - p.start >= 3 or (p.end - p.start == 2 and text.startswith(verbs, p.end))}
        starts |= {t.start for t in titles}
        # a status that is no post (干部) only matters at the end of a chain of posts
        ends = {t.end for t in titles if t.rule != UNRECORDED}
        return [t for t in titles
                if not any(t.end + gap in starts for gap in range(3)) and _cjk_after(text, t.end)
                and (t.rule != UNRECORDED or any(t.start - gap in ends for gap in range(13)))]

    def _regions(self, text: str, titles: list[Mention]) -> list[tuple[int, int]]:
        """Where to run the models: whole sentences, or windows around rule titles."""
        sentences = split_sentences(text)
        if self.settings.all_sentences:
            return sentences
        regions = [(s, e) for s, e in sentences if self._trigger and self._trigger.search(text, s, e)]
        w = self.settings.window
        before = w if self.settings.window_before is None else self.settings.window_before
        for t in titles:
            s, e = next(((s, e) for s, e in sentences if s <= t.start < e), (0, len(text)))
            regions.append((s, e) if not w else (max(s, t.start - before), min(e, t.end + w)))
        merged: list[tuple[int, int]] = []
        for s, e in sorted(regions):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return merged

    def _predict(self, text: str, sentences: list[tuple[int, int]]) -> list[Mention]:
        return self._predict_many([text], [sentences])[0]

    def _predict_many(self, texts: list[str], regions: list[list[tuple[int, int]]]) -> list[list[Mention]]:
        """Model spans of each text's regions; all regions of all texts go through a model at once."""
        out: list[list[Mention]] = [[] for _ in texts]
        where = [(i, s) for i, spans in enumerate(regions) for s, _ in spans]
        chunks = [texts[i][s:e] for i, spans in enumerate(regions) for s, e in spans]
        for name, nlp in self.models:
            for (i, s), sdoc in zip(where, nlp.pipe(chunks, batch_size=256)):
                for ent in sdoc.ents:
                    if ent.label_ in self.settings.labels:
                        out[i].append(Mention(s + ent.start_char, s + ent.end_char, ent.label_, ent.text,
                                              f"model.{name}"))
        return out


def _cjk_after(text: str, pos: int) -> bool:
    """A Chinese character comes at ``pos``, after the gap a name may leave after its title (：, 的)."""
    pos = skip_name_gap(text, pos)
    return pos < len(text) and "\u4e00" <= text[pos] <= "\u9fff"


def _masked(m: Mention, doc: Doc) -> bool:
    """Rules win: drop a model span that overlaps a rule place/title of another label."""
    for rule in (doc._.places or []) + (doc._.titles or []):
        if rule.start < m.end and m.start < rule.end and rule.label != m.label:
            return True
    return False


@Language.factory(
    "zh_news_ner",
    requires=["doc._.places", "doc._.titles"],
    assigns=["doc._.persons", "doc._.model_titles", "doc.spans"],
    default_config=NerSettings().model_dump(),
)
def make_ner(nlp: Language, name: str, models: list[str], labels: list[str], triggers: list[str],
             all_sentences: bool, window: int, window_before: int | None, skip_named: bool, spans_key: str, ops: str,
             rules_dir: str | None) -> StatisticalNer:
    return StatisticalNer(NerSettings(models=models, labels=labels, triggers=triggers, all_sentences=all_sentences,
                                      window=window, window_before=window_before, skip_named=skip_named,
                                      spans_key=spans_key, ops=ops,
                                      rules_dir=rules_dir))
