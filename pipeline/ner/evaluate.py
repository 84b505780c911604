"""Exact-span P/R/F1 per project label for an NER model on a data file."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from .convert import PROJECT_LABELS, load_label_map
from .data import Sentence, read

Predict = Callable[[list[str]], Iterable[list[tuple[int, int, str]]]]


def evaluate(sentences: Iterable[Sentence], mapping: dict[str, str], predict: Predict, *,
             labels: Iterable[str] = PROJECT_LABELS, batch: int = 256) -> dict:
    """Compare predicted spans with gold spans mapped to project labels."""
    wanted = set(labels)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    buf: list[Sentence] = []

    def flush() -> None:
        for sent, pred in zip(buf, predict([s.text for s in buf])):
            gold = {(s, e, mapping[l]) for s, e, l in sent.spans if mapping.get(l) in wanted}
            got = {(s, e, l) for s, e, l in pred if l in wanted}
            for s, e, l in got & gold:
                tp[l] += 1
            for s, e, l in got - gold:
                fp[l] += 1
            for s, e, l in gold - got:
                fn[l] += 1
        buf.clear()

    for sent in sentences:
        buf.append(sent)
        if len(buf) >= batch:
            flush()
    flush()
    return report(tp, fp, fn, sorted(l for l in wanted if tp[l] + fn[l] + fp[l]))


def report(tp: Counter[str], fp: Counter[str], fn: Counter[str], labels: list[str]) -> dict:
    def prf(t: int, p: int, n: int) -> dict:
        pr = t / (t + p) if t + p else 0.0
        rc = t / (t + n) if t + n else 0.0
        f = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        return {"p": round(pr, 4), "r": round(rc, 4), "f1": round(f, 4), "support": t + n}

    out = {"labels": {l: prf(tp[l], fp[l], fn[l]) for l in labels}}
    out["overall"] = prf(sum(tp[l] for l in labels), sum(fp[l] for l in labels), sum(fn[l] for l in labels))
    return out


def evaluate_file(path: Path, fmt: str, predict: Predict, *, source: str | None = None,
                  labels: Iterable[str] | None = None) -> dict:
    fmt_in = {"msra": "bio", "peoples_daily": "bio", "resume": "bmes"}.get(fmt, fmt)
    source = source or {"bio": "msra", "bmes": "resume"}.get(fmt, fmt)
    mapping = load_label_map(source)
    annotated = set(mapping.values())
    usable = sorted(annotated & set(labels)) if labels else sorted(annotated)
    return evaluate(read(path, fmt_in), mapping, predict, labels=usable)


def spacy_predictor(nlps: list) -> Predict:
    """Predict with one or more spaCy NER pipelines (label families), merged."""

    def predict(texts: list[str]) -> Iterable[list[tuple[int, int, str]]]:
        per_model = [list(nlp.pipe(texts, batch_size=64)) for nlp in nlps]
        for docs in zip(*per_model):
            spans: list[tuple[int, int, str]] = []
            for doc in docs:
                for ent in doc.ents:
                    if not any(s < ent.end_char and ent.start_char < e for s, e, _ in spans):
                        spans.append((ent.start_char, ent.end_char, ent.label_))
            yield spans

    return predict
