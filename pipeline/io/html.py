"""Turn an HTML page into plain text with a real HTML5 parser (selectolax/lexbor).

Only the visible text of the page is kept: scripts, styles, navigation,
page headers and footers, asides and forms are dropped; block elements start
a new line (paragraph breaks are kept); entities are decoded by the parser;
``<pre>`` keeps its line breaks.  The tree is walked without recursion, so
deeply nested pages cannot exhaust the stack.  Web chrome that survives (breadcrumbs,
share prompts, copyright lines) is removed later by :mod:`pipeline.textprep`,
which also records the offsets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

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


class _TextCollector:
    """Collects text per block while walking the parsed tree; see :func:`extract_html`."""

    def __init__(self) -> None:
        self.blocks: list[list[str]] = [[]]
        self.article_depth = 0
        self.pre_depth = 0

    def walk(self, root: LexborNode) -> None:
        stack: list[tuple[LexborNode, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            tag = node.tag or ""
            if leaving:
                self._leave(tag)
                continue
            if tag == "-text":
                self._data(node.text_content or "")
                continue
            if tag.startswith("-") or tag == "#document":  # comments, doctype; the document node
                if tag == "#document":
                    self._push_children(node, stack)
                continue
            if tag in SKIPPED and not (tag in KEPT_INSIDE_ARTICLE and self.article_depth):
                continue
            self._enter(tag)
            stack.append((node, True))
            self._push_children(node, stack)

    @staticmethod
    def _push_children(node: LexborNode, stack: list[tuple[LexborNode, bool]]) -> None:
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, False) for c in reversed(children))

    def _enter(self, tag: str) -> None:
        if tag == "article":
            self.article_depth += 1
        if tag == "pre":
            self.pre_depth += 1
        self._break(tag)

    def _leave(self, tag: str) -> None:
        if tag == "article" and self.article_depth:
            self.article_depth -= 1
        if tag == "pre" and self.pre_depth:
            self.pre_depth -= 1
        self._break(tag)

    def _data(self, data: str) -> None:
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


def _canonical_url(tree: LexborHTMLParser) -> str | None:
    for node in tree.css("link, meta"):
        attrs = node.attributes
        if node.tag == "link" and "canonical" in (attrs.get("rel") or "").lower().split():
            if attrs.get("href"):
                return attrs["href"]
        elif node.tag == "meta" and (attrs.get("property") or "").lower() == "og:url" and attrs.get("content"):
            return attrs["content"]
    return None


def _clean_block(parts: list[str]) -> str:
    text = _CJK_SOFT_BREAK.sub("", "".join(parts))
    return _HTML_SPACE.sub(" ", text).strip(" ")


def extract_html(html: str) -> HtmlText:
    """Visible text of ``html`` (one line per block, no blank lines) and its URL."""
    tree = LexborHTMLParser(html.replace("\x00", "\ufffd"))
    text = _visible_text(tree)
    if not text:
        # An unclosed <title> swallows the rest of the page as text (HTML5
        # parsing, as browsers do); read what it swallowed as markup.
        title = tree.css_first("title")
        swallowed = title.text(deep=True) if title is not None else ""
        if "<" in swallowed:  # the title itself is what comes before the first tag
            text = _visible_text(LexborHTMLParser(swallowed[swallowed.index("<"):]))
    return HtmlText(text, _canonical_url(tree))


def _visible_text(tree: LexborHTMLParser) -> str:
    collector = _TextCollector()
    if tree.root is not None:
        collector.walk(tree.root)
    lines = (_clean_block(block) for block in collector.blocks)
    return "\n".join(line for line in lines if line)


def html_to_text(html: str) -> str:
    """Visible text of ``html``: one line per block element, runs of blank lines removed.

    NBSP (``&nbsp;``) and the ideographic space are kept as they are; they
    are normalised by :func:`pipeline.textprep.prepare_text`.
    """
    return extract_html(html).text
