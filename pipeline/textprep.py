"""Prepare raw article text before the spaCy ``Doc`` is made.

:func:`prepare_text` normalises characters, removes web chrome (breadcrumbs,
share prompts, counters, footers) and reads article metadata (title, date,
reporters, source, breadcrumb; see :mod:`pipeline.articlemeta`, whose
:class:`ArticleMeta` is re-exported here).  The rules are data:
``configs/rules/chrome.yaml``, validated by :class:`ChromeRules` when loaded.

Offsets: every later stage works on :attr:`PreparedText.text`; records must
carry offsets into :attr:`PreparedText.original`.  :class:`OffsetMap` converts
``[start, end)`` spans (character offsets, ``end`` exclusive) of the cleaned
text back to the original.  Normalisation maps one character to one
character; only CRLF -> LF and removed lines change lengths.

Traditional script: the stages see a simplified view (OpenCC ``t2s``, which
maps one character to one character, checked line by line), so rules
written in simplified characters match 縣 as 县.  Records must show the
source as written: :meth:`PreparedText.written` gives a cleaned span in the
source script and :meth:`PreparedText.as_written` turns a string the stages
produced (a name, a place) back into the form the article wrote it in.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .articlemeta import _HAN, ArticleMeta, _MetaReader
from .simplified import to_simplified
from .paths import rules_dir
from .rulefiles import alternation, load_yaml

DEFAULT_CHROME_PATH = rules_dir() / "chrome.yaml"

__all__ = [
    "ArticleMeta",
    "ChromeRules",
    "DEFAULT_CHROME_PATH",
    "OffsetMap",
    "PreparedText",
    "RemovedLine",
    "load_chrome_rules",
    "prepare_text",
]

# ---------------------------------------------------------------- results


class OffsetMap:
    """Maps spans of the cleaned text to spans of the original text.

    Stored as sorted segments ``(clean_start, orig_start, length)``: inside a
    segment, cleaned character ``clean_start + i`` comes from original
    character ``orig_start + i``.  Segments tile the cleaned text without gaps;
    in the original they are increasing and may have gaps (removed lines, the
    ``\\r`` of a CRLF).
    """

    __slots__ = ("_clean", "_orig", "_length", "_clean_length", "_original_length")

    def __init__(
        self, segments: Sequence[tuple[int, int, int]], *, clean_length: int, original_length: int
    ) -> None:
        self._clean = [s[0] for s in segments]
        self._orig = [s[1] for s in segments]
        self._length = [s[2] for s in segments]
        self._clean_length = clean_length
        self._original_length = original_length
        self._check()

    def _check(self) -> None:
        expected, last_orig = 0, 0
        for clean, orig, length in zip(self._clean, self._orig, self._length, strict=True):
            if clean != expected or length <= 0 or orig < last_orig:
                raise ValueError(f"offset segments must tile the cleaned text in order; bad at {clean}")
            expected, last_orig = clean + length, orig + length
        if expected != self._clean_length or last_orig > self._original_length:
            raise ValueError("offset segments do not cover the cleaned text exactly")

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        """The map of a text that was not changed."""
        return cls([(0, 0, length)] if length else [], clean_length=length, original_length=length)

    @property
    def segments(self) -> tuple[tuple[int, int, int], ...]:
        """The ``(clean_start, orig_start, length)`` segments, in order."""
        return tuple(zip(self._clean, self._orig, self._length, strict=True))

    def __len__(self) -> int:
        return self._clean_length

    def _position(self, index: int) -> int:
        """Original offset of cleaned character ``index`` (``0 <= index < len``)."""
        seg = bisect_right(self._clean, index) - 1
        return self._orig[seg] + index - self._clean[seg]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the cleaned span ``[start, end)`` to the original ``[start, end)``.

        The result runs from the source of the first character to just after
        the source of the last one, so it also covers any removed text inside
        the span.  An empty span maps to an empty span at the source of
        character ``start`` (or just after the last character, at the end).
        """
        if not 0 <= start <= end <= self._clean_length:
            raise ValueError(
                f"span ({start}, {end}) is outside the cleaned text of length {self._clean_length}"
            )
        if start == end:
            if start < self._clean_length:
                pos = self._position(start)
            else:
                pos = self._position(start - 1) + 1 if start else 0
            return pos, pos
        return self._position(start), self._position(end - 1) + 1


@dataclass(frozen=True)
class RemovedLine:
    """A line of the original text left out of the cleaned text, and why.

    ``start``/``end`` are original offsets (``end`` exclusive, line break not
    included); ``rule`` is a rule id from chrome.yaml, ``"meta"`` for a
    metadata-only line, ``"blank"`` for a collapsed blank line, or
    ``"cut:<id>"`` for text after a footer marker.
    """

    start: int
    end: int
    rule: str


@dataclass(frozen=True)
class PreparedText:
    """The original text, the cleaned text and the map between them.

    ``text`` is what the stages see (normalised, chrome removed, simplified
    script).  ``source`` is set only when the simplified view changed
    something: the normalised original, as long as ``original``, in the
    script the article was written in.
    """

    original: str
    text: str
    offsets: OffsetMap
    meta: ArticleMeta
    removed: tuple[RemovedLine, ...] = ()
    source: str | None = None
    simplified: str | None = field(default=None, repr=False)

    @property
    def converted(self) -> bool:
        """True when the article was (partly) in traditional script."""
        return self.source is not None

    def written(self, start: int, end: int) -> str:
        """Cleaned span ``[start, end)`` in the script of the source."""
        if self.source is None:
            return self.text[start:end]
        o_start, o_end = self.offsets.to_original(start, end)
        if o_end - o_start == end - start:
            span = self.source[o_start:o_end]
            if "\r" not in span:
                return span
            # line breaks are written as the cleaned text writes them (\r, \r\n -> \n)
            return "".join("\n" if t == "\n" else c for t, c in zip(self.text[start:end], span))
        return "".join(self.source[self.offsets.to_original(i, i + 1)[0]] if self.text[i] != "\n" else "\n"
                       for i in range(start, end))

    def as_written(self, value: str | None, near: int | None = None) -> str | None:
        """``value`` (found by the stages in the simplified view) as the source writes it.

        Looks for ``value`` in the cleaned text, the occurrence closest before
        ``near`` first, then anywhere in the whole normalised text (metadata
        lines are removed from the cleaned text), then character by character
        using the character pairs of this article.
        """
        if self.source is None or not value:
            return value
        hit = _nearest(self.text, value, near)
        if hit is not None:
            return self.written(hit, hit + len(value))
        assert self.simplified is not None
        i = self.simplified.find(value)
        if i >= 0:
            return self.source[i:i + len(value)]
        pairs = self._pairs()
        return "".join(pairs.get(c, c) for c in value)

    def _pairs(self) -> dict[str, str]:
        cached = self.__dict__.get("_pairs_cache")
        if cached is None:
            assert self.source is not None and self.simplified is not None
            cached = {s: o for s, o in zip(self.simplified, self.source, strict=True) if s != o}
            object.__setattr__(self, "_pairs_cache", cached)
        return cached


def _nearest(text: str, value: str, near: int | None, window: int = 5000) -> int | None:
    """Offset of the occurrence of ``value`` in ``text`` closest to ``near`` (before it first)."""
    if near is None:
        i = text.find(value)
        return i if i >= 0 else None
    near = max(0, min(near, len(text)))
    i = text.rfind(value, max(0, near - window), min(len(text), near + len(value)))
    if i >= 0:
        return i
    i = text.find(value, near, near + window)
    if i >= 0:
        return i
    i = text.find(value)
    return i if i >= 0 else None


# ---------------------------------------------------------------- rules schema


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


def _check_char(value: str) -> str:
    if len(value) != 1:
        raise ValueError(f"must be exactly one character, got {value!r}")
    if value in "\r\n":
        raise ValueError("line breaks cannot be normalised here (CRLF is handled in code)")
    return value


Regex = Annotated[str, AfterValidator(_check_regex)]
Char = Annotated[str, AfterValidator(_check_char)]
RuleId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LinePattern(_Strict):
    """A regex searched in one stripped line of at most ``max_chars`` characters."""

    id: RuleId
    pattern: Regex
    max_chars: int = Field(default=100, ge=1)

    @model_validator(mode="after")
    def _no_groups(self) -> LinePattern:
        if re.compile(self.pattern).groups:
            raise ValueError("line patterns must not capture; write (?:...) instead of (...)")
        return self


class CharRange(_Strict):
    """Characters ``first``..``last`` map to ``to``, ``to``+1, ..."""

    first: Char
    last: Char
    to: Char

    @model_validator(mode="after")
    def _ordered(self) -> CharRange:
        if ord(self.first) > ord(self.last):
            raise ValueError(f"first {self.first!r} comes after last {self.last!r}")
        return self


class Normalisation(_Strict):
    """One-character-to-one-character replacements (offsets do not move)."""

    ranges: list[CharRange] = []
    chars: dict[Char, Char] = {}


class DatePattern(_Strict):
    """A publication-date regex with named groups ``y``, ``m`` and ``d``."""

    id: RuleId
    pattern: Regex
    labelled: bool

    @model_validator(mode="after")
    def _groups(self) -> DatePattern:
        missing = {"y", "m", "d"} - set(re.compile(self.pattern).groupindex)
        if missing:
            raise ValueError(f"date pattern lacks named group(s) {sorted(missing)}; use (?P<y>...)")
        return self


class BreadcrumbRules(_Strict):
    """How to recognise a navigation line and split it into items."""

    line_patterns: list[LinePattern]
    prefix: Regex
    separator: Regex
    ignore_items: list[str] = []
    continuation_max_chars: int = Field(default=30, ge=0)


class MetaRules(_Strict):
    """Lexicon and patterns for article metadata (see chrome.yaml)."""

    max_line_chars: int = Field(default=120, ge=1)
    title_max_chars: int = Field(default=60, ge=1)
    dates: list[DatePattern]
    source: Regex
    labels: list[str]
    role_words: list[str] = Field(min_length=1)
    separated_role_words: list[str] = []
    credit_prefix_endings: list[str] = []
    org_endings: list[str] = []
    filler_words: list[str] = []
    name_suffixes: list[str] = []
    name: Regex
    surnames: str
    compound_surnames: list[str] = []

    @model_validator(mode="after")
    def _source_group(self) -> MetaRules:
        if "source" not in re.compile(self.source).groupindex:
            raise ValueError("source pattern lacks the named group (?P<source>...)")
        return self


class ChromeRules(_Strict):
    """Schema of ``configs/rules/chrome.yaml``."""

    version: Literal[1] = 1
    normalise: Normalisation = Normalisation()
    cut_min_kept_chars: int = Field(default=50, ge=0)
    cut_after: list[LinePattern] = []
    drop_line: list[LinePattern] = []
    drop_meta_lines: bool = True
    collapse_blank_lines: bool = True
    breadcrumb: BreadcrumbRules
    meta: MetaRules
    _compiled: _CompiledRules | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique_ids(self) -> ChromeRules:
        ids = [p.id for p in (*self.cut_after, *self.drop_line, *self.breadcrumb.line_patterns)]
        ids += [d.id for d in self.meta.dates]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(dupes)}")
        return self

    @property
    def compiled(self) -> _CompiledRules:
        """The rules compiled for matching (built once per rules object)."""
        if self._compiled is None:
            self._compiled = _CompiledRules.build(self)
        return self._compiled


def load_chrome_rules(path: Path | str | None = None) -> ChromeRules:
    """Load and validate chrome rules; default ``configs/rules/chrome.yaml``.

    Raises :class:`~pipeline.errors.RuleFileError` naming file, line and field.
    """
    return load_yaml(DEFAULT_CHROME_PATH if path is None else path, ChromeRules)


@lru_cache(maxsize=1)
def _default_rules() -> ChromeRules:
    return load_chrome_rules()


# ---------------------------------------------------------------- compiled rules


@dataclass(frozen=True)
class _CompiledRules:
    rules: ChromeRules
    table: dict[int, str]
    normalise: re.Pattern[str] | None
    cut: _LineRules
    drop: _LineRules
    crumb_lines: _LineRules
    crumb_prefix: re.Pattern[str]
    crumb_separator: re.Pattern[str]
    crumb_trailing: re.Pattern[str]
    dates: list[tuple[re.Pattern[str], bool]]
    source: re.Pattern[str]
    label_token: re.Pattern[str]
    role_token: re.Pattern[str]
    role_word: re.Pattern[str]
    name: re.Pattern[str]
    surnames: frozenset[str]

    @classmethod
    def build(cls, rules: ChromeRules) -> _CompiledRules:
        meta, crumb = rules.meta, rules.breadcrumb
        roles = alternation(meta.role_words)
        if meta.separated_role_words:
            roles += f"|(?:{alternation(meta.separated_role_words)})(?=\\s*[/|｜丨:：])"
        return cls(
            rules=rules,
            table=_translation_table(rules.normalise),
            normalise=_normalise_regex(rules.normalise),
            cut=_LineRules.build(rules.cut_after),
            drop=_LineRules.build(rules.drop_line),
            crumb_lines=_LineRules.build(crumb.line_patterns),
            crumb_prefix=re.compile(crumb.prefix),
            crumb_separator=re.compile(crumb.separator),
            crumb_trailing=re.compile(f"(?:{crumb.separator})$"),
            dates=[(re.compile(d.pattern), d.labelled) for d in meta.dates],
            source=re.compile(meta.source),
            label_token=re.compile(f"(?:{alternation(meta.labels)})\\s*[:：]\\s*[^\\s|｜【】\\[\\]]*"),
            role_token=re.compile(f"(?P<prefix>[{_HAN}A-Za-z0-9]{{0,15}}?)(?:{roles})\\s*[/|｜丨:：]?"),
            role_word=re.compile(alternation(meta.role_words)),
            name=re.compile(meta.name),
            surnames=frozenset(meta.surnames),
        )


def _normalise_regex(norm: Normalisation) -> re.Pattern[str] | None:
    """A character class of every character normalisation replaces."""
    parts = [re.escape(c) for c in norm.chars]
    parts += [f"{re.escape(r.first)}-{re.escape(r.last)}" for r in norm.ranges]
    return re.compile(f"[{''.join(parts)}]") if parts else None


def _normalise(raw: str, rules: _CompiledRules) -> str:
    """Apply the one-to-one character replacements.

    (Replacing each distinct character present is several times faster than
    ``str.translate`` on mostly-CJK text.)
    """
    if rules.normalise is None:
        return raw
    for char in set(rules.normalise.findall(raw)):
        raw = raw.replace(char, rules.table[ord(char)])
    return raw


def _translation_table(norm: Normalisation) -> dict[int, str]:
    table = {ord(src): dst for src, dst in norm.chars.items()}
    for r in norm.ranges:
        for offset in range(ord(r.last) - ord(r.first) + 1):
            table[ord(r.first) + offset] = chr(ord(r.to) + offset)
    return table


@dataclass(frozen=True)
class _LineRules:
    """Line patterns in file order, each with its ``max_chars`` limit.

    (Searching the patterns one by one is faster than one combined regex:
    each keeps its literal-prefix optimisation.)
    """

    longest: int
    each: list[tuple[int, re.Pattern[str], str]]

    @classmethod
    def build(cls, patterns: Sequence[LinePattern]) -> _LineRules:
        each = [(p.max_chars, re.compile(p.pattern), p.id) for p in patterns]
        return cls(max((p.max_chars for p in patterns), default=0), each)

    def first(self, line: str) -> str | None:
        """Id of the first rule (file order) that allows ``line``'s length and matches."""
        n = len(line)
        if n > self.longest:
            return None
        for limit, regex, rule_id in self.each:
            if n <= limit and regex.search(line):
                return rule_id
        return None


# ---------------------------------------------------------------- line planning


def _split_lines(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, next_start)`` per line; ``next_start - end`` is the break length."""
    out: list[tuple[int, int, int]] = []
    pos = 0
    if "\r" not in text:
        for part in text.split("\n"):
            end = pos + len(part)
            out.append((pos, end, end + 1))
            pos = end + 1
    else:
        for m in re.finditer(r"\r\n?|\n", text):
            out.append((pos, m.start(), m.end()))
            pos = m.end()
        out.append((pos, len(text), len(text)))
    last_start, last_end, _ = out[-1]
    out[-1] = (last_start, last_end, last_end)
    return out


@dataclass
class _Planner:
    """Decides line by line what stays in the cleaned text."""

    rules: _CompiledRules
    reader: _MetaReader
    removed: list[RemovedLine] = field(default_factory=list)
    kept_chars: int = 0
    last_kept_blank: bool = True
    crumb_pending: bool = False

    def plan(self, text: str, lines: list[tuple[int, int, int]]) -> list[bool]:
        keep = [False] * len(lines)
        for index, (start, end, _) in enumerate(lines):
            s = text[start:end].strip()
            rule = self._judge(s) if s else self._judge_blank()
            if rule is None:
                keep[index] = True
                self.kept_chars += len(s)
                self.last_kept_blank = not s
                continue
            self.removed.append(RemovedLine(start, end, rule))
            if rule.startswith("cut:"):
                rest = lines[index + 1 :]
                self.removed.extend(RemovedLine(a, b, rule) for a, b, _ in rest if b > a)
                break
        return keep

    def _judge_blank(self) -> str | None:
        if self.rules.rules.collapse_blank_lines and self.last_kept_blank:
            return "blank"
        return None

    def _judge(self, s: str) -> str | None:
        """Rule id removing stripped line ``s``, or None to keep it."""
        if self.crumb_pending and self._continue_breadcrumb(s):
            return "breadcrumb.continued"
        self.crumb_pending = False
        is_meta = self.reader.read_line(s)
        rules = self.rules
        cut = rules.cut.first(s)
        if cut is not None:
            return f"cut:{cut}" if self.kept_chars >= rules.rules.cut_min_kept_chars else cut
        crumb = rules.crumb_lines.first(s)
        if crumb is not None:
            self.crumb_pending = self.reader.read_breadcrumb(s)
            return crumb
        drop = rules.drop.first(s)
        if drop is not None:
            return drop
        if is_meta and rules.rules.drop_meta_lines:
            return "meta"
        self.reader.offer_title(s)
        return None

    def _continue_breadcrumb(self, s: str) -> bool:
        crumb = self.rules.rules.breadcrumb
        if len(s) > crumb.continuation_max_chars or "，" in s or "。" in s:
            return False
        self.crumb_pending = self.reader.read_breadcrumb(s)
        return True


def _assemble(text: str, lines: list[tuple[int, int, int]], keep: list[bool]) -> tuple[str, list[tuple[int, int, int]]]:
    """Join the kept lines with LF and record where each piece came from."""
    pieces: list[str] = []
    segments: list[list[int]] = []
    clean = 0

    def add(orig: int, length: int) -> None:
        last = segments[-1] if segments else None
        if last is not None and last[1] + last[2] == orig:
            last[2] += length
        else:
            segments.append([clean, orig, length])

    for (start, end, nxt), kept in zip(lines, keep, strict=True):
        if not kept:
            continue
        if end > start:
            pieces.append(text[start:end])
            add(start, end - start)
            clean += end - start
        if nxt > end:
            pieces.append("\n")
            add(nxt - 1, 1)
            clean += 1
    return "".join(pieces), [(a, b, c) for a, b, c in segments]


def prepare_text(raw: str, *, rules: ChromeRules | None = None) -> PreparedText:
    """Normalise ``raw``, strip web chrome and read the article metadata.

    Metadata is read from the lines before they are removed.  ``rules``
    defaults to ``configs/rules/chrome.yaml`` (loaded once).  Traditional
    characters are read through a simplified view (see the module docstring).
    """
    compiled = (rules if rules is not None else _default_rules()).compiled
    normalised = _normalise(_SURROGATE.sub("\ufffd", raw) if _SURROGATE.search(raw) else raw, compiled)
    simplified = to_simplified(normalised)
    lines = _split_lines(simplified)
    planner = _Planner(compiled, _MetaReader(compiled))
    keep = planner.plan(simplified, lines)
    text, segments = _assemble(simplified, lines, keep)
    offsets = OffsetMap(segments, clean_length=len(text), original_length=len(raw))
    changed = simplified != normalised
    return PreparedText(raw, text, offsets, planner.reader.result(), tuple(planner.removed),
                        source=normalised if changed else None, simplified=simplified if changed else None)


# Lone surrogates (possible in a Python str, not in UTF-8) become U+FFFD: one for one.
_SURROGATE = re.compile("[\ud800-\udfff]")
