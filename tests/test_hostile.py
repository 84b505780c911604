"""Hostile input end to end: encodings, traditional script, HTML, huge and broken files.

The mixed folder is built at run time from the project's own synthetic
corpus (corpus/*.txt); nothing comes from ../shared.
"""
from __future__ import annotations

import json
import re
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import opencc
import pytest
from spacy.language import Language

import pipeline
from pipeline import api
from pipeline.errors import RuleFileError
from pipeline.io import SourceArticle, iter_inputs
from pipeline.io.paths import UnsafePathError, safe_name, safe_output_path
from pipeline.longtext import Deadline, split_windows
from pipeline.records import Article
from pipeline.rulefiles import parse_yaml
from pipeline.textprep import ChromeRules, prepare_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
S2T, T2S = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def corpus_text(stem: str) -> str:
    return (CORPUS / f"{stem}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def nlp() -> Language:
    return pipeline.load()


def facts(article: Article, convert=lambda s: s) -> tuple[set, set, set]:
    """The facts of a record, without offsets (variants may move them)."""
    c = lambda s: convert(s) if s else s  # noqa: E731
    return (
        {(c(o.name), c(o.title), c(o.place)) for o in article.officials},
        {(c(x.place), x.value, x.unit) for x in article.counts},
        {(c(x.place), x.value_yuan) for x in article.amounts},
    )


def as_html(text: str) -> str:
    body = "".join(f"<p>{line.replace('&', '&amp;').replace('<', '&lt;')}</p>\n" for line in text.splitlines())
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>页面</title>"
            f"<script>var x = '<p>不要</p>';</script><style>p{{margin:0}}</style></head><body>"
            f"<nav><a href='/'>首页</a> &gt; 新闻</nav><article>{body}</article>"
            f"<footer>页脚专用文字</footer></body></html>")


# ---------------------------------------------------------------- the mixed folder

VARIANTS = {
    # file name: (corpus stem, bytes maker, how record strings compare to the clean original)
    "v_gbk.txt": ("syn_02_yunxi_work_report", lambda t: t.encode("gbk"), None),
    "v_gb18030.txt": ("syn_10_bailuwan_relocation", lambda t: t.encode("gb18030"), None),
    "v_utf16.txt": ("syn_03_shiao_village_profile", lambda t: t.encode("utf-16"), None),
    "v_utf16le_nobom.txt": ("syn_11_chalong_web_leftovers", lambda t: t.encode("utf-16-le"), None),
    "v_bom_crlf.txt": ("syn_04_quankou_brief", lambda t: t.replace("\n", "\r\n").encode("utf-8-sig"), None),
    "v_traditional.txt": ("syn_06_cangyan_county_funds", lambda t: S2T.convert(t).encode("utf-8"), "t2s"),
    "v_big5.txt": ("syn_07_zhuling_cooperative", lambda t: S2T.convert(t).encode("big5", "replace"), "t2s"),
    "v_page.html": ("syn_01_yunxi_roundup", lambda t: as_html(t).encode("utf-8"), None),
    "v_fullwidth.txt": ("syn_09_zhetang_district_survey", lambda t: t.translate(FULL_WIDTH).encode("utf-8"), None),
}
BROKEN = {"x_empty.txt": b"", "x_blank.txt": " \r\n\t\u3000\r\n".encode("utf-8"),
          "x_binary.txt": bytes(range(256)) * 8}


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    for name, (stem, encode, _) in VARIANTS.items():
        (folder / name).write_bytes(encode(corpus_text(stem)))
    for name, data in BROKEN.items():
        (folder / name).write_bytes(data)
    long_body = "\n".join(prepare_text(corpus_text(s)).text for s in ("syn_01_yunxi_roundup", "syn_12_zaolin_surname_refs"))
    (folder / "y_long.txt").write_text((long_body + "\n") * 40, encoding="utf-8")  # ~120k chars: windows
    lines = [json.dumps({"id": "j1", "text": corpus_text("syn_08_lishan_jobs")}, ensure_ascii=False),
             '{"id": "j2", "text": "没有结尾',
             json.dumps({"id": "j3", "text": 12}),
             json.dumps({"id": "j4", "text": corpus_text("syn_05_commentary_no_facts")}, ensure_ascii=False)]
    (folder / "z_corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_mixed_folder_one_record_per_article_and_same_facts_as_the_clean_originals(
        nlp: Language, mixed_folder: Path) -> None:
    records = list(api.process(nlp, iter_inputs([mixed_folder])))
    by_id = {r.id: r for r in records}
    expected_ids = {Path(n).stem for n in [*VARIANTS, *BROKEN]} | {"y_long", "j1", "z_corpus:2", "j3", "j4"}
    assert len(records) == len(expected_ids) == len(by_id)  # exactly one record per article, no duplicates
    assert set(by_id) == expected_ids

    for name, reason in [("x_empty", "empty file"), ("x_blank", "empty file"), ("x_binary", "binary file")]:
        assert not by_id[name].ok and by_id[name].errors[0].reason == reason
    broken = by_id["z_corpus:2"]
    assert not broken.ok and broken.errors[0].reason == "not valid JSON"
    assert broken.errors[0].origin == f"{mixed_folder / 'z_corpus.jsonl'}:2"
    assert by_id["j3"].errors[0].reason == 'bad "text"' and by_id["j3"].errors[0].origin.endswith(":3")
    assert by_id["j1"].ok and by_id["j4"].ok and by_id["y_long"].ok

    for name, (stem, _, convert) in VARIANTS.items():
        variant = by_id[Path(name).stem]
        clean = api.extract(corpus_text(stem), nlp=nlp)
        assert variant.ok, (name, variant.errors)
        got = facts(variant, T2S.convert if convert else (lambda s: s))
        assert got == facts(clean), name
        assert sum(map(len, got)) > 0 or stem.startswith("syn_05"), name


def test_variants_keep_offsets_into_their_own_text(nlp: Language, mixed_folder: Path) -> None:
    for item in iter_inputs([mixed_folder]):
        if not isinstance(item, SourceArticle) or item.id.startswith("y_"):
            continue
        record = next(api.process(nlp, [item]))
        for o in record.officials:
            assert o.name in item.text[o.evidence.start:o.evidence.end], item.id
        for c in record.counts:
            assert item.text[c.evidence.start:c.evidence.end], item.id
        if item.id == "v_page":
            assert record.text == item.text  # the extracted text the offsets refer to
            assert "页脚专用文字" not in record.text and "不要" not in record.text and "margin" not in record.text
        else:
            assert record.text is None


def test_traditional_records_keep_the_source_script(nlp: Language) -> None:
    text = S2T.convert(corpus_text("syn_01_yunxi_roundup"))
    record = api.extract(text, nlp=nlp)
    assert record.officials and record.counts
    assert record.title == text.splitlines()[1]  # 雲溪縣：三鎮聯動 …
    for o in record.officials:
        assert o.name in text and o.title in text and (o.place is None or o.place in text)
        assert o.evidence.sentence in text
    assert {o.title for o in record.officials} & {"鎮委書記", "鎮長", "鄉黨委書記"}
    assert any(p.name == "雲溪縣" for p in record.places)
    for c in record.counts:
        assert c.place is None or c.place in text
        assert c.subject in text or c.subject.isdigit()
        assert text[c.evidence.start:c.evidence.end]
    simplified = api.extract(corpus_text("syn_01_yunxi_roundup"), nlp=nlp)
    assert facts(record, T2S.convert) == facts(simplified)
    # same offsets: the simplified view is one character for one
    assert sorted(o.evidence.start for o in record.officials) == sorted(o.evidence.start for o in simplified.officials)


def test_simplified_view_is_one_for_one_and_skips_simplified_text() -> None:
    from pipeline.simplified import to_simplified

    simplified = corpus_text("syn_03_shiao_village_profile")
    assert to_simplified(simplified) is simplified or to_simplified(simplified) == simplified
    traditional = S2T.convert(simplified)
    view = to_simplified(traditional)
    assert len(view) == len(traditional)
    prepared = prepare_text(traditional)
    assert prepared.converted and not prepare_text(simplified).converted
    assert prepared.written(0, len(prepared.text)) == prepare_text(traditional).written(0, len(prepared.text))
    assert "村" in prepared.text and T2S.convert(prepared.written(0, len(prepared.text))) == prepared.text


# ---------------------------------------------------------------- size and time


def test_split_windows_cover_the_text_and_cut_at_line_or_sentence_ends() -> None:
    text = ("第一句。第二句！" * 300 + "\n") * 20 + "无标点" * 3000 + "\r\n尾"
    windows = list(split_windows(text, 1000))
    assert windows[0][0] == 0 and windows[-1][1] == len(text)
    assert all(a == b for (_, a), (b, _) in zip(windows, windows[1:]))
    assert all(0 < e - s <= 1000 for s, e in windows)
    ends = [text[e - 1] for _, e in windows[:-1]]
    assert all(c in "\n。！" or text[e - 1:e + 1] != "\r\n" for c, (_, e) in zip(ends, windows))
    assert sum(c in "\n。！" for c in ends) >= len(ends) - 10  # only the punctuation-free run is cut hard


def test_a_section_that_runs_over_a_window_boundary_keeps_its_place() -> None:
    filler = "今年以来，各项工作稳步推进，干部群众干劲十足，产业发展势头良好。\n" * 40  # ~1,300 chars
    text = ("青岚县乡村振兴工作进展通报\n"
            "（一）石门镇：产业带动稳步增收\n" + filler +
            "全镇共有监测户126户，今年发放产业奖补资金35万元。\n"
            "（二）桐溪镇：就业帮扶成效明显\n" + filler +
            "全镇组织外出务工1280人。\n")
    rules_only = {"nlp.pipeline": ["entities", "numbers", "scope", "relations"]}
    whole = api.extract(text, nlp=pipeline.load(overrides=rules_only))
    windowed_nlp = pipeline.load(overrides={**rules_only, "limits.window_chars": 1000})
    windowed = api.extract(text, nlp=windowed_nlp)
    assert ("石门镇", 126, "户") in facts(whole)[1] and ("桐溪镇", 1280, "人") in facts(whole)[1]
    assert facts(windowed) == facts(whole)
    for c in windowed.counts + windowed.amounts:  # offsets point into the whole text
        assert text[c.evidence.start:c.evidence.end] and c.evidence.start > 1000
    assert {p.name: p.mentions for p in windowed.places} == {p.name: p.mentions for p in whole.places}


def test_long_article_is_processed_in_windows_with_offsets_into_the_whole_text(nlp: Language) -> None:
    body = prepare_text(corpus_text("syn_09_zhetang_district_survey")).text
    text = (body + "\n") * 60  # ~100k characters, over spaCy-safe sizes for one Doc here
    t0 = time.perf_counter()
    record = api.extract(text, nlp=nlp)
    assert time.perf_counter() - t0 < 60
    single = api.extract(body, nlp=nlp)
    assert record.ok and facts(record) == facts(single)  # repeats are deduplicated like in one Doc
    for o in record.officials:
        assert o.name in text[o.evidence.start:o.evidence.end]
    for c in record.amounts:
        assert text[c.evidence.start:c.evidence.end]


def _slow_component(seconds: float):
    name = f"sleeper_{str(seconds).replace('.', '_')}"
    if name not in Language.factories:
        @Language.component(name)
        def sleeper(doc):
            if "慢慢来" in doc.text:
                time.sleep(seconds)
            return doc
    return name


@pytest.fixture(scope="module")
def slow_nlp() -> Language:
    nlp = pipeline.load(overrides={"nlp.pipeline": ["entities", "numbers", "scope", "relations"]})
    nlp.add_pipe(_slow_component(3.0), first=True)
    return nlp


def test_time_limit_turns_a_slow_article_into_an_error_record_and_the_run_goes_on(slow_nlp: Language) -> None:
    items = [SourceArticle("a", corpus_text("syn_04_quankou_brief"), "a.txt"),
             SourceArticle("slow", "慢慢来。" + corpus_text("syn_04_quankou_brief"), "slow.txt"),
             SourceArticle("c", corpus_text("syn_08_lishan_jobs"), "c.txt")]
    t0 = time.perf_counter()
    records = list(api.process(slow_nlp, items, time_limit=0.5))
    assert time.perf_counter() - t0 < 2.8  # the 3 s sleeper was interrupted
    assert [r.id for r in records] == ["a", "slow", "c"]
    assert records[0].ok and records[2].ok and records[2].counts
    assert not records[1].ok and records[1].errors[0].stage == "time"
    assert "time limit" in records[1].errors[0].reason and "--time-limit" in records[1].errors[0].hint


def test_time_limit_outside_the_main_thread_is_checked_between_components(slow_nlp: Language) -> None:
    out: list[Article] = []
    items = [SourceArticle("slow", "慢慢来。青石镇有贫困户12户。", "slow.txt")]
    worker = threading.Thread(target=lambda: out.extend(api.process(slow_nlp, items, time_limit=0.5)))
    worker.start()
    worker.join(30)
    assert len(out) == 1 and out[0].errors[0].stage == "time"


def test_deadline_restores_an_outer_timer() -> None:
    import signal

    signal.setitimer(signal.ITIMER_REAL, 50)
    try:
        with Deadline(1):
            pass
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 45 < remaining <= 50
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def test_no_time_limit_with_zero(slow_nlp: Language) -> None:
    with Deadline(0) as dl:
        dl.check()
    assert Deadline(None).seconds is None


@pytest.mark.slow
def test_ten_megabyte_article_in_bounded_memory(tmp_path: Path) -> None:
    body = "\n".join(prepare_text(p.read_text(encoding="utf-8")).text for p in sorted(CORPUS.glob("*.txt")))
    data = ((body + "\n") * (10_000_000 // len(body.encode()) + 1)).encode("utf-8")[:10_000_000]
    data = data[: data.rfind(b"\n") + 1]
    (tmp_path / "big.txt").write_bytes(data)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", str(tmp_path / "big.txt"), "-o",
                           str(tmp_path / "out.jsonl"), "-q"], capture_output=True, text=True, timeout=1200)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert done.returncode == 0, done.stderr[-2000:]
    [line] = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    record = Article.model_validate_json(line)
    assert record.ok and record.officials and record.counts and record.amounts
    print(f"10 MB article: {len(data):,} bytes, {seconds:.1f} s, peak RSS {peak_mb:.0f} MB "
          f"(before: {before / 1024:.0f} MB)")
    assert peak_mb <= 2048


# ---------------------------------------------------------------- config and security


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_config_errors_name_file_key_and_line_exit_2_without_traceback(tmp_path: Path) -> None:
    cfg = (ROOT / "configs" / "pipeline.cfg").read_text(encoding="utf-8")
    bad = tmp_path / "bad.cfg"
    bad.write_text(cfg.replace("use_title = true", "use_title = true\nbogus_key = 3"), encoding="utf-8")
    line = bad.read_text(encoding="utf-8").splitlines().index("bogus_key = 3") + 1
    article = tmp_path / "a.txt"
    article.write_text("青石镇有贫困户12户。", encoding="utf-8")
    cases = [
        (["-c", str(bad)], [f"{bad}:{line}", "bogus_key"]),
        (["--set", "components.scope.use_title=maybe"], ["--set components.scope.use_title", "use_title"]),
        (["--set", "limits.time_limit=-1"], ["limits.time_limit", "time_limit"]),
        (["--set", "nlp.tokenizer.chrome_rules=" + str(tmp_path / "chrome.yaml")], [f"{tmp_path / 'chrome.yaml'}:2"]),
    ]
    (tmp_path / "chrome.yaml").write_text("version: 1\nnormalise: {ranges: 5}\n", encoding="utf-8")
    for extra, needles in cases:
        done = _cli("run", str(article), "-o", str(tmp_path / "o.jsonl"), "-q", *extra)
        assert done.returncode == 2, (extra, done.stderr)
        assert "Traceback" not in done.stderr and done.stderr.startswith("error: ")
        for needle in needles:
            assert needle in done.stderr, (extra, done.stderr)


def test_rule_files_are_loaded_safely(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    hostile = f'version: 1\nx: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(RuleFileError, match=r":2.*not valid YAML"):
        parse_yaml(hostile, ChromeRules, path=tmp_path / "chrome.yaml")
    assert not marker.exists()


def test_config_values_are_not_evaluated(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    cfg = (ROOT / "configs" / "pipeline.cfg").read_text(encoding="utf-8")
    evil = tmp_path / "evil.cfg"
    evil.write_text(cfg.replace('rules_dir = null\nuse_title',
                                f'rules_dir = __import__("os").system("touch {marker}")\nuse_title'),
                    encoding="utf-8")
    done = _cli("run", str(CORPUS / "syn_04_quankou_brief.txt"), "-o", str(tmp_path / "o.jsonl"), "-q",
                "-c", str(evil))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert not marker.exists()


@pytest.mark.parametrize("article_id", ["../../etc/passwd", "/etc/passwd", "..", ".", "a/../../b", "C:\\x",
                                        "a\x00b", "x" * 5000, "\ud800", "CON", ""])
def test_output_paths_never_leave_the_output_directory(tmp_path: Path, article_id: str) -> None:
    path = safe_output_path(tmp_path, article_id, ".html")
    assert path.parent == tmp_path.resolve() and path.name.endswith(".html")
    assert len(path.name) < 200
    path.write_text("ok", encoding="utf-8")  # a real, writable file name


def test_safe_names_are_stable_and_distinct() -> None:
    assert safe_name("syn-01") == "syn-01" and safe_name("新闻:1") == safe_name("新闻:1")
    ids = ["a/b", "a_b", "a:b", "a\\b", "../a_b"]
    assert len({safe_name(i) for i in ids}) == len(ids)
    with pytest.raises(UnsafePathError):
        safe_output_path("/tmp", "x", "/../../etc")


def test_no_network_connection_at_run_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled by the test")

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    page = tmp_path / "page.html"
    page.write_text(as_html(corpus_text("syn_01_yunxi_roundup")), encoding="utf-8")
    (tmp_path / "trad.txt").write_bytes(S2T.convert(corpus_text("syn_07_zhuling_cooperative")).encode("big5", "replace"))
    nlp = pipeline.load()  # loading (models, word lists) is offline too
    records = list(api.process(nlp, iter_inputs([CORPUS, tmp_path])))
    assert len(records) == 12 + 2 and all(r.ok for r in records)
    assert attempts == []


def test_record_json_round_trips_for_hostile_text(nlp: Language) -> None:
    text = "青石镇\ud800有贫困户12户\x00，\u202e资金５０万元。" + "（" * 500 + "9" * 2000 + "）" * 500
    [record] = api.process(nlp, [SourceArticle("h", text, "h.txt")])
    assert Article.model_validate_json(record.model_dump_json()) == record
    assert not re.search("[\ud800-\udfff]", record.model_dump_json())
