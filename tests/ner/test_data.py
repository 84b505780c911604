"""NER data readers and conversion (tiny project-written fixtures)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from pipeline.ner.convert import convert, load_label_map
from pipeline.ner.data import DataError, read


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _docs(path: Path) -> list:
    return list(DocBin().from_disk(path).get_docs(spacy.blank("zh").vocab))


def test_data_cluener_offsets_are_end_inclusive(tmp_path: Path) -> None:
    rec = {"text": "青禾镇镇长林怀远到柳湾村调研。", "label": {"name": {"林怀远": [[5, 7]]}, "position": {"镇长": [[3, 4]]}}}
    src = _write(tmp_path / "c.json", json.dumps(rec, ensure_ascii=False) + "\n")
    [sent] = read(src, "cluener")
    assert sorted(sent.spans) == [(3, 5, "position"), (5, 8, "name")]


def test_data_cluener_bad_offsets_name_the_line(tmp_path: Path) -> None:
    rec = {"text": "林怀远说", "label": {"name": {"林怀远": [[1, 3]]}}}
    src = _write(tmp_path / "c.json", "\n" + json.dumps(rec, ensure_ascii=False) + "\n")
    with pytest.raises(DataError, match=r"c\.json:2"):
        list(read(src, "cluener"))


def test_data_bio_and_bmes_spans(tmp_path: Path) -> None:
    bio = _write(tmp_path / "a.bio", "林\tB-PER\n怀\tI-PER\n远\tI-PER\n在\tO\n石\tB-LOC\n坳\tI-LOC\n\n好\tO\n")
    sents = list(read(bio, "bio"))
    assert [s.spans for s in sents] == [[(0, 3, "PER"), (4, 6, "LOC")], []]
    bmes = _write(tmp_path / "a.bmes", "周 B-NAME\n明 E-NAME\n任 O\n镇 B-TITLE\n长 E-TITLE\n王 S-NAME\n")
    [sent] = read(bmes, "bmes")
    assert sent.spans == [(0, 2, "NAME"), (3, 5, "TITLE"), (5, 6, "NAME")]


def test_data_bio_bad_line_is_reported(tmp_path: Path) -> None:
    bad = _write(tmp_path / "b.bio", "林\tB-PER\n怀 远 I-PER\n")
    with pytest.raises(DataError, match=r"b\.bio:2"):
        list(read(bad, "bio"))


def test_data_gold_articles_label_names_titles_places(tmp_path: Path) -> None:
    gold = {"id": "g", "text": "石坳镇委书记陈远航表示,该镇有贫困户120户。",
            "officials": [{"name": "陈远航", "title": "镇委书记", "place": "石坳镇"}],
            "counts": [{"place": "石坳镇", "value": 120, "unit": "户"}], "amounts": []}
    _write(tmp_path / "g.json", json.dumps(gold, ensure_ascii=False))
    [sent] = read(tmp_path, "gold")
    assert {(sent.text[s:e], l) for s, e, l in sent.spans} == {("陈远航", "PERSON"), ("委书记", "TITLE"), ("石坳镇", "PLACE")}


def test_convert_keeps_a_family_and_masks_unmapped_labels(tmp_path: Path) -> None:
    rec = {"text": "青禾镇镇长林怀远说", "label": {"name": {"林怀远": [[5, 7]]}, "position": {"镇长": [[3, 4]]},
                                            "scene": {"青禾镇": [[0, 2]]}}}
    src = _write(tmp_path / "c.json", json.dumps(rec, ensure_ascii=False) + "\n")
    counts = convert(src, "cluener", tmp_path / "t.spacy", only=["TITLE"])
    assert counts["TITLE"] == 1 and counts["PERSON"] == 0
    [doc] = _docs(tmp_path / "t.spacy")
    assert [(e.text, e.label_) for e in doc.ents] == [("镇长", "TITLE")]
    # "scene" has no project label: unknown (missing); the name is annotated
    # by CLUENER, so it is not a TITLE: "O"
    assert [t.ent_iob_ for t in doc] == ["", "", "", "B", "I", "O", "O", "O", "O"]
    convert(src, "cluener", tmp_path / "m.spacy", only=["TITLE"], mask_others=True)
    [masked] = _docs(tmp_path / "m.spacy")
    assert [t.ent_iob_ for t in masked] == ["", "", "", "B", "I", "", "", "", "O"]


def test_convert_dev_split_is_deterministic(tmp_path: Path) -> None:
    lines = "".join(f"句\tO\n子\tO\n{i % 10}\tO\n\n" for i in range(200))
    src = _write(tmp_path / "m.bio", lines)
    a = convert(src, "bio", tmp_path / "a.spacy", dev_output=tmp_path / "ad.spacy", dev_share=0.3)
    b = convert(src, "bio", tmp_path / "b.spacy", dev_output=tmp_path / "bd.spacy", dev_share=0.3)
    assert a == b and a["dev_docs"] > 0 and a["docs"] + a["dev_docs"] == 200


def test_label_map_rejects_unknown_section_and_labels(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no section"):
        load_label_map("nosuch")
    bad = _write(tmp_path / "labels.cfg", "[x]\nPER = \"HUMAN\"\n")
    with pytest.raises(DataError, match="unknown project labels"):
        load_label_map("x", bad)
