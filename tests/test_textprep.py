"""Tests for pipeline/textprep.py: offsets, normalisation, chrome, metadata.

All article texts are invented (names, places and outlets are made up).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import RuleFileError
from pipeline.simplified import to_simplified
from pipeline.textprep import (
    DEFAULT_CHROME_PATH,
    ChromeRules,
    OffsetMap,
    load_chrome_rules,
    prepare_text,
)

HERE = Path(__file__).parent
RULES = load_chrome_rules()
NORMALISED = {chr(k): v for k, v in RULES.compiled.table.items()}

BODY = "今年以来，青石镇新建便民服务站12个，惠及群众3500余户，累计投入资金860万元，群众满意度明显提升。"


# ---------------------------------------------------------------- OffsetMap


@st.composite
def segment_lists(draw: st.DrawFn) -> tuple[list[tuple[int, int, int]], int]:
    lengths = draw(st.lists(st.integers(1, 6), max_size=8))
    gaps = draw(st.lists(st.integers(0, 4), min_size=len(lengths), max_size=len(lengths)))
    segments, clean, orig = [], 0, 0
    for length, gap in zip(lengths, gaps, strict=True):
        orig += gap
        segments.append((clean, orig, length))
        clean, orig = clean + length, orig + length
    return segments, orig + draw(st.integers(0, 3))


@given(segment_lists())
def test_offsetmap_matches_per_character_table(case: tuple[list[tuple[int, int, int]], int]) -> None:
    segments, original_length = case
    table = [orig + i for _, orig, length in segments for i in range(length)]
    offsets = OffsetMap(segments, clean_length=len(table), original_length=original_length)
    for start in range(len(table) + 1):
        for end in range(start, len(table) + 1):
            got = offsets.to_original(start, end)
            if start < end:
                assert got == (table[start], table[end - 1] + 1)
            else:
                assert got[0] == got[1]


def test_offsetmap_rejects_spans_outside_the_text() -> None:
    offsets = OffsetMap.identity(3)
    with pytest.raises(ValueError, match="outside the cleaned text of length 3"):
        offsets.to_original(2, 4)
    with pytest.raises(ValueError):
        offsets.to_original(2, 1)


def test_offsetmap_rejects_segments_with_holes() -> None:
    with pytest.raises(ValueError, match="tile"):
        OffsetMap([(0, 0, 2), (3, 5, 1)], clean_length=4, original_length=9)


# ---------------------------------------------------------------- prepare_text offsets (property)

_CONTENT_CHARS = "某镇村区户元万人新建服务站资金群众今年以来青石溪河，、ab012ＡＢｚ０１９％．\u3000\u00a0 "
_CHROME_LINES = [
    "分享到：微信 微博",
    "点击率:0",
    "评论(3)",
    "阅读 1234",
    "图片",
    "|",
    "上一篇：青石镇召开会议",
    "网站首页 >",
    "当前位置：首页 > 新闻中心 > 乡镇动态",
    "责任编辑：王小明",
    "微 信 扫 一 扫",
    "　　点击支持一下",
    "【字体：大 中 小】【打印本页】",
]


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """A page: content lines (each ends in 。), chrome lines, blank lines."""
    kinds = draw(st.lists(st.sampled_from(["content", "chrome", "blank"]), min_size=1, max_size=12))
    lines, content, chrome = [], [], []
    for kind in kinds:
        if kind == "content":
            line = draw(st.text(_CONTENT_CHARS, min_size=1, max_size=30)) + "。"
            content.append(line)
        elif kind == "chrome":
            line = draw(st.sampled_from(_CHROME_LINES))
            chrome.append(line)
        else:
            line = draw(st.sampled_from(["", " ", "\u3000"]))
        lines.append(line)
    breaks = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines)))
    raw = "".join(line + brk for line, brk in zip(lines, breaks, strict=True))
    if draw(st.booleans()):
        raw = raw[: -len(breaks[-1])]
    return raw, content, chrome


def _normalise(text: str) -> str:
    return "".join(NORMALISED.get(c, c) for c in text)


@settings(max_examples=300, deadline=None)
@given(pages(), st.data())
def test_prepare_text_offsets_point_at_the_source_characters(
    page: tuple[str, list[str], list[str]], data: st.DataObject
) -> None:
    raw, content, chrome = page
    prepared = prepare_text(raw)
    text, offsets = prepared.text, prepared.offsets
    positions = [offsets.to_original(i, i + 1)[0] for i in range(len(text))]
    assert positions == sorted(set(positions)), "positions must be strictly increasing"
    for i, pos in enumerate(positions):
        assert offsets.to_original(i, i + 1) == (pos, pos + 1)
        source = raw[pos]
        assert text[i] == source or text[i] == NORMALISED.get(source) or (source == "\r" and text[i] == "\n")
    # spans without normalised characters and without removed text inside: exact slices
    if text:
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        a, b = offsets.to_original(start, end)
        assert (a, b) == (positions[start], positions[end - 1] + 1)
        untouched = all(text[k] == raw[positions[k]] for k in range(start, end))
        if untouched and b - a == end - start:
            assert raw[a:b] == text[start:end]
    # what stays: every content line (normalised), no chrome line
    kept = [line for line in text.split("\n") if line.strip()]
    assert kept == [_normalise(line) for line in content]
    assert "\r" not in text


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=0, max_size=80))
def test_prepare_text_any_text_maps_each_character_to_its_source(raw: str) -> None:
    prepared = prepare_text(raw)
    for i, char in enumerate(prepared.text):
        a, b = prepared.offsets.to_original(i, i + 1)
        assert b == a + 1
        source = raw[a]
        written = prepared.written(i, i + 1)  # the stages see a simplified view of traditional text
        assert written in (source, NORMALISED.get(source), "\n" if source == "\r" else None, "\ufffd")
        assert char == to_simplified(written)


def test_prepare_text_empty_span_at_end() -> None:
    prepared = prepare_text("青石镇。\r\n")
    assert prepared.text == "青石镇。\n"
    assert prepared.offsets.to_original(5, 5) == (6, 6)
    assert prepared.offsets.to_original(4, 5) == (5, 6)  # the LF of the CRLF


# ---------------------------------------------------------------- normalisation


def test_prepare_text_normalises_full_width_ascii_but_keeps_chinese_punctuation() -> None:
    raw = "　　２０２３年，ＡＢＣ合作社增收１５％，人均３．５万元：好！\u00a0"
    prepared = prepare_text(raw)
    assert prepared.text == "  2023年，ABC合作社增收15%，人均3.5万元：好！ "
    assert len(prepared.text) == len(raw)
    assert prepared.offsets.segments == ((0, 0, len(raw)),)


def test_prepare_text_crlf_and_cr_become_lf() -> None:
    raw = "第一行。\r\n第二行。\r第三行。\n第四行。"
    prepared = prepare_text(raw)
    assert prepared.text == "第一行。\n第二行。\n第三行。\n第四行。"
    start = prepared.text.index("第三行")
    a, b = prepared.offsets.to_original(start, start + 3)
    assert raw[a:b] == "第三行"


# ---------------------------------------------------------------- chrome

CHROME_CASES = [
    pytest.param("网站首页 >", "breadcrumb.home", id="breadcrumb-home"),
    pytest.param("当前位置：首页 > 政务公开 > 镇村动态", "breadcrumb.position", id="breadcrumb-position"),
    pytest.param("微 信 扫 一 扫", "share.wechat_scan", id="wechat-scan"),
    pytest.param("扫码关注“青石发布”", "share.scan_follow", id="scan-follow"),
    pytest.param("分享到:", "share.share_to", id="share-to"),
    pytest.param("点击支持一下", "share.support", id="support"),
    pytest.param("点击率:0", "counter.views", id="clicks"),
    pytest.param("评论(3)", "counter.comments", id="comments"),
    pytest.param("阅读 1234", "counter.views", id="reads"),
    pytest.param("责任编辑：王小明", "editor.line", id="editor"),
    pytest.param("【编辑：李晓】", "editor.line", id="editor-bracketed"),
    pytest.param("转载请注明出处", "footer.reprint", id="reprint"),
    pytest.param("上一篇：青石镇开展植树活动", "nav.prev_next", id="prev"),
    pytest.param("下一篇：溪口村召开村民大会", "nav.prev_next", id="next"),
    pytest.param("图片", "placeholder.image", id="image"),
    pytest.param("|", "placeholder.pipe", id="pipe"),
    pytest.param("【字体：大 中 小】【打印本页】【关闭窗口】", "nav.font_print", id="font"),
    pytest.param("发布日期：2020-04-07 字号：[大 中 小]", "nav.font_print", id="published-and-font"),
    pytest.param("发布日期：2020-04-07 浏览次数：35", "meta.published_line", id="published-line"),
    pytest.param("来源：青石镇人民政府", "meta.source_line", id="source-line"),
    pytest.param("2019-09-12 来源：溪口日报", "meta", id="date-source"),
    pytest.param("记者 王小明 通讯员 李晓", "meta", id="credits"),
]


@pytest.mark.parametrize(("line", "rule"), CHROME_CASES)
def test_prepare_text_drops_chrome_line(line: str, rule: str) -> None:
    raw = f"青石镇便民服务站投入使用\n{line}\n{BODY}"
    prepared = prepare_text(raw)
    assert prepared.text == f"青石镇便民服务站投入使用\n{BODY}"
    assert [r.rule for r in prepared.removed] == [rule]
    removed = prepared.removed[0]
    assert raw[removed.start : removed.end] == line


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("记者了解到，今年以来青石镇新建便民服务站12个。", id="body-mentions-reporter"),
        pytest.param("青石镇党委书记王小明表示，将持续推进版权所有制改革试点工作，" * 8, id="long-body-line"),
        pytest.param("图片展示了溪口村的新面貌。", id="image-in-sentence"),
        pytest.param("活动时间：2020年3月5日 地点：溪口村文化礼堂", id="event-notice"),
    ],
)
def test_prepare_text_keeps_body_line(line: str) -> None:
    raw = f"标题\n{BODY}\n{line}\n{BODY}"
    assert line in prepare_text(raw).text


FOOTER_MARKERS = ["版权所有：青石镇人民政府", "相关文章", "相關文章", "版权与免责声明", "Copyright © 2021 青石镇"]


@pytest.mark.parametrize("marker", FOOTER_MARKERS)
def test_prepare_text_footer_marker_cuts_everything_after(marker: str) -> None:
    raw = f"{BODY}\n{marker}\n2019-02-26 溪口村召开大会\n联系电话：0000-1234567\n"
    prepared = prepare_text(raw)
    assert prepared.text == f"{BODY}\n"
    assert prepared.meta.published is None  # dates of related articles are not read
    assert {r.rule for r in prepared.removed} == {f"cut:{prepared.removed[0].rule[4:]}"}


def test_prepare_text_footer_marker_before_the_body_only_drops_its_line() -> None:
    raw = f"版权所有\n{BODY}"
    prepared = prepare_text(raw)
    assert prepared.text == BODY
    assert prepared.removed[0].rule == "footer.copyright"


def test_prepare_text_collapses_blank_lines_left_by_chrome() -> None:
    raw = f"\n\n标题\n\n分享到：\n\n{BODY}\n\n\n{BODY}"
    assert prepare_text(raw).text == f"标题\n\n{BODY}\n\n{BODY}"


# ---------------------------------------------------------------- metadata

META_CASES = [
    pytest.param("发布日期:2020-04-07", {"published": "2020-04-07"}, id="published-date"),
    pytest.param("发布时间:2023-10-09 16:32", {"published": "2023-10-09"}, id="published-time"),
    pytest.param("2019-09-12 来源:溪口日报", {"published": "2019-09-12", "source": "溪口日报"}, id="date-source"),
    pytest.param("溪口日报 2019-02-26 01:01", {"published": "2019-02-26"}, id="paper-date"),
    pytest.param("2019/5/20 14:47:16", {"published": "2019-05-20"}, id="slashes"),
    pytest.param("2019年5月20日", {"published": "2019-05-20"}, id="chinese-date"),
    pytest.param("２０１９年５月２０日", {"published": "2019-05-20"}, id="full-width-date"),
    pytest.param("2019-02-30", {"published": None}, id="impossible-date"),
    pytest.param("记者 张三", {"reporters": ("张三",)}, id="reporter"),
    pytest.param("(记者李四)", {"reporters": ("李四",)}, id="reporter-parenthesised"),
    pytest.param("溪口日报记者 王五 通讯员 赵六 钱七", {"reporters": ("王五", "赵六", "钱七")}, id="paper-credits"),
    pytest.param("新华社记者孙八、周九", {"reporters": ("孙八", "周九")}, id="agency-no-space"),
    pytest.param(
        "本台讯 (青石全媒体记者 吴一 青石台 郑二) 近日，青石镇召开会议。",
        {"reporters": ("吴一", "郑二")},
        id="station-credit-in-body",
    ),
    pytest.param("文/图 欧阳晓", {"reporters": ("欧阳晓",)}, id="text-and-photo"),
    pytest.param("记者李四报道", {"reporters": ("李四",)}, id="name-then-reported"),
    pytest.param("记者 王小文 摄", {"reporters": ("王小文",)}, id="name-ending-in-wen"),
    pytest.param("责任编辑：王小明", {"reporters": ("王小明",)}, id="editor"),
    pytest.param("记者了解到，今年以来全镇新增就业岗位。", {"reporters": ()}, id="reporter-in-body"),
    pytest.param("（据记者了解）", {"reporters": ()}, id="according-to-reporter"),
    pytest.param("信息来源：青石镇人民政府  发布时间：2022-09-30 11:47:02  浏览次数：1,536",
                 {"source": "青石镇人民政府", "published": "2022-09-30"}, id="gov-site-meta"),
    pytest.param("当前位置：首页 > 政务公开 > 青石镇 > 工作动态",
                 {"breadcrumb": ("政务公开", "青石镇", "工作动态")}, id="breadcrumb"),
    pytest.param("网站首页 >\n新闻中心 >\n青石区", {"breadcrumb": ("新闻中心", "青石区")}, id="breadcrumb-over-lines"),
]


@pytest.mark.parametrize(("header", "expected"), META_CASES)
def test_prepare_text_reads_metadata(header: str, expected: dict[str, object]) -> None:
    meta = prepare_text(f"{header}\n{BODY}").meta
    for name, value in expected.items():
        assert getattr(meta, name) == value, name


def test_prepare_text_first_date_in_page_order_wins() -> None:
    meta = prepare_text(f"2019-01-01 来源：溪口日报\n{BODY}\n时间：2020-03-04\n{BODY}").meta
    assert meta.published == "2019-01-01"


def test_prepare_text_body_dates_are_not_the_publication_date() -> None:
    assert prepare_text(f"2019年5月20日，{BODY}").meta.published is None


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        pytest.param(f"当前位置：首页 > 新闻\n青石镇：便民服务站建成投用\n发布时间：2021-05-12\n{BODY}",
                     "青石镇：便民服务站建成投用", id="after-chrome"),
        pytest.param(f"{BODY}\n短句", None, id="body-first"),
        pytest.param(f"青石镇召开会议。\n{BODY}", None, id="sentence"),
        pytest.param("分享到：\n|", None, id="only-chrome"),
    ],
)
def test_prepare_text_title(raw: str, title: str | None) -> None:
    prepared = prepare_text(raw)
    assert prepared.meta.title == title
    if title:
        assert title in prepared.text  # the title stays in the text


def test_prepare_text_sample_page() -> None:
    raw = (
        "网站首页 > 乡镇动态 > 青石镇\r\n"
        "青石镇：便民服务站建成投用\r\n"
        "发布时间：２０２１－０５－１２ 09:18  来源：青石融媒  点击率:35\r\n"
        "青石日报记者 王小明 通讯员 李晓\r\n"
        f"　　{BODY}\r\n"
        "微 信 扫 一 扫\r\n"
        "责任编辑：赵一\r\n"
        "版权所有：青石镇人民政府 指导单位：某办 建设单位：某中心\r\n"
        "下一篇：溪口村召开大会\r\n"
    )
    prepared = prepare_text(raw)
    assert prepared.text == f"青石镇：便民服务站建成投用\n  {BODY}\n"
    meta = prepared.meta
    assert meta.title == "青石镇：便民服务站建成投用"
    assert meta.published == "2021-05-12"
    assert meta.source == "青石融媒"
    assert meta.reporters == ("王小明", "李晓", "赵一")
    assert meta.breadcrumb == ("乡镇动态", "青石镇")
    start = prepared.text.index("青石镇新建")
    a, b = prepared.offsets.to_original(start, start + 5)
    assert raw[a:b] == "青石镇新建"


# ---------------------------------------------------------------- rule file


def test_load_chrome_rules_default_path() -> None:
    assert HERE.parent / "configs" / "rules" / "chrome.yaml" == DEFAULT_CHROME_PATH
    assert DEFAULT_CHROME_PATH.is_file()
    assert isinstance(load_chrome_rules(DEFAULT_CHROME_PATH), ChromeRules)


def _broken_rules(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    text = DEFAULT_CHROME_PATH.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / "chrome.yaml"
    path.write_text(text, encoding="utf-8")
    line = text[: text.index(new)].count("\n") + 1
    return path, line


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "pattern: '点击支持一下'", "pattern: '点击支持(一下'", "not a valid regular expression", id="bad-regex"
        ),
        pytest.param("pattern: '点击支持一下'", "pattern: '点击(支持)一下'", "must not capture", id="capturing"),
        pytest.param("(?P<d>\\d{1,2})(?!\\d)", "(?P<day>\\d{1,2})(?!\\d)", "named group", id="date-groups"),
        pytest.param("id: share.support", "id: share.wechat_scan", "unique", id="duplicate-id"),
        pytest.param("{first: \"０\", last: \"９\", to: \"0\"}", "{first: \"０\", last: \"９\", to: \"00\"}",
                     "one character", id="char-range"),
    ],
)
def test_load_chrome_rules_reports_file_and_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    path, line = _broken_rules(tmp_path, old, new)
    with pytest.raises(RuleFileError) as info:
        load_chrome_rules(path)
    text = str(info.value)
    assert message in text
    found = re.search(re.escape(str(path)) + r":(\d+)", text)
    assert found is not None, text
    if message != "unique":  # a whole-file check points at the file's top
        assert line - 2 <= int(found.group(1)) <= line  # the entry or its field


def test_load_chrome_rules_rejects_unknown_key(tmp_path: Path) -> None:
    path, line = _broken_rules(tmp_path, "drop_meta_lines: true", "drop_meta_line: true")
    with pytest.raises(RuleFileError, match="drop_meta_line"):
        load_chrome_rules(path)


def test_prepare_text_with_custom_rules(tmp_path: Path) -> None:
    custom = "drop_line:\n  - {id: custom.ad, pattern: '^广告', max_chars: 20}\n"
    path, _ = _broken_rules(tmp_path, "drop_line:\n", custom)
    rules = load_chrome_rules(path)
    prepared = prepare_text(f"广告：青石特产\n{BODY}", rules=rules)
    assert prepared.text == BODY
    assert prepared.removed[0].rule == "custom.ad"


def test_the_tokenizer_gives_one_token_per_character_and_survives_a_memory_zone(nlp) -> None:
    """Token ids are remembered across articles, but not those a spaCy memory zone adds
    (the zone drops its strings when it ends)."""
    text = "㐀㐁乡有农户12户。\n\n新的一段"
    with nlp.memory_zone():
        inside = nlp.make_doc(text)
        assert [t.text for t in inside][:4] == ["㐀", "㐁", "乡", "有"]
    after = nlp.make_doc(text)  # the zone's strings are gone: they must be added again
    assert after.text == text
    assert [t.text for t in after][-6:] == ["。", "\n\n", "新", "的", "一", "段"]
    assert nlp.make_doc("㐂" + text).text == "㐂" + text


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\t", "\u3000", "\xa0", "\r", "村", "1", "。"]), max_size=40))
def test_char_tokens_are_characters_and_whitespace_runs(text: str) -> None:
    from pipeline.tokenizer import _char_tokens

    assert _char_tokens(text) == re.findall(r"\s+|\S", text)
