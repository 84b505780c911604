"""Tokenizer of the NER models: characters, with bigram features on the tokens.

Chinese NER works on characters, but a character alone says little about
boundaries; the pair of neighbours says more (the char+bigram input of
Zhang & Yang 2018).  This tokenizer segments into characters and stores the
left bigram in ``LEMMA`` and the right bigram in ``TAG`` so spaCy's
``MultiHashEmbed`` can embed them (attrs NORM, LEMMA, TAG, SHAPE).  The
same tokenizer runs in training (``nlp.make_doc``) and at inference.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

_BOS, _EOS = "^", "$"


class CharFeatureTokenizer:
    """Text → Doc of characters (whitespace kept as trailing space) with bigrams."""

    def __init__(self, nlp: Language) -> None:
        self.vocab = nlp.vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for ch in text:
            if ch.isspace():
                if words and not spaces[-1] and ch == " ":
                    spaces[-1] = True
                else:
                    words.append(ch)
                    spaces.append(False)
            else:
                words.append(ch)
                spaces.append(False)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        add_bigrams(doc)
        return doc

    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> CharFeatureTokenizer:
        return self

    def to_disk(self, path: str | Path, **kwargs: Any) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path: str | Path, **kwargs: Any) -> CharFeatureTokenizer:
        return self


def add_bigrams(doc: Doc) -> None:
    """Set ``lemma_`` to the left bigram and ``tag_`` to the right bigram of each token."""
    texts = [t.text for t in doc]
    n = len(texts)
    for i, token in enumerate(doc):
        token.lemma_ = (texts[i - 1] if i else _BOS) + texts[i]
        token.tag_ = texts[i] + (texts[i + 1] if i + 1 < n else _EOS)


@registry.tokenizers("zh_news.CharFeatureTokenizer.v1")
def create_char_feature_tokenizer():
    """Registered factory used by ``configs/ner.cfg``."""

    def make(nlp: Language) -> CharFeatureTokenizer:
        return CharFeatureTokenizer(nlp)

    return make
