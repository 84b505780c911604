"""Training: a reduced run trains, saves, loads and predicts (CI form);
the slow form trains longer and checks the model learnt something."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import spacy

from pipeline.ner.convert import convert
from pipeline.ner.train import MODEL_META, read_model_meta, train_ner
from pipeline.paths import configs_dir
from pipeline.stages.ner import NerSettings, StatisticalNer

SURNAMES = "林陈周郑王李张刘杨黄"
GIVEN = "怀远明航书平春梅晓东建国海波雨桐"
PLACES = ["青禾镇", "石坳镇", "柳湾村", "白沙乡", "杏坪村"]
TITLES = ["镇长", "党委书记", "村支书", "第一书记"]
TINY = {"components.tok2vec.model.encode.width": 32, "components.tok2vec.model.embed.rows": [500, 500, 500, 50],
        "components.ner.model.hidden_width": 16, "training.eval_frequency": 10, "training.max_steps": 20,
        "nlp.batch_size": 32, "training.batcher.size.start": 100, "training.batcher.size.stop": 200}


def _bio(n: int, seed: int) -> str:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
        parts = [(rng.choice(PLACES), "LOC"), (rng.choice(TITLES), None), (name, "PER"), ("表示工作扎实", None)]
        for text, label in parts:
            for i, ch in enumerate(text):
                out.append(f"{ch}\t{'O' if label is None else ('B-' if i == 0 else 'I-') + label}\n")
        out.append("\n")
    return "".join(out)


def _train(tmp_path: Path, n: int, overrides: dict) -> Path:
    (tmp_path / "train.bio").write_text(_bio(n, 1), encoding="utf-8")
    (tmp_path / "dev.bio").write_text(_bio(max(10, n // 5), 2), encoding="utf-8")
    convert(tmp_path / "train.bio", "bio", tmp_path / "train.spacy")
    convert(tmp_path / "dev.bio", "bio", tmp_path / "dev.spacy")
    out = tmp_path / "model"
    train_ner(configs_dir() / "ner.cfg", tmp_path / "train.spacy", tmp_path / "dev.spacy", out, overrides=overrides)
    return out


def test_train_ner_reduced_trains_saves_loads_predicts(tmp_path: Path) -> None:
    model = _train(tmp_path, 40, TINY)
    meta = read_model_meta(model)
    assert set(meta["labels"]) == {"PERSON", "PLACE"}
    assert len(meta["data"]["train"]["sha256"]) == 64 and "ents_f" in meta["scores"]
    strings = json.loads((model / "vocab" / "strings.json").read_text(encoding="utf-8"))
    assert not [s for s in strings if len(s) == 2 and not s.isascii()]  # bigram strings pruned
    nlp = spacy.load(model)
    doc = nlp("石坳镇镇长林怀远表示工作扎实")
    assert all(e.label_ in {"PERSON", "PLACE"} for e in doc.ents)
    stage = StatisticalNer(NerSettings(models=[str(model)], all_sentences=True))
    assert stage.models and stage.models[0][0] == "model"


@pytest.mark.slow
def test_train_ner_learns_names(tmp_path: Path) -> None:
    slow = {**TINY, "training.max_steps": 600, "training.eval_frequency": 200,
            "components.tok2vec.model.encode.width": 64}
    model = _train(tmp_path, 400, slow)
    meta = json.loads((model / MODEL_META).read_text(encoding="utf-8"))
    assert meta["scores"]["ents_f"] > 0.8


def test_cli_convert_and_ner_evaluate_json(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    model = _train(tmp_path, 40, TINY)
    runner = CliRunner()
    res = runner.invoke(app, ["data", "convert", str(tmp_path / "dev.bio"), str(tmp_path / "x.spacy"),
                              "--format", "bio", "--source", "msra"])
    assert res.exit_code == 0 and "PERSON" in res.stdout
    res = runner.invoke(app, ["ner", "evaluate", "--data", str(tmp_path / "dev.bio"), "--format", "msra",
                              "--model", str(model), "--json"])
    assert res.exit_code == 0, res.stdout
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert set(summary) == {"overall", "labels"} and set(summary["labels"]) == {"PERSON", "PLACE"}
    assert all(0.0 <= v["f1"] <= 1.0 for v in summary["labels"].values())
