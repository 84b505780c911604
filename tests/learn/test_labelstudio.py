"""Label Studio round trip: export → an annotator's corrections → import."""
from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import api
from pipeline.cli import app
from pipeline.errors import InputError
from pipeline.evaluate import fact_keys
from pipeline.labelstudio import record_to_task, task_to_gold
from pipeline.paths import configs_dir

REPO = Path(__file__).resolve().parents[2]
ARTICLE = REPO / "corpus" / "syn_04_quankou_brief.txt"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[list[dict], dict]:
    out = tmp_path_factory.mktemp("ls") / "tasks.json"
    res = CliRunner().invoke(app, ["export", "labelstudio", str(ARTICLE), "--output", str(out)])
    assert res.exit_code == 0, res.output
    record = api.extract(ARTICLE.read_text(encoding="utf-8"), id=ARTICLE.stem).model_dump(mode="json")
    return json.loads(out.read_text(encoding="utf-8")), record


def test_export_holds_text_regions_relations_and_fields(exported):
    tasks, record = exported
    assert len(tasks) == 1
    task = tasks[0]
    text = task["data"]["text"]
    assert text == ARTICLE.read_text(encoding="utf-8") and task["data"]["id"] == ARTICLE.stem
    result = task["predictions"][0]["result"]
    regions = {r["id"]: r for r in result if r["type"] == "labels"}
    for r in regions.values():  # every region covers exactly its text
        v = r["value"]
        assert text[v["start"]:v["end"]] == v["text"]
    labels = {r["value"]["labels"][0] for r in regions.values()}
    assert {"PERSON", "TITLE", "PLACE", "COUNT", "MONEY"} <= labels
    rels = [r for r in result if r["type"] == "relation"]
    assert all(r["from_id"] in regions and r["to_id"] in regions for r in rels)
    fields = {(r["id"], r["from_name"]) for r in result if r["type"] in ("textarea", "choices")}
    assert all(rid in regions for rid, _ in fields)
    # names used in the export exist in the shipped labelling config
    root = ET.parse(configs_dir() / "labelstudio.xml").getroot()
    names = {e.get("name") for e in root.iter() if e.get("name")}
    assert {r["from_name"] for r in result if "from_name" in r} <= names
    assert {r["labels"][0] for r in rels} <= {e.get("value") for e in root.iter("Relation")}


def test_unedited_round_trip_gives_the_records_facts(exported):
    tasks, record = exported
    gold = task_to_gold(tasks[0], "tasks.json task 1")
    assert fact_keys(gold) == fact_keys(record)


def test_corrections_come_back_as_gold(exported):
    tasks, record = exported
    task = copy.deepcopy(tasks[0])
    result = copy.deepcopy(task["predictions"][0]["result"])
    text = task["data"]["text"]
    regions = {r["id"]: r for r in result if r["type"] == "labels"}
    # 1. the annotator deletes the first official's title relation (a wrong official)
    person = next(rid for rid, r in regions.items() if r["value"]["labels"] == ["PERSON"])
    dropped = regions[person]["value"]["text"]
    removed = [r for r in result if r["type"] == "relation" and r["from_id"] == person]
    result = [r for r in result if not (r["type"] == "relation" and r["from_id"] == person)]
    # 2. corrects the value of the first count
    count = next(rid for rid, r in regions.items() if r["value"]["labels"] == ["COUNT"])
    for r in result:
        if r.get("id") == count and r.get("from_name") == "value":
            old_value = r["value"]["text"][0]
            r["value"]["text"] = ["4300"]
    # 3. marks a count the pipeline missed, typing its value and unit, linked to a place
    start = text.index("脱贫户")
    end = start + 3
    place = next(rid for rid, r in regions.items() if r["value"]["labels"] == ["PLACE"])
    span = {"start": start, "end": end}
    result += [
        {"id": "new1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {**span, "text": text[start:end], "labels": ["COUNT"]}},
        {"id": "new1", "from_name": "value", "to_name": "text", "type": "textarea", "value": {**span, "text": ["12"]}},
        {"id": "new1", "from_name": "unit", "to_name": "text", "type": "textarea", "value": {**span, "text": ["户"]}},
        {"id": "new1", "from_name": "subject", "to_name": "text", "type": "textarea",
         "value": {**span, "text": ["脱贫户"]}},
        {"id": "new1", "from_name": "approx", "to_name": "text", "type": "choices",
         "value": {**span, "choices": ["approx"]}},
        {"from_id": "new1", "to_id": place, "type": "relation", "direction": "right", "labels": ["place"]},
    ]
    task["annotations"] = [{"id": 7, "result": result, "was_cancelled": False,
                            "updated_at": "2026-11-29T10:00:00Z"}]
    gold = task_to_gold(task, "t")
    assert removed and len(gold["officials"]) == len(record["officials"]) - len(removed)
    assert dropped not in [o["name"] for o in gold["officials"]]
    values = [c["value"] for c in gold["counts"]]
    assert 4300 in values and int(float(old_value)) not in values
    new = [c for c in gold["counts"] if c["value"] == 12]
    assert new == [{"place": regions[place]["value"]["text"], "value": 12, "unit": "户", "subject": "脱贫户",
                    "approx": True}]


def test_import_cli_writes_gold_files(exported, tmp_path):
    tasks, record = exported
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    res = CliRunner().invoke(app, ["import", "labelstudio", str(path), "--output", str(tmp_path / "gold")])
    assert res.exit_code == 0, res.output
    written = sorted((tmp_path / "gold").glob("*.json"))
    assert [p.stem for p in written] == [ARTICLE.stem]
    gold = json.loads(written[0].read_text(encoding="utf-8"))
    assert set(gold) >= {"id", "text", "officials", "counts", "amounts"}
    assert fact_keys(gold) == fact_keys(record)


def test_import_rejects_a_count_without_unit():
    task = {"data": {"text": "今年共完成12项。", "id": "a"}, "annotations": [{"result": [
        {"id": "x", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 5, "end": 7, "text": "12", "labels": ["COUNT"]}}]}]}
    with pytest.raises(InputError, match="tasks.json task 1: region x .* needs unit"):
        task_to_gold(task, "tasks.json task 1")


def test_import_rejects_what_is_not_an_export(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"a": 1}', encoding="utf-8")
    res = CliRunner().invoke(app, ["import", "labelstudio", str(bad), "--output", str(tmp_path / "g")])
    assert res.exit_code != 0
    assert isinstance(res.exception, InputError) and "JSON list of tasks" in str(res.exception)


def test_record_without_facts_exports_an_empty_prediction():
    task = record_to_task({"id": "a", "text": "今天天气很好。", "officials": [], "counts": [], "amounts": []})
    assert task["predictions"][0]["result"] == []
    assert task_to_gold(task, "a")["counts"] == []


def test_import_keeps_files_inside_the_output_folder(tmp_path):
    tasks = [{"data": {"text": "今天天气很好。", "id": "../../escape"}, "predictions": [{"result": []}]}]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    from pipeline.labelstudio import import_tasks
    written = import_tasks(path, tmp_path / "gold")
    assert len(written) == 1 and written[0].parent == (tmp_path / "gold").resolve()
    assert json.loads(written[0].read_text(encoding="utf-8"))["id"] == "../../escape"


def test_import_refuses_two_tasks_with_one_id_and_long_ids_fit(tmp_path):
    from pipeline.labelstudio import import_tasks
    long_id = "县" * 120  # 360 UTF-8 bytes: too long for a file name as is
    tasks = [{"data": {"text": "甲。", "id": long_id}, "predictions": [{"result": []}]},
             {"data": {"text": "乙。", "id": "same"}, "predictions": [{"result": []}]},
             {"data": {"text": "丙。", "id": "same"}, "predictions": [{"result": []}]}]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match="task 3: id 'same' was already used by task 2"):
        import_tasks(path, tmp_path / "gold")
    written = list((tmp_path / "gold").glob("*.json"))
    assert any(json.loads(p.read_text(encoding="utf-8"))["id"] == long_id for p in written)
