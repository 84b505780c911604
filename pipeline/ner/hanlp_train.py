"""Train a HanLP ``RNNNamedEntityRecognizer`` (the optional HanLP backend).

HanLP 2.1.5 builds the RNN NER's CRF without ``batch_first=True`` and its
dev F stays 0, so the model is trained with ``crf=False`` (softmax tagging).
Input is the same DocBin as for spaCy training, written out as char/BIO TSV.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import spacy
from spacy.tokens import DocBin

from ..stages.hanlp_ner import import_hanlp
from .train import MODEL_META, data_hash


def docbin_to_tsv(source: Path, target: Path) -> int:
    """Write char TAG lines (BIO; missing annotation as O) for every doc in ``source``."""
    vocab = spacy.blank("zh").vocab
    files = sorted(source.glob("*.spacy")) if source.is_dir() else [source]
    n = 0
    with target.open("w", encoding="utf-8") as out:
        for f in files:
            for doc in DocBin().from_disk(f).get_docs(vocab):
                for tok in doc:
                    if tok.is_space:
                        continue
                    tag = f"{tok.ent_iob_}-{tok.ent_type_}" if tok.ent_iob_ in ("B", "I") else "O"
                    out.write(f"{tok.text}\t{tag}\n")
                out.write("\n")
                n += 1
    return n


def train_hanlp_ner(train: Path, dev: Path, output: Path, *, epochs: int = 20,
                    settings: dict[str, Any] | None = None) -> dict[str, Any]:
    import_hanlp()
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    with tempfile.TemporaryDirectory() as tmp:
        trn, dv = Path(tmp) / "train.tsv", Path(tmp) / "dev.tsv"
        docbin_to_tsv(train, trn)
        docbin_to_tsv(dev, dv)
        model = RNNNamedEntityRecognizer()
        options = {"embed": 100, "rnn_hidden": 128, "batch_size": 32, **(settings or {})}
        model.fit(str(trn), str(dv), str(output), epochs=epochs, crf=False, verbose=False,
                  tagging_scheme="BIO", **options)
    meta = {"backend": "hanlp", "hanlp_version": "2.1.5", "epochs": epochs, "settings": options,
            "labels": sorted({t.split("-", 1)[1] for t in model.vocabs["tag"].idx_to_token if "-" in t}),
            "data": {"train": {"path": train.name, "sha256": data_hash(train)},
                     "dev": {"path": dev.name, "sha256": data_hash(dev)}}}
    (output / MODEL_META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return meta
