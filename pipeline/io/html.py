"""Turn an HTML page into plain text with the standard-library HTML parser.

Only the visible text of the page is kept: scripts, styles, navigation,
page headers and footers, asides and forms are dropped; block elements start
a new line; entities are decoded.  Web chrome that survives (breadcrumbs,
share prompts, copyright lines) is removed later by :mod:`pipeline.textprep`,
which also records the offsets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["HtmlText", "extract_html", "html_to_text"]

# Elements whose whole content is dropped.  header/footer are kept when they
# sit inside an <article>: there they hold the headline and the byline.
SKIPPED = frozenset(
    "script style noscript nav header footer aside form head title template svg iframe object "
    "select button canvas".split()
)
KEPT_INSIDE_ARTICLE = frozenset({"header", "footer"})
BLOCKS = frozenset(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr table tbody thead tfoot section article "
    "main blockquote pre hr figure figcaption caption address center details summary".split()
)
CELLS = frozenset({"td", "th"})

_HAN_OR_CJK_PUNCT = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
# A line break in the HTML source between two CJK characters is not a space.
_CJK_SOFT_BREAK = re.compile(f"(?<=[{_HAN_OR_CJK_PUNCT}])[ \\t\\r\\f]*\\n[ \\t\\r\\n\\f]*(?=[{_HAN_OR_CJK_PUNCT}])")
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")


@dataclass(frozen=True)
class HtmlText:
    """The visible text of a page and its canonical URL, if it declares one."""

    text: str
    url: str | None


class _TextCollector(HTMLParser):
    """Collects text per block; see :func:`extract_html`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]
        self.skipping: list[str] = []
        self.article_depth = 0
        self.pre_depth = 0
        self.url: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._note_url(tag, dict(attrs))
        if tag == "body":  # an unclosed <head> ends here
            self.skipping.clear()
        if self.skipping:
            if tag in SKIPPED:
                self.skipping.append(tag)
            return
        if tag in SKIPPED and not (tag in KEPT_INSIDE_ARTICLE and self.article_depth):
            self.skipping.append(tag)
            return
        if tag == "article":
            self.article_depth += 1
        if tag == "pre":
            self.pre_depth += 1
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag == "article" and self.article_depth:
            self.article_depth -= 1
        if tag == "pre" and self.pre_depth:
            self.pre_depth -= 1
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre_depth:
            lines = data.split("\n")
            self.blocks[-1].append(lines[0])
            self.blocks.extend([line] for line in lines[1:])
        else:
            self.blocks[-1].append(data)

    def _break(self, tag: str) -> None:
        if tag in BLOCKS:
            self.blocks.append([])
        elif tag in CELLS:
            self.blocks[-1].append(" ")

    def _note_url(self, tag: str, attrs: dict[str, str | None]) -> None:
        if self.url is not None:
            return
        if tag == "link" and (attrs.get("rel") or "").lower() == "canonical":
            self.url = attrs.get("href") or None
        elif tag == "meta" and (attrs.get("property") or "").lower() == "og:url":
            self.url = attrs.get("content") or None


def _clean_block(parts: list[str]) -> str:
    text = _CJK_SOFT_BREAK.sub("", "".join(parts))
    return _HTML_SPACE.sub(" ", text).strip(" ")


def extract_html(html: str) -> HtmlText:
    """Visible text of ``html`` (one line per block, no blank lines) and its URL."""
    parser = _TextCollector()
    parser.feed(html)
    parser.close()
    lines = (_clean_block(block) for block in parser.blocks)
    return HtmlText("\n".join(line for line in lines if line), parser.url)


def html_to_text(html: str) -> str:
    """Visible text of ``html``: one line per block element, runs of blank lines removed.

    NBSP (``&nbsp;``) and the ideographic space are kept as they are; they
    are normalised by :func:`pipeline.textprep.prepare_text`.
    """
    return extract_html(html).text
