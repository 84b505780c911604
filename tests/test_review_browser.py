"""The review site rendered in headless Chromium (Debian packages chromium, chromium-driver).

Skips, saying why, when Chromium, chromedriver or selenium is missing; a
missing CJK font is a failure, not a skip (the pages would show boxes).  Pages
load from file:// with every network request sent to a dead proxy, so a page
that needed the network would fail here.  Screenshots go to
``test-artifacts/review/`` (or ``$TEST_ARTIFACTS/review``).
"""
from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from pipeline import api
from pipeline.review import build_site

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
KNOWN = "syn_01_yunxi_roundup"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", REPO / "test-artifacts")) / "review"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")


def _find(*names: str) -> str | None:
    return next((p for p in map(shutil.which, names) if p), None)


def _dead_port() -> int:
    """A local port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install '.[test]')")
    chromium = _find("chromium", "chromium-browser", "google-chrome")
    driver_path = _find("chromedriver")
    if not chromium or not driver_path:
        pytest.skip("Chromium or chromedriver not found on PATH; install the Debian packages chromium and "
                    "chromium-driver (.ci/run does) to render the review pages")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1400,1800")
    # every request that is not file:// goes to a port nobody listens on
    options.add_argument(f"--proxy-server=http://127.0.0.1:{_dead_port()}")
    options.add_argument("--proxy-bypass-list=<-loopback>")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    from selenium.webdriver.chrome.service import Service

    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception as exc:  # noqa: BLE001 - a broken browser install is a reason to skip, not a failure
        pytest.skip(f"Chromium did not start: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site(nlp, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("review-site")
    build_site(nlp, [CORPUS], out)
    return out


def _open(driver, path: Path) -> None:
    driver.get(path.resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


def _console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _expected_entities(nlp, text: str) -> list[tuple[str, int, int]]:
    """Every mention the entity stages find, in original offsets (computed here, not by the site code)."""
    doc = nlp(text)
    prepared = doc._.prepared
    found = set()
    for field in ("places", "titles", "persons"):
        for m in getattr(doc._, field) or []:
            found.add((m.label, *prepared.offsets.to_original(m.start, m.end)))
    for q in doc._.quantities:
        found.add(("MONEY" if q.kind == "money" else "COUNT", *prepared.offsets.to_original(q.start, q.end)))
    return sorted(found, key=lambda f: (f[1], f[2], f[0]))


def test_every_entity_of_a_known_article_is_highlighted(browser, site: Path, nlp) -> None:
    from selenium.webdriver.common.by import By

    text = (CORPUS / f"{KNOWN}.txt").read_text(encoding="utf-8")
    expected = _expected_entities(nlp, text)
    assert len(expected) > 20
    _open(browser, site / "articles" / f"{KNOWN}.html")
    checked = 0
    for label, start, end in expected:
        pieces = browser.find_elements(By.CSS_SELECTOR,
                                       f'mark[data-label="{label}"][data-start="{start}"][data-end="{end}"]')
        assert pieces, f"{label} {text[start:end]!r} at {start}-{end} is not highlighted"
        assert "".join(p.get_attribute("textContent") for p in pieces) == text[start:end]
        for p in pieces:
            assert p.is_displayed()
            background = p.value_of_css_property("background-color")
            assert background not in ("rgba(0, 0, 0, 0)", "transparent"), (label, text[start:end], background)
        checked += 1
    assert checked == len(expected)
    # the page as a whole shows the article text unchanged
    assert browser.execute_script("return document.getElementById('text').textContent") == text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{KNOWN}.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    print(f"\n{checked} highlighted entities checked; screenshot {shot}")


#: Draws each character alone, in the computed font of the element ``arguments[0]``
#: names (the page's font stack and size), on a canvas of its own; returns the
#: font (and the canvas's, which must be the same family), and per character its
#: PNG data URL and how many pixels got ink; and a strip of them all, for the artifacts.
_GLYPHS_JS = """
const el = document.querySelector(arguments[0]);
const font = getComputedStyle(el).font;
const size = Math.ceil(parseFloat(getComputedStyle(el).fontSize) * 2);
function draw(canvas, text, x) {
  const ctx = canvas.getContext('2d');
  ctx.font = font; ctx.textBaseline = 'top'; ctx.fillStyle = '#000';
  ctx.fillText(text, x, size / 4);
  return ctx;
}
const glyphs = {};
for (const ch of arguments[1]) {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const data = draw(canvas, ch, size / 4).getImageData(0, 0, size, size).data;
  let ink = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]) ink++;
  glyphs[ch] = {png: canvas.toDataURL('image/png'), ink: ink};
}
const strip = document.createElement('canvas');
strip.width = size * (arguments[1].length + 1); strip.height = size;
const ctx = strip.getContext('2d'); ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, strip.width, strip.height);
arguments[1].forEach((ch, i) => draw(strip, ch, size / 4 + i * size));
return {font: font, family: getComputedStyle(el).fontFamily, used: ctx.font, glyphs: glyphs,
        strip: strip.toDataURL('image/png')};
"""
# code points no font has a glyph for (unassigned): they show the missing-glyph box
_NO_GLYPH = ["\u0378", "\u0379"]


def test_chinese_text_is_drawn_with_cjk_glyphs_not_missing_glyph_boxes(browser, site: Path) -> None:
    """Without a CJK font the page is all boxes (tofu): every character is the same
    missing glyph.  Each Chinese character of the article, drawn in the page's own
    font stack, must be an image of its own, unlike the missing glyph and unlike
    the other characters."""
    import base64

    _open(browser, site / "articles" / f"{KNOWN}.html")
    text = browser.execute_script("return document.getElementById('text').textContent")
    han = list(dict.fromkeys(ch for ch in text if "\u4e00" <= ch <= "\u9fff"))[:12]
    assert len(han) == 12
    for selector in ("#text", "h1"):
        got = browser.execute_script(_GLYPHS_JS, selector, han + _NO_GLYPH)
        glyphs, font = got["glyphs"], got["font"]
        assert got["used"].endswith(got["family"]), got  # the canvas took the page's font stack
        box = glyphs[_NO_GLYPH[0]]
        # the probe sees a missing glyph as one image whatever the code point
        assert glyphs[_NO_GLYPH[1]]["png"] == box["png"], font
        as_box = [ch for ch in han if glyphs[ch]["png"] == box["png"]]
        assert not as_box, (f"{''.join(as_box)} drawn as the missing-glyph box in {selector} (font: {font}): "
                            f"no CJK font; install one (Debian: fonts-noto-cjk, as .ci/run does)")
        assert all(glyphs[ch]["ink"] > 0 for ch in han), f"blank Chinese characters in {selector} ({font})"
        same = len(han) - len({glyphs[ch]["png"] for ch in han})
        assert not same, f"{same} Chinese characters of {selector} drawn as one image ({font}): a fallback glyph"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"cjk-glyphs-{selector.strip('#')}.png"
        shot.write_bytes(base64.b64decode(got["strip"].split(",", 1)[1]))


def _number(value: float, unit: str, approx: bool) -> str:
    return f"{'≈' if approx else ''}{value:,.0f} {unit}"


def test_relation_list_matches_the_record(browser, site: Path, nlp) -> None:
    from selenium.webdriver.common.by import By

    record = api.extract((CORPUS / f"{KNOWN}.txt").read_text(encoding="utf-8"), id=KNOWN, nlp=nlp)
    _open(browser, site / "articles" / f"{KNOWN}.html")
    items = browser.find_elements(By.CSS_SELECTOR, "#relations li.rel")
    shown = [(i.get_attribute("data-kind"), [n.text for n in i.find_elements(By.CSS_SELECTOR, ".node")],
              i.get_attribute("data-rule"), float(i.get_attribute("data-confidence"))) for i in items]
    want = [("official", [o.name, o.title, o.place], o.evidence.rule, o.evidence.confidence) for o in record.officials]
    want += [("count", [_number(c.value, c.unit, c.approx), c.place], c.evidence.rule, c.evidence.confidence)
             for c in record.counts]
    want += [("amount", [_number(a.value_yuan, "元", a.approx) + (" per capita" if a.per_capita else ""), a.place],
              a.evidence.rule, a.evidence.confidence) for a in record.amounts]
    assert shown == [(k, nodes, rule, round(conf, 2)) for k, nodes, rule, conf in want]
    # hover shows rule, confidence and sentence; a click fills the panel and marks the evidence in the text
    first, o = items[0], record.officials[0]
    assert o.evidence.rule in first.get_attribute("title") and o.evidence.sentence in first.get_attribute("title")
    first.click()
    panel = browser.find_element(By.ID, "detail").text
    assert o.evidence.rule in panel and f"{o.evidence.confidence:.2f}" in panel and o.evidence.sentence in panel
    evidence = browser.find_elements(By.CSS_SELECTOR, '#text .ev.active[data-fact="o0"]')
    text = (CORPUS / f"{KNOWN}.txt").read_text(encoding="utf-8")
    assert "".join(e.get_attribute("textContent") for e in evidence) == text[o.evidence.start:o.evidence.end]
    # the relation's person and title nodes point at highlighted mentions, now selected
    for role in ("person", "title"):
        ref = first.find_element(By.CSS_SELECTOR, f'.node-{role}').get_attribute("data-ent-ref")
        marks = browser.find_elements(By.CSS_SELECTOR, f'mark[data-ent="{ref}"]')
        assert marks and all("active" in m.get_attribute("class") for m in marks)
    assert not _console_errors(browser)  # the script ran under the page's CSP


def test_index_links_work_and_nothing_is_fetched(browser, site: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, site / "index.html")
    links = browser.find_elements(By.CSS_SELECTOR, "#articles a.article-link")
    targets = [(a.text, a.get_attribute("href")) for a in links]
    assert len(targets) == len(list(CORPUS.glob("*.txt")))
    assert browser.find_elements(By.CSS_SELECTOR, "#charts svg rect.bar")
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "index.png"))
    for article_id, href in targets:
        browser.get(site.resolve().as_uri() + "/index.html")
        browser.find_element(By.LINK_TEXT, article_id).click()
        assert browser.current_url == href
        assert browser.find_element(By.ID, "article-id").text == article_id
        assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
        browser.find_element(By.ID, "to-index").click()
        assert browser.current_url.endswith("/index.html")
    assert not _console_errors(browser)


def test_markup_in_article_text_is_shown_as_text(browser, nlp, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    hostile = '<script>document.title="pwned"</script>月城镇委书记孙悦海表示。<img src=x onerror="document.title=\'img\'">\n'
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hostile.txt").write_text(hostile, encoding="utf-8")
    build_site(nlp, [tmp_path / "in"], tmp_path / "site")
    _open(browser, tmp_path / "site" / "articles" / "hostile.html")
    assert browser.find_element(By.ID, "text").get_attribute("textContent") == hostile
    assert "pwned" not in browser.title and "img" != browser.title
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 1
    assert not browser.find_elements(By.CSS_SELECTOR, "#text img, #text script")
