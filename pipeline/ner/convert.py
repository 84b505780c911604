"""Convert NER data to spaCy DocBin with the project's labels."""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from spacy.lang.zh import Chinese
from spacy.tokens import DocBin
from thinc.api import Config

from ..paths import configs_dir
from .data import DataError, Sentence, read

PROJECT_LABELS = ("PERSON", "TITLE", "PLACE", "ORG")


def load_label_map(source: str, path: Path | None = None) -> dict[str, str]:
    """The map SOURCE label → project label for ``source`` from labels.cfg."""
    path = path or configs_dir() / "labels.cfg"
    cfg = Config().from_disk(path, interpolate=False)
    if source not in cfg:
        raise DataError(f"{path}: no section [{source}]; sections: {', '.join(cfg)}")
    mapping = dict(cfg[source])
    bad = {k: v for k, v in mapping.items() if v not in PROJECT_LABELS}
    if bad:
        raise DataError(f"{path} [{source}]: unknown project labels {bad}; use {', '.join(PROJECT_LABELS)}")
    return mapping


def to_docbin(sentences: Iterable[Sentence], mapping: dict[str, str], *,
              only: Iterable[str] | None = None, mask_others: bool = False) -> tuple[DocBin, Counter[str]]:
    """Char-tokenised Docs with mapped entities; ``only`` keeps a label family.

    Entities the label map drops (a source label with no project label) are
    *missing* annotation, not non-entities: the source marks them, we do not
    know what they are for us.  Entities of other kept-out project labels are
    "O" for the family (the source annotates them, so they are not, say, a
    TITLE) unless ``mask_others`` makes them missing too.
    """
    keep = set(only or PROJECT_LABELS)
    nlp = Chinese()
    db = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"])
    counts: Counter[str] = Counter()
    for sent in sentences:
        doc = nlp.make_doc(sent.text)
        ents, missing = [], []
        for start, end, label in sent.spans:
            target = mapping.get(label)
            span = doc.char_span(start, end, label=target or "", alignment_mode="contract")
            if span is None or any(span.start < e.end and e.start < span.end for e in ents + missing):
                continue
            if target is not None and target in keep:
                ents.append(span)
                counts[target] += 1
            elif target is None or mask_others:
                missing.append(span)
        doc.set_ents(sorted(ents, key=lambda s: s.start), missing=missing)
        db.add(doc)
        counts["docs"] += 1
    return db, counts


def convert(path: Path, fmt: str, output: Path, *, source: str | None = None,
            labels_path: Path | None = None, only: Iterable[str] | None = None,
            dev_output: Path | None = None, dev_share: float = 0.05,
            mask_others: bool = False) -> Counter[str]:
    """Read ``path`` (format ``fmt``), map labels of ``source``, write ``output`` (.spacy).

    With ``dev_output``, a deterministic share of the sentences (chosen by a
    hash of their text, so reruns and other machines pick the same ones) is
    held out there, for data sets without a dev split (MSRA).
    """
    source = source or {"bio": "msra", "bmes": "resume"}.get(fmt, fmt)
    mapping = load_label_map(source, labels_path)
    sentences = list(read(path, fmt))
    held = [s for s in sentences if dev_output is not None and _held_out(s.text, dev_share)]
    kept = [s for s in sentences if not (dev_output is not None and _held_out(s.text, dev_share))]
    counts = _write(kept, mapping, output, only, mask_others)
    if dev_output is not None:
        dev_counts = _write(held, mapping, dev_output, only, mask_others)
        counts.update({f"dev_{k}": v for k, v in dev_counts.items()})
    return counts


def _held_out(text: str, share: float) -> bool:
    digest = int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)
    return digest / 0xFFFFFFFF < share


def _write(sentences: list[Sentence], mapping: dict[str, str], output: Path,
           only: Iterable[str] | None, mask_others: bool) -> Counter[str]:
    db, counts = to_docbin(sentences, mapping, only=only, mask_others=mask_others)
    output.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(output)
    return counts
