"""Train an NER model with spaCy and write a self-describing model directory.

The directory is a normal spaCy pipeline (``spacy.load``-able once
``pipeline`` is imported, which registers our tokenizer) plus
``zh_news_model.json``: labels, sha256 of the training data, scores,
package version and the config used.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import ConfigError, ModelNotFoundError
from . import features  # noqa: F401  (registers zh_news.CharFeatureTokenizer.v1)

MODEL_META = "zh_news_model.json"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def data_hash(path: Path) -> str:
    """sha256 of a .spacy file, or of each .spacy file of a folder (comma-joined)."""
    if path.is_dir():
        return ",".join(f"{p.name}:{sha256(p)}" for p in sorted(path.glob("*.spacy")))
    return sha256(path)


def train_ner(config: Path, train: Path, dev: Path, output: Path, *,
              overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Train with ``config`` on ``train``/``dev`` (.spacy) and write the best model to ``output``."""
    from spacy.cli.train import train as spacy_train

    for p, what in ((config, "config"), (train, "training data"), (dev, "dev data")):
        if not p.exists():
            raise ConfigError(f"{what} not found: {p}")
    settings = {"paths.train": str(train), "paths.dev": str(dev), **(overrides or {})}
    with tempfile.TemporaryDirectory() as tmp:
        spacy_train(config, Path(tmp), use_gpu=-1, overrides=settings)
        best = Path(tmp) / "model-best"
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(best, output)
    prune_strings(output)
    meta = describe(output, config=config, train=train, dev=dev, overrides=settings)
    (output / MODEL_META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return meta


def prune_strings(model_dir: Path) -> int:
    """Drop the character/bigram strings training left in ``vocab/strings.json``.

    The embeddings hash token attributes, so inference never looks these
    strings up; they were a fifth of the model's size.  Strings of the
    pipeline's labels are kept.  Returns how many strings were dropped.
    """
    path = model_dir / "vocab" / "strings.json"
    if not path.is_file():
        return 0
    strings = json.loads(path.read_text(encoding="utf-8"))
    keep = [s for s in strings if len(s) > 2 or s.isascii()]
    path.write_text(json.dumps(keep, ensure_ascii=False), encoding="utf-8")
    return len(strings) - len(keep)


def describe(model_dir: Path, *, config: Path, train: Path, dev: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    spacy_meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    labels = spacy_meta.get("labels", {}).get("ner", [])
    return {
        "name": model_dir.name,
        "zh_news_ie_version": __version__,
        "spacy_version": spacy_meta.get("spacy_version"),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "labels": labels,
        "config": str(config),
        "overrides": {k: str(v) for k, v in overrides.items()},
        "data": {"train": {"path": train.name, "sha256": data_hash(train)},
                 "dev": {"path": dev.name, "sha256": data_hash(dev)}},
        "scores": spacy_meta.get("performance", {}),
    }


def read_model_meta(model_dir: Path) -> dict[str, Any]:
    path = model_dir / MODEL_META
    if not path.is_file():
        raise ModelNotFoundError(f"{model_dir} is not a zh-news-ie model ({MODEL_META} missing); "
                                 f"train one with: pipeline train ner --config configs/ner.cfg …")
    return json.loads(path.read_text(encoding="utf-8"))
