"""The optional HanLP backend: train a tiny RNN NER model and run it through
the ``zh_news_hanlp_ner`` component (skipped when hanlp is not installed)."""
from __future__ import annotations

from pathlib import Path

import pytest

hanlp = pytest.importorskip("hanlp")

from pipeline import api  # noqa: E402
from pipeline.ner.convert import convert  # noqa: E402
from pipeline.ner.hanlp_train import docbin_to_tsv, train_hanlp_ner  # noqa: E402

from .test_train import _bio  # noqa: E402


def test_hanlp_tsv_export_keeps_bio(tmp_path: Path) -> None:
    (tmp_path / "a.bio").write_text(_bio(3, 1), encoding="utf-8")
    convert(tmp_path / "a.bio", "bio", tmp_path / "a.spacy")
    assert docbin_to_tsv(tmp_path / "a.spacy", tmp_path / "a.tsv") == 3
    lines = (tmp_path / "a.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith("\tB-PLACE") and "" in lines


def test_hanlp_tiny_model_runs_through_component(tmp_path: Path) -> None:
    for name, n, seed in (("train", 80, 1), ("dev", 20, 2)):
        (tmp_path / f"{name}.bio").write_text(_bio(n, seed), encoding="utf-8")
        convert(tmp_path / f"{name}.bio", "bio", tmp_path / f"{name}.spacy")
    model = tmp_path / "hanlp-tiny"
    meta = train_hanlp_ner(tmp_path / "train.spacy", tmp_path / "dev.spacy", model, epochs=8,
                           settings={"embed": 32, "rnn_hidden": 32, "batch_size": 8, "lr": 0.01})
    assert set(meta["labels"]) == {"PERSON", "PLACE"}
    nlp = api.load(overrides={"nlp.pipeline": ["entities", "hanlp", "numbers", "scope", "relations"],
                              "components.hanlp": {"factory": "zh_news_hanlp_ner", "models": [str(model)],
                                                   "all_sentences": True}})
    text = "石坳镇镇长林怀远表示,该镇有贫困户120户。"
    doc = nlp(text)
    stage = nlp.get_pipe("hanlp")
    found = stage._predict(text, [(0, len(text))])
    assert found, "the tiny HanLP model found nothing in a sentence shaped like its training data"
    for m in found:
        assert m.label in {"PERSON", "PLACE"} and text[m.start:m.end] == m.text and m.rule == "hanlp.hanlp-tiny"
    model_spans = [s for s in doc.spans["candidates"] if (s.start_char, s.end_char) in {(m.start, m.end) for m in found}]
    assert model_spans or all(any(p.start < m.end and m.start < p.end for p in doc._.places) for m in found)


def test_hanlp_missing_model_dir_is_a_clear_error(tmp_path: Path) -> None:
    from pipeline.errors import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="not found"):
        api.load(overrides={"nlp.pipeline": ["entities", "hanlp", "numbers", "scope", "relations"],
                            "components.hanlp": {"factory": "zh_news_hanlp_ner", "models": [str(tmp_path / "none")]}})
