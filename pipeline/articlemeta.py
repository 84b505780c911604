"""Read article metadata from the lines of a page, before chrome is removed.

:class:`ArticleMeta` holds what was found: title, publication date, credited
reporters, source and breadcrumb.  :class:`_MetaReader` collects it line by
line for :func:`pipeline.textprep.prepare_text`; the first finding of each kind
wins.  The lexicon and patterns are data (the ``meta`` and ``breadcrumb``
sections of ``configs/rules/chrome.yaml``), compiled by
:class:`pipeline.textprep.ChromeRules`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .textprep import _CompiledRules

__all__ = ["ArticleMeta"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_SEPARATORS = re.compile(r"[\s、,，;；|｜丨/()（）【】\[\]<>《》]*")
_DATE_TOKEN = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")
_TIME_TOKEN = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
_HAN_CHUNK = re.compile(f"[{_HAN}·]+")
_HAS_WORD = re.compile(f"[{_HAN}A-Za-z]")
_PARENS = re.compile(r"[(（]([^()（）]{1,80})[)）]")

# ---------------------------------------------------------------- result


@dataclass(frozen=True)
class ArticleMeta:
    """Metadata read from the page around the article body.

    ``published`` is an ISO date (YYYY-MM-DD).  ``reporters`` are credited
    reporters, correspondents and editors: never officials.  ``breadcrumb`` are
    the items of the page's navigation line, without 首页.
    """

    title: str | None = None
    published: str | None = None
    reporters: tuple[str, ...] = ()
    source: str | None = None
    breadcrumb: tuple[str, ...] = ()



# ---------------------------------------------------------------- credits


@dataclass
class _Credits:
    """What a scan of a short line found."""

    names: list[str]
    complete: bool
    anchored: bool


def _is_name(chunk: str, rules: _CompiledRules) -> bool:
    if not rules.name.fullmatch(chunk):
        return False
    if "·" in chunk or chunk[0] in rules.surnames:
        return True
    return any(chunk.startswith(s) for s in rules.rules.meta.compound_surnames)


def _strip_name_suffix(chunk: str, suffixes: Sequence[str]) -> str:
    for suffix in suffixes:
        if chunk.endswith(suffix) and len(chunk) - len(suffix) >= 2:
            return chunk[: -len(suffix)]
    return chunk


def _chunk_kind(chunk: str, in_credit: bool, rules: _CompiledRules) -> str | None:
    """Classify a run of Han characters inside a metadata line."""
    meta = rules.rules.meta
    if chunk in meta.filler_words:
        return "filler"
    if len(chunk) >= 2 and chunk.endswith(tuple(meta.org_endings)):
        return "org"
    if in_credit and _is_name(_strip_name_suffix(chunk, meta.name_suffixes), rules):
        return "name"
    return None


def _credit_prefix_ok(prefix: str, rules: _CompiledRules) -> bool:
    return not prefix or prefix.endswith(tuple(rules.rules.meta.credit_prefix_endings))


def _scan_credits(s: str, rules: _CompiledRules) -> _Credits:
    """Read ``s`` as a metadata line: dates, labels, roles, names, organisations.

    ``complete`` is true when every part of ``s`` was understood; ``anchored``
    when it held a date, a label or a role (a line of names alone is not meta).
    """
    names: list[str] = []
    pos, n, in_credit, anchored = 0, len(s), False, False
    while True:
        pos = _SEPARATORS.match(s, pos).end()  # type: ignore[union-attr]
        if pos >= n:
            return _Credits(names, True, anchored)
        m = _DATE_TOKEN.match(s, pos) or _TIME_TOKEN.match(s, pos) or rules.label_token.match(s, pos)
        if m:
            pos, in_credit, anchored = m.end(), False, True
            continue
        m = rules.role_token.match(s, pos)
        if m and _credit_prefix_ok(m.group("prefix"), rules):
            pos, in_credit, anchored = m.end(), True, True
            continue
        m = _HAN_CHUNK.match(s, pos)
        if m is None:
            return _Credits(names, False, anchored)
        chunk = m.group()
        role = rules.role_word.search(chunk, 1)
        chunk = chunk[: role.start()] if role else chunk
        kind = _chunk_kind(chunk, in_credit, rules)
        if kind is None:
            return _Credits(names, False, anchored)
        if kind == "name":
            names.append(_strip_name_suffix(chunk, rules.rules.meta.name_suffixes))
        pos += len(chunk)


def _parse_date(m: re.Match[str]) -> str | None:
    try:
        found = date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None
    return found.isoformat()


@dataclass
class _MetaReader:
    """Collects metadata line by line; the first finding of each kind wins."""

    rules: _CompiledRules
    published: str | None = None
    source: str | None = None
    reporters: list[str] = field(default_factory=list)
    breadcrumb: list[str] = field(default_factory=list)
    title: str | None = None
    title_done: bool = False
    crumb_done: bool = False

    def read_line(self, s: str) -> bool:
        """Read metadata from stripped line ``s``; true if it is metadata only."""
        if len(s) > self.rules.rules.meta.max_line_chars or "。" in s:
            self._read_parentheses(s)
            return False
        self._read_dates(s, labelled=True)
        if self.source is None and (m := self.rules.source.search(s)):
            self.source = m.group("source")
        scan = _scan_credits(s, self.rules)
        if not (scan.complete and scan.anchored):
            self._read_parentheses(s)
            return False
        self._add_names(scan.names)
        self._read_dates(s, labelled=False)
        return True

    def _read_dates(self, s: str, *, labelled: bool) -> None:
        for regex, is_labelled in self.rules.dates:
            if self.published is None and is_labelled == labelled and (m := regex.search(s)):
                self.published = _parse_date(m)

    def _read_parentheses(self, s: str) -> None:
        if ("(" not in s and "（" not in s) or not self.rules.role_word.search(s):
            return
        for m in _PARENS.finditer(s):
            scan = _scan_credits(m.group(1), self.rules)
            if scan.complete and scan.anchored:
                self._add_names(scan.names)

    def _add_names(self, names: list[str]) -> None:
        self.reporters.extend(n for n in names if n not in self.reporters)

    def read_breadcrumb(self, s: str) -> bool:
        """Read the items of navigation line ``s``; true if they go on in the next line.

        Only the first complete breadcrumb is kept; later ones are still
        checked for continuation so their lines can be removed.
        """
        body = self.rules.crumb_prefix.sub("", s, count=1)
        pending = not body or bool(self.rules.crumb_trailing.search(body))
        if self.crumb_done:
            return pending
        ignore = self.rules.rules.breadcrumb.ignore_items
        items = (i.strip() for i in self.rules.crumb_separator.split(body))
        self.breadcrumb.extend(i for i in items if i and i not in ignore)
        self.crumb_done = bool(self.breadcrumb) and not pending
        return pending

    def offer_title(self, s: str) -> None:
        """The first kept line is the title if it looks like a headline."""
        if self.title_done:
            return
        self.title_done = True
        limit = self.rules.rules.meta.title_max_chars
        if len(s) <= limit and "。" not in s and _HAS_WORD.search(s):
            self.title = s

    def result(self) -> ArticleMeta:
        """Everything found so far, as a frozen record."""
        return ArticleMeta(
            title=self.title,
            published=self.published,
            reporters=tuple(self.reporters),
            source=self.source,
            breadcrumb=tuple(self.breadcrumb),
        )
