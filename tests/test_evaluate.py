"""Tests for pipeline.evaluate: title folding and agreement with the reference scorer."""
from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType

import pytest

from pipeline.evaluate import normalise_title, score, score_dir


@pytest.mark.parametrize(
    ("variants", "folded"),
    [
        pytest.param(["镇党委书记", "党委书记", "镇委书记", "委书记"], "委书记", id="party-secretary"),
        pytest.param(["村支书", "村党支部书记", "支部书记", "党支部书记"], "支部书记", id="branch-secretary"),
        pytest.param(["县人民政府县长", "县长", "县政府县长"], "长", id="county-head"),  # levels fold away
        pytest.param(["驻村第一书记", "第一书记"], "第一书记", id="first-secretary"),
        pytest.param(["镇长", "乡长"], "长", id="level-only-differs"),
    ],
)
def test_evaluate_normalise_title_folds_variants(variants: list[str], folded: str) -> None:
    assert {normalise_title(v) for v in variants} == {folded}


@pytest.mark.parametrize(
    ("title", "folded"),
    [("村支书", "支部书记"), (None, ""), ("  镇委书记 ", "委书记"), ("镇委副书记", "委副书记"), ("村主任", "主任")],
)
def test_evaluate_normalise_title_cases(title: str | None, folded: str) -> None:
    assert normalise_title(title) == folded


def test_evaluate_distinct_titles_stay_distinct() -> None:
    assert normalise_title("镇委书记") != normalise_title("镇委副书记")
    assert normalise_title("村支书") != normalise_title("村委会主任")


def _reference_scorer(shared: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("reference_score", shared / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _perturb(gold: dict, rng: random.Random) -> dict:
    """A prediction with dropped, altered, renamed and spurious facts."""
    pred = {"id": gold["id"]}
    officials = []
    for o in gold.get("officials") or []:
        roll = rng.random()
        if roll < 0.15:
            continue
        o = dict(o)
        if roll < 0.3:
            o["title"] = rng.choice(["党委书记", "镇委书记", "村支书", "县长", "主任", o.get("title") or ""])
        elif roll < 0.4:
            o["place"] = rng.choice([None, "", "某某镇"])
        officials.append(o)
    counts = []
    for c in gold.get("counts") or []:
        roll = rng.random()
        if roll < 0.15:
            continue
        c = dict(c)
        if roll < 0.3:
            c["value"] = int(c["value"]) + 1
        elif roll < 0.4:
            c["unit"] = "人" if c.get("unit") == "户" else "户"
        counts.append(c)
    amounts = []
    for a in gold.get("amounts") or []:
        roll = rng.random()
        if roll < 0.15:
            continue
        a = dict(a)
        if roll < 0.3:
            a["value_yuan"] = float(a["value_yuan"]) * 10
        elif roll < 0.35:
            a["value_yuan"] = float(a["value_yuan"]) + 0.001  # rounds to the same cents
        amounts.append(a)
    if rng.random() < 0.3:
        counts.append({"place": None, "value": 7, "unit": "人"})
    if rng.random() < 0.2:
        amounts.append({"place": "某某村", "value_yuan": "n/a"})  # unreadable: ignored by both
    pred.update(officials=officials, counts=counts, amounts=amounts)
    return pred


@pytest.mark.shared
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_evaluate_score_matches_reference(shared_dir: Path, tmp_path: Path, seed: int) -> None:
    gold_dir = shared_dir / "eval" / "dev"
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.json"))]
    rng = random.Random(seed)
    preds = [_perturb(g, rng) for g in gold if rng.random() > 0.1]  # some articles get no prediction
    pred_path = tmp_path / "pred.jsonl"
    pred_path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds), encoding="utf-8")

    reference = _reference_scorer(shared_dir).score(str(gold_dir), str(pred_path))
    assert score_dir(gold_dir, pred_path) == reference
    assert score(gold, {p["id"]: p for p in preds}) == reference
    assert reference["micro_f1"] < 1.0


@pytest.mark.shared
def test_evaluate_normalise_title_matches_reference(shared_dir: Path) -> None:
    reference = _reference_scorer(shared_dir).norm_title
    titles = ["镇党委书记", "村支书", "村党支部书记", "县人民政府县长", "驻村第一书记", "镇委副书记、镇长",
              "支书支书", "党支书", "乡长", "", None, " 村委会主任 "]
    assert [normalise_title(t) for t in titles] == [reference(t) for t in titles]
