"""Review site (``pipeline show``): markup, pages, records mode, CLI.  No browser needed;
tests/test_review_browser.py renders the pages in headless Chromium."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import api
from pipeline.cli import app
from pipeline.records import Article, ErrorRecord
from pipeline.review import Span, build_page, build_site, content_security_policy, highlight
from pipeline.review.model import slug_for
from pipeline.review.site import PlaceSummary, PlaceTotals, bar_chart, metric_charts

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

KNOWN = "syn_01_yunxi_roundup"
VOID = {"meta", "input", "br", "img", "link", "hr"}


class _Tree(HTMLParser):
    """Checks tags are balanced and collects the text and the attributes of every element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Tree:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    assert not tree.stack, f"unclosed: {tree.stack}"
    return tree


# ------------------------------------------------------------------ markup


def test_highlight_nests_crossing_spans_and_keeps_the_text() -> None:
    text = "abcdefghij"
    spans = [Span(0, 6, ("outer",), {"data-id": "o"}), Span(2, 4, ("inner",), {"data-id": "i"}),
             Span(5, 9, ("cross",), {"data-id": "x"}), Span(3, 3, ("empty",)), Span(8, 20, ("outside",))]
    tree = parse(str(highlight(text, spans)))
    assert "".join(tree.text) == text
    ids = [attrs.get("data-id") for _, attrs in tree.elements]
    assert ids.count("o") == 1 and ids.count("i") == 1
    # the crossing span is cut where "outer" ends and reopened as a continuation piece
    pieces = [attrs for _, attrs in tree.elements if attrs.get("data-id") == "x"]
    assert len(pieces) == 2 and "cont" in (pieces[1]["class"] or "")
    assert not any("empty" in (a.get("class") or "") or "outside" in (a.get("class") or "") for _, a in tree.elements)


def test_highlight_escapes_text_and_attributes() -> None:
    text = '<script>alert("x")</script> & 月城镇'
    html = str(highlight(text, [Span(0, 8, ("ent",), {"title": '"><img src=x onerror=alert(1)>'})]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&#34;&gt;&lt;img" in html
    assert "".join(parse(html).text) == text


# ------------------------------------------------------------------ pages and site


@pytest.fixture(scope="module")
def corpus_site(nlp, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Article]]:
    out = tmp_path_factory.mktemp("site")
    report = build_site(nlp, [CORPUS], out)
    records = {a.id: a for a in api.run([CORPUS], nlp=nlp)}
    assert report.pages == len(records) == len(list(CORPUS.glob("*.txt")))
    return out, records


def _relations(html: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in parse(html).elements if tag == "li" and "rel " in (attrs.get("class") or "") + " "
            and attrs.get("data-kind") != "error"]


def test_article_page_lists_every_fact_of_the_record(corpus_site) -> None:
    out, records = corpus_site
    for article_id, article in records.items():
        html = (out / "articles" / f"{article_id}.html").read_text(encoding="utf-8")
        rels = _relations(html)
        assert [(r["data-name"], r["data-title"], r["data-place"]) for r in rels if r["data-kind"] == "official"] == \
            [(o.name, o.title, o.place or "") for o in article.officials]
        assert [(int(r["data-value"]), r["data-unit"], r["data-place"]) for r in rels if r["data-kind"] == "count"] == \
            [(c.value, c.unit, c.place or "") for c in article.counts]
        assert [float(r["data-value"]) for r in rels if r["data-kind"] == "amount"] == \
            [a.value_yuan for a in article.amounts]
        evidence = [o.evidence for o in article.officials] + [c.evidence for c in article.counts] + \
            [a.evidence for a in article.amounts]
        assert [(r["data-rule"], r["data-start"], r["data-end"]) for r in rels] == \
            [(e.rule, str(e.start), str(e.end)) for e in evidence]


ROLE_LABELS = {"person": "PERSON", "title": "TITLE", "place": "PLACE", "count": "COUNT", "money": "MONEY"}


def test_relation_nodes_point_at_mentions_of_their_type(corpus_site) -> None:
    out, records = corpus_site
    for article_id in records:
        tree = parse((out / "articles" / f"{article_id}.html").read_text(encoding="utf-8"))
        labels = {a["data-ent"]: a["data-label"] for t, a in tree.elements if t == "mark"}
        nodes = [a for t, a in tree.elements if t == "a" and a.get("data-role") in ROLE_LABELS]
        for node in nodes:
            assert node.get("data-ent-ref") in labels, (article_id, node)
            assert labels[node["data-ent-ref"]] == ROLE_LABELS[node["data-role"]], (article_id, node)


def test_article_page_highlights_mentions_at_original_offsets(corpus_site) -> None:
    out, _ = corpus_site
    text = (CORPUS / f"{KNOWN}.txt").read_text(encoding="utf-8")
    tree = parse((out / "articles" / f"{KNOWN}.html").read_text(encoding="utf-8"))
    marks: dict[str, list[dict]] = {}
    for tag, attrs in tree.elements:
        if tag == "mark":
            marks.setdefault(attrs["data-ent"], []).append(attrs)
    labels = {pieces[0]["data-label"] for pieces in marks.values()}
    assert {"PERSON", "TITLE", "PLACE", "COUNT", "MONEY"} <= labels
    for pieces in marks.values():
        start, end = int(pieces[0]["data-start"]), int(pieces[0]["data-end"])
        assert 0 <= start < end <= len(text)
    # 镇委书记 at its place in the original text (after the stripped breadcrumb and meta lines)
    title_at = text.index("镇委书记林振邦")
    assert any(p[0]["data-label"] == "TITLE" and int(p[0]["data-start"]) == title_at for p in marks.values())


def test_index_lists_articles_with_fact_and_error_counts(corpus_site) -> None:
    out, records = corpus_site
    tree = parse((out / "index.html").read_text(encoding="utf-8"))
    links = [a["href"] for tag, a in tree.elements if tag == "a" and "article-link" in (a.get("class") or "")]
    assert sorted(links) == sorted(f"articles/{i}.html" for i in records)
    assert all((out / link).is_file() for link in links)
    rows = {a["data-id"] for tag, a in tree.elements if tag == "tr" and a.get("data-id")}
    assert rows == set(records)
    assert any(tag == "svg" for tag, _ in tree.elements), "per-place chart missing"
    assert any(tag == "tr" and a.get("data-place") for tag, a in tree.elements)


def test_pages_make_no_external_requests(corpus_site) -> None:
    out, _ = corpus_site
    csp = content_security_policy()
    assert "default-src 'none'" in csp
    for page in [out / "index.html", *(out / "articles").glob("*.html")]:
        html = page.read_text(encoding="utf-8")
        assert f'content="{csp}"' in html.replace("&#39;", "'")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.I), page
        for tag, attrs in parse(html).elements:
            for name in ("src", "href", "action", "srcset", "data"):
                value = attrs.get(name)
                assert value is None or not re.match(r"[a-z][a-z0-9+.-]*:|//", value, re.I), (page, tag, value)
        assert "url(" not in html and "@import" not in html


def test_place_summary_sums_per_metric_never_other_or_per_capita() -> None:
    ev = {"rule": "r", "sentence": "s", "start": 0, "end": 1, "confidence": 0.9}
    a = Article.model_validate({"id": "a", "counts": [
        {"place": "月城镇", "value": 120, "unit": "户", "subject": "贫困户", "approx": False, "evidence": ev,
         "metric": "registered_poor"},
        {"place": "月城镇", "value": 68, "unit": "户", "subject": "", "approx": False, "evidence": ev,
         "metric": "lifted_out"},
        {"place": "月城镇", "value": 576, "unit": "人", "subject": "", "approx": False, "evidence": ev,
         "metric": "registered_poor"},
        {"place": "月城镇", "value": 40, "unit": "户", "subject": "", "approx": False, "evidence": ev},
        {"place": None, "value": 3, "unit": "人次", "subject": "", "approx": True, "evidence": ev,
         "metric": "employed_trained"}],
        "amounts": [{"place": "月城镇", "value_yuan": 3900000.0, "subject": "", "approx": False, "per_capita": False,
                     "evidence": ev, "metric": "investment_funds"},
                    {"place": "月城镇", "value_yuan": 1400.0, "subject": "", "approx": False, "per_capita": True,
                     "evidence": ev, "metric": "income_per_capita"}]})
    summary = PlaceSummary()
    summary.add(a)
    summary.add(a.model_copy(update={"id": "b"}))
    rows = {(r.place, r.metric): r for r in summary.rows()}
    poor, out = rows["月城镇", "registered_poor"], rows["月城镇", "lifted_out"]
    assert (poor.households, poor.people, out.households) == (240, 1152, 136)  # 120 and 68 never 188
    assert rows["月城镇", "investment_funds"].wan_yuan == 780.0  # money in 万元
    other, per_capita = rows["月城镇", "other"], rows["月城镇", "income_per_capita"]
    assert not other.summed and other.households == 0 and other.facts == 2
    assert not per_capita.summed and per_capita.wan_yuan == 0 and per_capita.facts == 2
    assert rows["(no place)", "employed_trained"].person_times == 6 and rows["(no place)", "employed_trained"].approx
    charts = metric_charts(summary.rows(), ["registered_poor", "lifted_out", "investment_funds"], {})
    assert [c.title for c in charts] == ["registered_poor (户)", "registered_poor (人)", "lifted_out (户)",
                                         "investment_funds (万元)", "employed_trained (人次)"]
    assert all(b.width >= 3 for c in charts for b in c.bars)


def test_small_bars_stay_visible() -> None:
    rows = [PlaceTotals("县", "population", households=500000), PlaceTotals("村", "population", households=12)]
    chart = bar_chart("population (户)", rows, "户")
    assert [b.label for b in chart.bars] == ["县", "村"] and chart.bars[1].width >= 3


def test_slugs_are_safe_and_unique() -> None:
    taken: set[str] = set()
    slugs = [slug_for(i, taken) for i in ("a1", "A1", "../../etc/passwd", "月城镇", "a/1", "a_1")]
    assert slugs[0] == "a1" and slugs[1] != "a1"
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", s) and not s.startswith(".") for s in slugs)
    assert len({s.lower() for s in slugs}) == len(slugs)


# ------------------------------------------------------------------ escaping, errors


HOSTILE = '<script>document.title="pwned"</script>月城镇委书记孙悦海表示，该镇有259户贫困户。<b onmouseover=alert(1)>x</b>\n'


def test_article_text_with_markup_is_shown_as_text(nlp, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    build_site(nlp, [src], tmp_path / "site")
    html = (tmp_path / "site" / "articles" / "hostile.html").read_text(encoding="utf-8")
    tree = parse(html)
    assert [t for t, _ in tree.elements].count("script") == 1  # only the page's own script
    assert not any(t == "b" for t, _ in tree.elements)
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in html
    assert HOSTILE.strip() in "".join(tree.text)  # shown, character for character, as text


def test_validation_failures_and_input_errors_are_on_the_page(nlp, tmp_path: Path) -> None:
    text = (CORPUS / f"{KNOWN}.txt").read_text(encoding="utf-8")
    doc = nlp(text)
    article = api.to_article(doc, id=KNOWN)
    bad = article.counts[0].model_dump()
    bad["value"] = -5
    err = ErrorRecord(stage="validate", reason="Count rejected: value: Input should be greater than or equal to 0",
                      data=bad)
    failing = article.model_copy(update={"errors": [err], "ok": False})
    page = build_page(failing, text, doc, KNOWN)
    from pipeline.review.site import SiteWriter

    writer = SiteWriter(tmp_path)
    html = writer.write(page).read_text(encoding="utf-8")
    tree = parse(html)
    errors = [a for t, a in tree.elements if t == "li" and a.get("data-kind") == "error"]
    assert len(errors) == 1 and errors[0]["data-stage"] == "validate" and "rejected" in errors[0]["data-reason"]
    # the rejected fact's evidence is marked in the text
    ev = [a for t, a in tree.elements if "ev-error" in (a.get("class") or "")]
    assert ev and ev[0]["data-fact"] == errors[0]["data-fact"]
    assert "1 error(s)" in html
    index = writer.finish(["records.jsonl:3: not a valid record"]).read_text(encoding="utf-8")
    assert 'class="has-errors"' in index and "records.jsonl:3: not a valid record" in index


# ------------------------------------------------------------------ records mode and CLI


def test_records_mode_shows_the_records_not_a_new_run(nlp, tmp_path: Path) -> None:
    records = list(api.run([CORPUS], nlp=nlp))
    changed = records[0].model_copy(update={"officials": records[0].officials[:1], "counts": [], "amounts": []})
    unknown = Article(id="not_in_inputs", errors=[ErrorRecord(stage="input", reason="file was empty",
                                                              origin="x/not_in_inputs.txt")], ok=False)
    path = tmp_path / "records.jsonl"
    lines = [changed.model_dump_json()] + [r.model_dump_json() for r in records[1:]] + ["{broken", unknown.model_dump_json()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = build_site(nlp, [CORPUS], tmp_path / "site", records=path)
    assert report.pages == len(records) + 1
    assert any(":%d:" % (len(records) + 1) in p and "not a valid record" in p for p in report.problems)
    html = (tmp_path / "site" / "articles" / f"{changed.id}.html").read_text(encoding="utf-8")
    assert len(_relations(html)) == 1  # what the records file says, not a re-extraction
    assert "<mark" in html  # mentions still highlighted from the input text
    lost = (tmp_path / "site" / "articles" / "not_in_inputs.html").read_text(encoding="utf-8")
    assert "file was empty" in lost and 'id="no-text"' in lost
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "not a valid record" in index


def test_records_mode_warns_when_inputs_do_not_match(nlp, tmp_path: Path) -> None:
    record = api.extract((CORPUS / f"{KNOWN}.txt").read_text(encoding="utf-8"), id="short", nlp=nlp)
    (tmp_path / "records.jsonl").write_text(record.model_dump_json() + "\n", encoding="utf-8")
    (tmp_path / "short.txt").write_text("月城镇。\n", encoding="utf-8")
    build_site(nlp, [tmp_path / "short.txt"], tmp_path / "site", records=tmp_path / "records.jsonl")
    html = (tmp_path / "site" / "articles" / "short.html").read_text(encoding="utf-8")
    assert "do not match" in html and "off-text" in html


def test_cli_show_writes_the_site(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["show", str(CORPUS / f"{KNOWN}.txt"), "--output", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "articles" / f"{KNOWN}.html").is_file()
    record = api.extract((CORPUS / f"{KNOWN}.txt").read_text(encoding="utf-8"), id=KNOWN)
    (tmp_path / "r.jsonl").write_text(record.model_dump_json() + "\n", encoding="utf-8")
    result = runner.invoke(app, ["show", "--records", str(tmp_path / "r.jsonl"), str(CORPUS / f"{KNOWN}.txt"),
                                 "--output", str(tmp_path / "site2")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site2" / "articles" / f"{KNOWN}.html").is_file()


def test_cli_show_user_errors_exit_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    def show(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pipeline", "show", *args], capture_output=True, text=True,
                              timeout=120)

    for args in (["--output", str(tmp_path / "s")],
                 [str(tmp_path / "missing.txt"), "--output", str(tmp_path / "s")],
                 ["--records", str(tmp_path / "missing.jsonl"), "--output", str(tmp_path / "s")]):
        done = show(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
