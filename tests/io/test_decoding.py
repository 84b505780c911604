"""Short inputs in the encodings Chinese news comes in: read right, or an error record that says why.

A charset detector guesses on a few bytes (a 10-byte GBK file came out as
cp949); :mod:`pipeline.io.decoding` reads short inputs as GB18030 and Big5
and keeps the reading that is plausible Chinese.  The lines are invented.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.io import InputFailure, SourceArticle, decode_bytes, iter_inputs
from pipeline.io.chinese import COMMON_SIZE, common_characters, reading_of
from pipeline.io.decoding import Decoded, DecodeProblem

SIMPLIFIED = [
    "乡长", "村支书", "镇长韩立平", "石门乡有农户318户。", "副镇长到场", "村委会主任白玉芳", "全乡共有人口4260人",
    "柿子坪村搬迁户27户", "镇政府拨款45万元", "街道党工委书记", "乡里新修水渠两条", "脱贫户增收", "县长调研", "干部",
    "新建村卫生室一所",
]
TRADITIONAL = [
    "鄉長", "縣委書記", "鎮長韓立平", "溪頭村共有農戶96戶", "貧困人口減少", "鄉政府召開會議", "補助資金三十萬元",
    "村幹部入戶走訪", "全鎮脫貧", "黨委副書記",
]
CASES = ([(t, "gbk") for t in SIMPLIFIED] + [(t, "utf-8") for t in SIMPLIFIED]
         + [(t, "big5") for t in TRADITIONAL] + [(t, "utf-8") for t in TRADITIONAL])


def test_short_lines_are_between_2_and_30_bytes() -> None:
    sizes = [len(text.encode(encoding)) for text, encoding in CASES]
    assert len(CASES) >= 20 and min(sizes) >= 2 and max(sizes) <= 30


def test_short_gbk_big5_utf8_files_are_read_right_or_fail_never_misread(tmp_path: Path) -> None:
    for n, (text, encoding) in enumerate(CASES):
        (tmp_path / f"{n:02d}_{encoding}.txt").write_bytes(text.encode(encoding))
    items = list(iter_inputs([tmp_path]))
    assert len(items) == len(CASES)
    wrong, failed = [], []
    for (text, encoding), item in zip(CASES, items, strict=True):
        if isinstance(item, SourceArticle):
            if item.text != text:
                wrong.append((encoding, text, item.text))
        else:
            assert item.reason in ("encoding undecidable", "cannot decode") and "UTF-8" in item.hint
            failed.append(text)
    assert wrong == []
    assert len(failed) <= 2, failed  # measured: none fails; an error is allowed, a misreading is not


def test_short_jsonl_in_gbk_is_decoded(tmp_path: Path) -> None:
    body = "\n".join(json.dumps({"id": f"s{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(SIMPLIFIED[:4]))
    path = tmp_path / "short.jsonl"
    path.write_bytes(body.encode("gbk"))
    assert [(i.id, i.text) for i in iter_inputs([path])] == [(f"s{i}", t) for i, t in enumerate(SIMPLIFIED[:4])]


@pytest.mark.parametrize(
    ("data", "readings"),
    [
        # one character that is common in GBK and in Big5: no way to tell
        pytest.param("楓".encode("big5"), ("番", "楓"), id="big5-or-gbk"),
        # GBK bytes that are also valid UTF-8 (one Cyrillic letter)
        pytest.param("一".encode("gbk"), ("һ", "一"), id="utf8-or-gbk"),
        pytest.param("ｶﾀｶﾅ".encode("shift_jis"), ("独杜",), id="not-chinese-news"),
    ],
)
def test_undecidable_short_input_names_its_readings(data: bytes, readings: tuple[str, ...]) -> None:
    problem = decode_bytes(data, name="note.txt")
    assert isinstance(problem, DecodeProblem)
    assert problem.reason == "encoding undecidable"
    assert all(f"«{r}»" in problem.hint for r in readings)
    assert "iconv -f GBK -t UTF-8 note.txt" in problem.hint


def test_short_utf16_without_bom_must_read_as_chinese() -> None:
    assert decode_bytes("户数12".encode("utf-16-le")) == Decoded("户数12", "utf-16-le")
    # bytes with NULs whose UTF-16 reading is rare characters are not taken for text
    assert isinstance(decode_bytes(bytes([0x41, 0x00, 0x9F, 0xA0, 0x33, 0xE0])), DecodeProblem)


def test_chinese_reading_uses_jiebas_character_frequencies() -> None:
    common = common_characters()
    assert len(common) == COMMON_SIZE
    assert {"镇", "户", "村", "乡", "书", "记"} <= common
    assert "걸" not in common and "誧" not in common  # hangul, a rare ideograph
    assert reading_of("该镇有贫困户").common == 1.0
    assert reading_of("縣委書記").common == 1.0  # traditional through its simplified view
    assert reading_of("맡麗唐틋위빵").common < 0.5
    assert reading_of("215，。").letters == 0


def test_cli_run_short_undecidable_file_is_an_input_error_record(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_bytes("镇长韩立平".encode("gbk"))
    (tmp_path / "unclear.txt").write_bytes("楓".encode("big5"))
    out = tmp_path / "cli_records.jsonl"
    res = CliRunner().invoke(app, ["run", str(tmp_path), "-o", str(out), "-q"])
    assert res.exit_code == 1, res.output
    records = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert records["good"]["ok"] is True
    [err] = records["unclear"]["errors"]
    assert records["unclear"]["ok"] is False
    assert (err["stage"], err["reason"]) == ("input", "encoding undecidable")
    assert "UTF-8" in err["hint"]
