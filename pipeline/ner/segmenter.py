"""Train a spacy-pkuseg word segmentation model that works offline.

spacy-pkuseg ships no segmentation model and cannot download one here, so
the project trains its own from segmented text (one sentence per line,
words separated by spaces, e.g. the SIGHAN 2005 gold files) plus optional
domain words, and the ``pkuseg`` segmenter option loads it.
"""
from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigError


def _lines(paths: Sequence[Path]) -> list[str]:
    out: list[str] = []
    for p in paths:
        if not p.is_file():
            raise ConfigError(f"segmented training file not found: {p}")
        out += [" ".join(line.split()) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def train_segmenter(train: Sequence[Path], output: Path, *, iterations: int = 10,
                    test_share: float = 0.1, domain_words: Path | None = None) -> dict:
    """Train with ``spacy_pkuseg.train``; a hash-chosen share of lines is the test set."""
    import spacy_pkuseg

    lines = _lines(train)
    if domain_words is not None:
        lines += [w.strip() for w in domain_words.read_text(encoding="utf-8").splitlines() if w.strip()]
    held = [ln for ln in lines if int(hashlib.sha1(ln.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < test_share]
    kept = [ln for ln in lines if ln not in set(held)]
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tr, te = Path(tmp) / "train.txt", Path(tmp) / "test.txt"
        tr.write_text("\n".join(kept) + "\n", encoding="utf-8")
        te.write_text("\n".join(held or kept[:10]) + "\n", encoding="utf-8")
        spacy_pkuseg.train(str(tr), str(te), str(output), train_iter=iterations)
    return {"model": str(output), "train_lines": len(kept), "test_lines": len(held)}
