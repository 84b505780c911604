"""Tests for pipeline/io: reading .txt, .html and .jsonl inputs and directories.

Input files are built in ``tmp_path``; texts are invented.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.io import InputFailure, SourceArticle, extract_html, html_to_text, iter_inputs

TEXT = "青石镇新建便民服务站12个，惠及群众3500余户。"


def read_all(*paths: Path | str) -> list[SourceArticle | InputFailure]:
    return list(iter_inputs(list(paths)))


def write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- whole-run mistakes


def test_iter_inputs_missing_path_raises_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputError, match=r"input not found: .*nope\.txt.*\.txt, \.html, \.htm or \.jsonl"):
        iter_inputs([missing])


def test_iter_inputs_missing_path_among_others_is_a_failure_in_its_place(tmp_path: Path) -> None:
    first, last = write(tmp_path / "a.txt", TEXT), write(tmp_path / "c.txt", TEXT)
    missing = tmp_path / "b.txt"
    items = read_all(first, missing, last)
    assert [i.id for i in items] == ["a", "b", "c"]
    assert isinstance(items[1], InputFailure)
    assert (items[1].origin, items[1].reason) == (str(missing), "input not found")
    assert "check the spelling" in items[1].hint


def test_iter_inputs_unsupported_suffix_raises_before_reading(tmp_path: Path) -> None:
    good = write(tmp_path / "a.txt", TEXT)
    bad = write(tmp_path / "b.docx", b"PK")
    with pytest.raises(InputError, match=r"unsupported input type \.docx: .*b\.docx.*\.jsonl"):
        iter_inputs([good, bad])


def test_iter_inputs_directory_without_inputs_raises(tmp_path: Path) -> None:
    write(tmp_path / "notes.md", TEXT)
    with pytest.raises(InputError, match="holds no"):
        iter_inputs([tmp_path])


def test_iter_inputs_wants_a_sequence(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="sequence"):
        iter_inputs(tmp_path)  # type: ignore[arg-type]


# ---------------------------------------------------------------- text files


def test_iter_inputs_reads_text_file_verbatim(tmp_path: Path) -> None:
    path = write(tmp_path / "qingshi-01.txt", f"标题\r\n{TEXT}\r\n")
    [article] = read_all(path)
    assert article == SourceArticle("qingshi-01", f"标题\r\n{TEXT}\r\n", str(path), None)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "empty file", id="empty"),
        pytest.param(b" \n\t\r\n  ", "empty file", id="whitespace"),
        pytest.param(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)), "binary file", id="nul-bytes"),
        pytest.param(bytes([1, 2, 3, 4, 5, 6, 14, 15, 16, 17]) * 20, "binary file", id="control-bytes"),
        pytest.param("\ufeff   ".encode("utf-8"), "empty file", id="bom-only"),
    ],
)
def test_iter_inputs_article_level_failures(tmp_path: Path, data: bytes, reason: str) -> None:
    path = write(tmp_path / "bad.txt", data)
    good = write(tmp_path / "good.txt", TEXT)
    items = read_all(path, good)
    assert isinstance(items[0], InputFailure)
    assert (items[0].id, items[0].origin, items[0].reason) == ("bad", str(path), reason)
    assert items[0].hint
    assert items[1] == SourceArticle("good", TEXT, str(good))


TRAD = "溪口縣政府舉辦會議，發放補助資金。全縣共有貧困戶1200戶。"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param(TEXT.encode("gbk"), TEXT, id="gbk-short"),
        pytest.param((TEXT * 50).encode("gbk"), TEXT * 50, id="gbk-long"),
        pytest.param("青石镇𠀀村新建服务站。".encode("gb18030"), "青石镇𠀀村新建服务站。", id="gb18030-4-byte"),
        pytest.param(TRAD.encode("big5"), TRAD, id="big5"),
        pytest.param((TRAD * 50).encode("big5"), TRAD * 50, id="big5-long"),
        pytest.param(TEXT.encode("utf-16-le"), TEXT, id="utf-16-le-no-bom"),
        pytest.param(TEXT.encode("utf-16-be"), TEXT, id="utf-16-be-no-bom"),
        pytest.param(TEXT.encode("utf-32"), TEXT, id="utf-32-bom"),
        pytest.param(f"标题\r\n{TEXT}\r\n".encode("gbk"), f"标题\r\n{TEXT}\r\n", id="gbk-crlf"),
    ],
)
def test_iter_inputs_decodes_legacy_encodings(tmp_path: Path, data: bytes, text: str) -> None:
    [article] = read_all(write(tmp_path / "legacy.txt", data))
    assert isinstance(article, SourceArticle), article
    assert article.text == text


def test_iter_inputs_file_mixing_encodings_is_a_failure_with_byte_offset(tmp_path: Path) -> None:
    data = (TEXT * 40).encode("gbk") + "縣".encode("big5") + b"\xff\xff"
    [failure] = read_all(write(tmp_path / "mixed.txt", data))
    assert isinstance(failure, InputFailure)
    assert failure.reason == "cannot decode"
    assert "GB18030/GBK up to byte" in failure.hint and "iconv" in failure.hint


def test_iter_inputs_damage_after_the_detection_sample_names_the_byte(tmp_path: Path) -> None:
    good = (TEXT * 3000).encode("gbk")  # well beyond the 64 KB sample
    [failure] = read_all(write(tmp_path / "tail.txt", good + b"\x81\x20"))
    assert isinstance(failure, InputFailure)
    assert failure.reason == "cannot decode"
    assert f"byte {len(good)}" in failure.hint


def test_iter_inputs_random_high_bytes_are_not_guessed_into_text(tmp_path: Path) -> None:
    data = bytes((i * 97 + 13) % 128 + 128 for i in range(4000))
    [item] = read_all(write(tmp_path / "noise.txt", data))
    # Whatever the detector says, a result must be text, never mojibake full of unassigned code points.
    if isinstance(item, SourceArticle):
        assert not any(0xE000 <= ord(c) <= 0xF8FF for c in item.text)
    else:
        assert item.reason in ("cannot decode", "binary file")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(TEXT.encode("utf-8-sig"), id="utf-8-bom"),
        pytest.param(TEXT.encode("utf-16"), id="utf-16-bom"),
        pytest.param(b"\xff\xfe" + TEXT.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(b"\xfe\xff" + TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
    ],
)
def test_iter_inputs_accepts_byte_order_marks(tmp_path: Path, data: bytes) -> None:
    [article] = read_all(write(tmp_path / "bom.txt", data))
    assert isinstance(article, SourceArticle)
    assert article.text == TEXT  # the BOM is not part of the text


# ---------------------------------------------------------------- directories


def test_iter_inputs_directory_sorted_by_name_not_recursive(tmp_path: Path) -> None:
    for name in ["b.txt", "a.html", "c.jsonl", "z.md", ".hidden.txt"]:
        write(tmp_path / name, "")
    write(tmp_path / "b.txt", "乙")
    write(tmp_path / "a.html", "<p>甲</p>")
    write(tmp_path / "c.jsonl", json.dumps({"id": "c1", "text": "丙"}, ensure_ascii=False) + "\n")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "d.txt", "丁")
    items = read_all(tmp_path)
    assert [(i.id, i.text) for i in items if isinstance(i, SourceArticle)] == [("a", "甲"), ("b", "乙"), ("c1", "丙")]
    assert [i.origin for i in items] == [str(tmp_path / "a.html"), str(tmp_path / "b.txt"), f"{tmp_path / 'c.jsonl'}:1"]


def test_iter_inputs_duplicate_id_fails_for_the_later_one(tmp_path: Path) -> None:
    first = write(tmp_path / "a1.txt", TEXT)
    corpus = write(tmp_path / "more.jsonl", json.dumps({"id": "a1", "text": "又一篇"}, ensure_ascii=False))
    items = read_all(first, corpus)
    assert isinstance(items[0], SourceArticle)
    assert isinstance(items[1], InputFailure)
    # its own id, so stores keyed on the id (SQLite) and --resume see it once
    assert (items[1].id, items[1].reason, items[1].origin) == (f"a1@{corpus}:1", "duplicate id", f"{corpus}:1")
    assert str(first) in items[1].hint


# ---------------------------------------------------------------- JSONL


def test_iter_inputs_jsonl_bad_lines_fail_and_the_others_are_read(tmp_path: Path) -> None:
    lines = [
        {"id": "n1", "text": "第一篇", "url": "https://example.org/n1"},
        "",
        "{not json",
        "[1, 2]",
        {"text": "没有编号"},
        {"id": "n2"},
        {"id": "n3", "text": 42},
        {"id": True, "text": "布尔编号"},
        {"id": 7, "text": "整数编号"},
        {"id": "n4", "text": "网址错误", "url": 5},
        {"id": "n5", "text": "   "},
        "   ",
        {"id": "n6", "text": "最后一篇"},
    ]
    body = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines)
    path = write(tmp_path / "news.jsonl", body + "\n")
    items = read_all(path)
    got = [(i.id, i.origin.rsplit(":", 1)[1], getattr(i, "reason", "ok")) for i in items]
    assert got == [
        ("n1", "1", "ok"),
        ("news:3", "3", "not valid JSON"),
        ("news:4", "4", "not a JSON object"),
        ("news:5", "5", 'missing "id"'),
        ("n2", "6", 'missing "text"'),
        ("n3", "7", 'bad "text"'),
        ("news:8", "8", 'bad "id"'),
        ("7", "9", "ok"),
        ("n4", "10", 'bad "url"'),
        ("n5", "11", "empty text"),
        ("n6", "13", "ok"),
    ]
    assert items[0] == SourceArticle("n1", "第一篇", f"{path}:1", "https://example.org/n1")
    assert all(i.hint for i in items if isinstance(i, InputFailure))


def test_iter_inputs_jsonl_non_utf8_line_fails_alone(tmp_path: Path) -> None:
    good = json.dumps({"id": "g1", "text": TEXT}, ensure_ascii=False).encode("utf-8")
    bad = json.dumps({"id": "g2", "text": TEXT}, ensure_ascii=False).encode("gbk")
    path = write(tmp_path / "mixed.jsonl", good + b"\n" + bad + b"\n" + good.replace(b"g1", b"g3"))
    items = read_all(path)
    assert [i.id for i in items] == ["g1", "mixed:2", "g3"]
    assert isinstance(items[1], InputFailure) and items[1].reason == "not UTF-8"
    assert "GB18030" in items[1].hint and "iconv" in items[1].hint


@pytest.mark.parametrize("encoding", ["gbk", "big5"])
def test_iter_inputs_jsonl_in_legacy_encoding_is_decoded(tmp_path: Path, encoding: str) -> None:
    texts = [TEXT if encoding == "gbk" else TRAD, "第二篇" if encoding == "gbk" else "第二篇報導"]
    body = "\n".join(json.dumps({"id": f"e{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(texts))
    path = write(tmp_path / "legacy.jsonl", body.encode(encoding))
    assert [(i.id, i.text) for i in read_all(path)] == [("e0", texts[0]), ("e1", texts[1])]


def test_iter_inputs_jsonl_lone_surrogates_become_replacement_chars(tmp_path: Path) -> None:
    path = write(tmp_path / "s.jsonl", '{"id": "s\\udc00", "text": "甲\\ud800乙", "url": "u\\udfff"}\n')
    [article] = read_all(path)
    assert (article.id, article.text, article.url) == ("s\ufffd", "甲\ufffd乙", "u\ufffd")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_iter_inputs_jsonl_with_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    body = "\n".join(json.dumps({"id": f"b{i}", "text": TEXT}, ensure_ascii=False) for i in range(3))
    path = write(tmp_path / "bom.jsonl", body.encode(encoding))
    assert [(i.id, i.text) for i in read_all(path)] == [(f"b{i}", TEXT) for i in range(3)]


def test_iter_inputs_jsonl_is_streamed(tmp_path: Path) -> None:
    path = write(tmp_path / "stream.jsonl", json.dumps({"id": "s1", "text": "一"}, ensure_ascii=False) + "\n")
    items = iter_inputs([path])
    with path.open("a", encoding="utf-8") as fh:  # written after the reader was created
        fh.write(json.dumps({"id": "s2", "text": "二"}, ensure_ascii=False) + "\n")
    assert [i.id for i in items] == ["s1", "s2"]


# ---------------------------------------------------------------- HTML


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>青石镇 - 政府网</title>
<link rel="canonical" href="https://example.org/qingshi/1.html">
<style>p { color: red }</style><script>var a = "<p>不要</p>";</script></head>
<body>
<nav><a href="/">首页</a> &gt; <a href="/news">新闻</a></nav>
<header class="site">青石镇人民政府网</header>
<article>
  <header><h1>青石镇：便民服务站建成投用</h1><span>发布时间：2021-05-12</span></header>
  <p>今年以来，青石镇新建
  便民服务站12个&nbsp;&amp;
  惠及群众。</p>
  <p>第二段<br>换行之后</p>
  <ul><li>一</li><li>二</li></ul>
  <table><tr><td>溪口村</td><td>120户</td></tr></table>
  <form><input name="q"><button>搜索</button></form>
  <noscript>请启用脚本</noscript>
</article>
<aside>热点新闻</aside>
<footer>版权所有</footer>
</body></html>
"""


def test_html_to_text_keeps_visible_article_text() -> None:
    assert html_to_text(PAGE) == (
        "青石镇：便民服务站建成投用\n"
        "发布时间：2021-05-12\n"
        "今年以来，青石镇新建便民服务站12个\u00a0& 惠及群众。\n"
        "第二段\n"
        "换行之后\n"
        "一\n"
        "二\n"
        "溪口村 120户"
    )


def test_extract_html_finds_canonical_url() -> None:
    assert extract_html(PAGE).url == "https://example.org/qingshi/1.html"
    assert extract_html('<meta property="og:url" content="https://example.org/x"><p>文</p>').url == "https://example.org/x"


def test_html_to_text_unclosed_head_and_blank_runs() -> None:
    assert html_to_text("<head><title>标题<body><p>甲</p><p></p><div> </div><p>乙</p>") == "甲\n乙"


def test_iter_inputs_reads_html_file(tmp_path: Path) -> None:
    path = write(tmp_path / "page.htm", PAGE)
    [article] = read_all(path)
    assert isinstance(article, SourceArticle)
    assert article.text.startswith("青石镇：便民服务站建成投用\n")
    assert article.url == "https://example.org/qingshi/1.html"


def test_iter_inputs_html_without_text_fails(tmp_path: Path) -> None:
    [failure] = read_all(write(tmp_path / "empty.html", "<html><script>x()</script><nav>首页</nav></html>"))
    assert isinstance(failure, InputFailure)
    assert failure.reason == "no text in HTML page"


@pytest.mark.parametrize("encoding", ["gbk", "big5"])
def test_iter_inputs_html_in_declared_legacy_charset_is_decoded(tmp_path: Path, encoding: str) -> None:
    text = TEXT if encoding == "gbk" else TRAD
    charset = "gb2312" if encoding == "gbk" else "big5"
    page = f'<html><head><meta charset="{charset}"></head><body><p>{text}</p><p>第二段</p></body></html>'
    [article] = read_all(write(tmp_path / "legacy.html", page.encode(encoding)))
    assert isinstance(article, SourceArticle)
    assert article.text == f"{text}\n第二段"


def test_iter_inputs_html_with_a_wrong_declared_charset_falls_back_to_detection(tmp_path: Path) -> None:
    page = f'<html><head><meta charset="big5"></head><body><p>{TEXT * 5}</p></body></html>'
    [article] = read_all(write(tmp_path / "wrong.html", page.encode("gbk")))
    assert isinstance(article, SourceArticle)
    assert article.text == TEXT * 5  # decoded as GBK since Big5 does not fit


def test_iter_inputs_gbk_page_mislabelled_latin1_is_read_as_chinese(tmp_path: Path) -> None:
    # latin-1 decodes any bytes, so trusting it would give silent mojibake
    page = f'<html><head><meta charset="iso-8859-1"></head><body><p>{TEXT * 5}</p></body></html>'
    [article] = read_all(write(tmp_path / "mislabelled.html", page.encode("gbk")))
    assert isinstance(article, SourceArticle)
    assert article.text == TEXT * 5


def test_html_entities_scripts_and_paragraph_breaks() -> None:
    page = ("<body><script>document.write('<p>脚本</p>')</script><style>p{}</style>"
            "<nav>首页 &gt; 新闻</nav><p>甲&amp;乙&#x4E19;&#19969;&lt;戊&gt;</p>"
            "<div><p>第二段</p></div><footer>版权所有</footer></body>")
    assert html_to_text(page) == "甲&乙丙丁<戊>\n第二段"


def test_html_deeply_nested_and_broken_markup_does_not_crash() -> None:
    page = "<div>" * 20000 + "<p>深处的文字" + "</span>" * 50 + "<b><i>未闭合"
    assert html_to_text(page) == "深处的文字未闭合"
    assert html_to_text("<<<>>><p\x00>甲</p>&#0;&#xD800;&bogus;") != ""


def test_duplicate_ids_go_into_sqlite_as_separate_records(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder / "x.txt", TEXT)
    out = tmp_path / "out.sqlite"
    res = CliRunner().invoke(app, ["run", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(out), "-q"])
    assert res.exit_code == 1, res.output  # finished; one record carries the duplicate-id error
    import sqlite3
    with sqlite3.connect(out) as db:
        ids = sorted(r[0] for r in db.execute("select id from articles"))
    assert ids == ["x", f"x@{tmp_path / 'b' / 'x.txt'}"]


def test_rule_file_error_survives_pickling() -> None:
    import pickle

    from pipeline.errors import RuleFileError, RuleProblem
    err = RuleFileError([RuleProblem("titles.yaml", 18, "heads.11.level", "bad level")])
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems and str(again) == str(err)
