"""Find household/person counts and money amounts in Chinese text.

Extract, then resolve, the way Recognizers-Text keeps its number tables apart
from its parser: a regular expression built from the character tables finds
every numeral (``300``, ``3.36万``, ``一千零五十``, ``十几万``); each numeral is
then resolved against the tables in ``configs/rules/numbers.yaml``
(:class:`NumberTables`) into a :class:`Quantity` or dropped.  The unit comes,
in this order, from a unit word after the numeral (``259户``, ``576名``), from
a currency sign before it (``￥300``, ``¥1.5万``), from the noun counted
(``70多贫困户``, ``5万搬迁群众``), for bare 万/亿 from the nearest money or
count cue in the same clause (``共筹资75万``, ``总人口48万``), or from the
other end of a range (``900–1200元``, ``3至5万元``).  Money sub-units are
added to the yuan amount they follow (``五元三毛`` → 5.3, ``50元6角三分`` →
50.63, ``3块5毛`` → 3.5); alone they are read only as one digit before 钱
(``八角钱`` → 0.8: 八角 alone is also star anise, 三分 a score).  Everything
else (years, dates, percentages, ages, 个村, 亩, ordinals, 一 used as an
article, codes, numerals with 兆 unless numbers.yaml gives it a value) is
skipped.

All offsets are character offsets into the text given, ``end`` exclusive.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from .numerals import NumeralTables, default_numbers_path, numeral_reader
from .rulefiles import alternation, load_yaml

Kind = Literal["count", "money"]
UnitSource = Literal["unit", "noun", "context", "range", "prefix"]
Word = Annotated[str, Field(min_length=1)]
_STRICT = ConfigDict(extra="forbid", frozen=True)


class UnitEntry(BaseModel):
    """A unit word after a numeral: ``名`` → unit 人, kind count."""

    model_config = _STRICT
    text: Word
    unit: Literal["户", "人", "人次", "元"]
    kind: Kind
    boundary: bool = False
    not_followed_by: list[Word] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_matches_unit(self) -> UnitEntry:
        if (self.kind == "money") != (self.unit == "元"):
            raise ValueError(f"unit {self.unit!r} does not go with kind {self.kind!r}")
        return self


class SubUnit(BaseModel):
    """A money unit below the yuan: ``角`` is 0.1 yuan."""

    model_config = _STRICT
    text: Word
    value: Decimal = Field(gt=0, lt=1)
    not_followed_by: list[Word] = Field(default_factory=list)


class MoneySubUnits(BaseModel):
    """角/毛/分 after a yuan amount (五元三毛) or alone before 钱 (八角钱)."""

    model_config = _STRICT
    units: list[SubUnit] = Field(default_factory=list)
    after: list[Word] = Field(default_factory=list)
    alone_before: list[Word] = Field(default_factory=list)


class ApproxMarker(BaseModel):
    """An approximation marker written before the number (近, 约, 超过 …)."""

    model_config = _STRICT
    text: Word
    not_after: list[Word] = Field(default_factory=list)
    chinese_only: bool = False


class NounHead(BaseModel):
    """A noun ending that gives the unit of a count (贫困户 → 户, 人口 → 人)."""

    model_config = _STRICT
    head: Word
    unit: Literal["户", "人"]


class CountCue(BaseModel):
    """A noun before a bare 万/亿 number that makes it a count (总人口48万)."""

    model_config = _STRICT
    text: Word
    unit: Literal["户", "人"]


class NounUnits(BaseModel):
    """How to read the unit from the noun counted (3.36万个贫困户)."""

    model_config = _STRICT
    classifiers: list[Word] = Field(default_factory=list)
    max_chars: int = Field(ge=1, le=20)
    stop_chars: str = ""
    heads: list[NounHead] = Field(default_factory=list)


class ArticleRule(BaseModel):
    """一 used as an article or distributive (一名贫困户, 一户一策)."""

    model_config = _STRICT
    numerals: list[Word]
    units: list[Word]
    also_at_clause_end: bool = False


class NumberTables(BaseModel):
    """Schema of ``configs/rules/numbers.yaml``; see the comments in that file."""

    model_config = _STRICT
    numerals: NumeralTables
    approx_before: list[ApproxMarker]
    approx_inner: list[Word]
    approx_trailing: list[Word]
    units: list[UnitEntry] = Field(min_length=1)
    skip_units: list[Word]
    range_separators: list[Word]
    per_capita_markers: list[Word]
    per_capita_window: int = Field(ge=1, le=100)
    money_cues: list[Word]
    money_cue_window: int = Field(ge=1, le=100)
    count_cues: list[CountCue] = Field(default_factory=list)
    count_cue_window: int = Field(default=4, ge=1, le=100)
    clause_breaks: str
    noun_units: NounUnits
    article: ArticleRule
    ordinal_prefixes: list[Word]
    fraction_markers: list[Word]
    fixed_phrases: list[Word]
    code_neighbours: str
    unit_gap: str = ""
    money_prefixes: list[Word] = Field(default_factory=list)
    money_subunits: MoneySubUnits = Field(default_factory=MoneySubUnits)
    _scanner: Any = PrivateAttr(default=None)

    @field_validator("approx_before", mode="before")
    @classmethod
    def _marker_shorthand(cls, value: Any) -> Any:
        """Allow a plain string for a marker with no options."""
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _check_units(self) -> NumberTables:
        texts = [u.text for u in self.units]
        dupes = sorted({t for t in texts if texts.count(t) > 1})
        if dupes:
            raise ValueError(f"units listed twice: {dupes}")
        both = sorted(set(texts) & set(self.skip_units))
        if both:
            raise ValueError(f"words both in units and skip_units: {both}")
        sub = self.money_subunits
        money = {u.text for u in self.units if u.kind == "money"}
        if not set(sub.after) <= money:
            raise ValueError(f"money_subunits.after: not money units: {sorted(set(sub.after) - money)}")
        both = sorted({u.text for u in sub.units} & set(texts))
        if both:
            raise ValueError(f"words both in units and money_subunits: {both}")
        return self


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> NumberTables:
    return load_yaml(path, NumberTables)


def load_number_tables(path: Path | None = None) -> NumberTables:
    """Load and validate the number tables (default: :func:`default_numbers_path`).

    Raises :class:`~pipeline.errors.RuleFileError` naming file, line and field.
    Loaded tables are cached per path.
    """
    return _load_cached((path or default_numbers_path()).resolve())


@dataclass(frozen=True, slots=True)
class Quantity:
    """One count or money mention.

    ``start``/``end`` cover any approximation marker, currency sign, the
    numeral and the unit word with any money sub-units after it (``近62万元``,
    ``300人左右``, ``￥300``, ``五元三毛``); ``num_start``/``num_end`` cover the
    numeral alone, multipliers and any marker inside it included (``500多万``).  When
    the unit comes from the noun (``3.36万个贫困户``), the span ends after the
    classifier and ``noun`` holds the noun, which starts at ``end``.  Offsets
    are character offsets into the scanned text, ``end`` exclusive.

    ``value`` is the number as written times its multipliers; money is in
    yuan (36.3万元 → 363000.0, 五元三毛 → 5.3, 八角钱 → 0.8).  Approximate
    forms keep the number written (十几万元 → 100000.0, approx).
    """

    start: int
    end: int
    num_start: int
    num_end: int
    value: float
    kind: Kind
    unit: str
    approx: bool
    approx_marker: str | None
    per_capita: bool
    unit_source: UnitSource
    range_id: int | None
    text: str
    unit_text: str = ""
    noun: str | None = None


_SKIP = "skip"
_ONE = Decimal(1)


def _char_class(chars: str | set[str]) -> str:
    return "".join(re.escape(c) for c in sorted(set(chars)))


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch in "〇"


class _Scanner:
    """Everything compiled from one :class:`NumberTables` (built once, then cached)."""

    def __init__(self, t: NumberTables) -> None:
        self.t = t
        self.read_numeral = numeral_reader(t.numerals).decimal
        self.big_values = {c: Decimal(v) for c, v in t.numerals.section_multipliers().items()}
        numeral_chars = self._compile_numerals(t)
        self._compile_units(t)
        self._compile_nouns(t.noun_units, numeral_chars)
        self._compile_context(t)

    def _compile_numerals(self, t: NumberTables) -> str:
        """The numeral regex; returns every character a numeral can hold."""
        n = t.numerals
        arabic = _char_class({c for c in n.digits if n.is_arabic(c)})
        chinese = {c for c in n.digits if not n.is_arabic(c)}
        tens = {c for c, v in n.small_multipliers.items() if v == 10}
        # 兆 with no value is matched too, so that the whole numeral is skipped
        # (四十九兆九千五百九十二亿), not the part after it read alone.
        big_chars = set(n.section_multipliers()) | n.unread_multipliers()
        big = _char_class(big_chars)
        hundreds = _char_class({c for c, v in n.small_multipliers.items() if v >= 100})  # 百余户
        after_arabic = hundreds + big
        every = _char_class(chinese | set(n.small_multipliers) | big_chars)
        inner = alternation(t.approx_inner)
        seps, points = _char_class(set(n.group_separators)), _char_class(set(n.decimal_points))
        group = f"(?:[{seps}][{arabic}]{{3}}(?![{arabic}]))*" if seps else ""
        point = f"(?:[{points}][{arabic}]+)?" if points else ""
        leading = f"|[{points}][{arabic}]+" if points else ""  # .5万: no digit (or code) before the point
        small = _char_class(set(n.small_multipliers))
        zh_point = ""
        if n.chinese_decimal_points:  # 二点五, 两千万点五五四四; not 三点二十分
            zh_points = _char_class(set(n.chinese_decimal_points))
            zh_point = f"(?:[{zh_points}][{_char_class(chinese)}]++(?![{small}]))?"
        self.numeral_re = re.compile(
            f"(?:(?<![{_char_class(t.code_neighbours)}{arabic}])(?P<ar>[{arabic}]+{group}{point}{leading})"
            f"(?P<am>[{after_arabic}]*)|(?P<zh>(?=[{_char_class(chinese | tens)}]|[{hundreds}](?:{inner}))"
            f"[{every}]+{zh_point}))"
            f"(?P<inner>{inner})?(?P<big>[{big}]+)?(?P<inner2>{inner})?"
        )
        self.code = frozenset(t.code_neighbours)
        return every + arabic

    def _compile_units(self, t: NumberTables) -> None:
        words: dict[str, UnitEntry | str] = {w: _SKIP for w in t.skip_units}
        words.update({u.text: u for u in t.units})
        self.unit_words: dict[str, list[tuple[str, UnitEntry | str]]] = {}
        for word in sorted(words, key=len, reverse=True):
            self.unit_words.setdefault(word[0], []).append((word, words[word]))
        self.guards = {u.text: (u.boundary, tuple(u.not_followed_by)) for u in t.units}
        self.gap = frozenset(t.unit_gap)
        self.range_re = re.compile(alternation(t.range_separators))
        self.range_chars = frozenset(s[-1] for s in t.range_separators)
        sub = t.money_subunits
        self.subunits = sorted(sub.units, key=lambda u: -len(u.text))
        self.subunit_first = frozenset(u.text[0] for u in sub.units)
        self.sub_after = frozenset(sub.after)
        self.sub_alone = tuple(sorted(sub.alone_before, key=len, reverse=True))
        self.after_lone = frozenset(self.unit_words) | self.subunit_first
        n = t.numerals
        self.digit_values = {c: Decimal(v) for c, v in n.digits.items()}
        self.chinese_zeros = frozenset(c for c, v in n.digits.items() if v == 0 and not n.is_arabic(c))
        self.prefixes = tuple(sorted(t.money_prefixes, key=len, reverse=True))
        # what can stand right before a signed numeral: a sign's last character or a gap
        self.before_sign = frozenset(s[-1] for s in self.prefixes) | self.gap if self.prefixes else frozenset()

    def _compile_nouns(self, nu: NounUnits, numeral_chars: str) -> None:
        stops = _char_class(set(nu.stop_chars)) + numeral_chars
        modifier = f"(?:(?![{stops}])[\u4e00-\u9fff])"
        heads = alternation([h.head for h in nu.heads])
        cls = alternation(nu.classifiers)
        self.noun_re = re.compile(f"(?P<cls>{cls})?(?P<noun>{modifier}{{0,{nu.max_chars - 1}}}?(?:{heads}))")
        self.heads = {h.head: h.unit for h in nu.heads}
        self.heads_longest = sorted(self.heads, key=len, reverse=True)

    def _compile_context(self, t: NumberTables) -> None:
        self.pre_markers: dict[str, list[ApproxMarker]] = {}
        for mk in sorted(t.approx_before, key=lambda a: -len(a.text)):
            self.pre_markers.setdefault(mk.text[-1], []).append(mk)
        self.trailing_re = re.compile(alternation(t.approx_trailing))
        before = [*t.ordinal_prefixes, *t.fraction_markers]
        self.before_len = max(map(len, before), default=0)
        self.before_re = re.compile(f"(?:{alternation(before)})\\Z")
        self.before_last = frozenset(w[-1] for w in before)
        self.fraction_after_re = re.compile(alternation(t.fraction_markers))
        self.per_capita_re = re.compile(alternation(t.per_capita_markers))
        self.money_cue_re = re.compile(alternation(t.money_cues))
        self.count_cue_re = re.compile(alternation([c.text for c in t.count_cues]))
        self.count_cues = {c.text: c.unit for c in t.count_cues}
        self.fixed_re = re.compile(alternation(t.fixed_phrases))
        self.fixed_len = max((len(w) for w in t.fixed_phrases), default=0)
        self.fixed_chars = frozenset("".join(t.fixed_phrases))
        self.breaks = frozenset(t.clause_breaks)
        self.article_numerals = frozenset(t.article.numerals)
        self.article_units = frozenset(t.article.units)
        self.article_at_clause_end = t.article.also_at_clause_end


def _scanner(tables: NumberTables) -> _Scanner:
    if tables._scanner is None:
        tables._scanner = _Scanner(tables)
    scanner: _Scanner = tables._scanner
    return scanner


@dataclass(slots=True)
class _Cand:
    """A numeral on its way to becoming a :class:`Quantity`."""

    start: int
    end: int
    num_start: int
    num_end: int
    match_end: int  # end of the numeral match, inner markers included
    numeral: str  # the numeral without approximation markers (500万 for 500多万)
    arabic: bool
    lone_digit: bool  # one Chinese digit and nothing else (一, 五): no noun units
    inner: str | None
    tail_mult: Decimal  # the 万/亿 the numeral ends with (1 if none), for 3至5万元
    value: Decimal = Decimal(0)
    scale: Decimal = Decimal(1)  # 0.1 for 八角钱: the numeral counts 角
    extra: Decimal = Decimal(0)  # sub-units after the amount: 0.3 for 五元三毛
    sign: int | None = None  # where a currency sign before the numeral starts (￥300)
    kind: Kind | None = None
    unit: str = ""
    unit_text: str = ""
    source: UnitSource = "unit"
    noun: str | None = None
    marker: str | None = None
    range_id: int | None = None


def _clause_start(text: str, end: int, window: int, breaks: frozenset[str]) -> int:
    """Where the ``window`` characters before ``end`` start, cut at a clause break."""
    lo = max(0, end - window)
    for i in range(end - 1, lo - 1, -1):
        if text[i] in breaks:
            return i + 1
    return lo


def _last_cue(
    text: str, end: int, window: int, pattern: re.Pattern[str], breaks: frozenset[str]
) -> re.Match[str] | None:
    """The last match of ``pattern`` in the ``window`` characters before ``end``, same clause."""
    if pattern.search(text, max(0, end - window), end) is None:
        return None  # the common case: no cue in the window, so no clause to look for
    matches = list(pattern.finditer(text, _clause_start(text, end, window, breaks), end))
    return matches[-1] if matches else None


def _lookup_unit(text: str, p: int, sc: _Scanner) -> tuple[UnitEntry | str | None, int]:
    """The longest unit or skip word starting at ``p``."""
    for word, entry in sc.unit_words.get(text[p : p + 1], ()):
        if text.startswith(word, p):
            return entry, len(word)
    return None, 0


def _unit_guard_ok(text: str, q: int, word: str, sc: _Scanner) -> bool:
    boundary, not_followed_by = sc.guards[word]
    if boundary and q < len(text) and _is_cjk(text[q]):
        return False
    return not (not_followed_by and text.startswith(not_followed_by, q))


def _set_noun(text: str, p: int, c: _Cand, sc: _Scanner, *, exact_head: bool = False) -> bool:
    """Take the unit from the noun counted at ``p`` (70多贫困户); False if there is none."""
    nm = sc.noun_re.match(text, p)
    if nm is None or (exact_head and nm.group("noun") not in sc.heads):
        return False
    noun = nm.group("noun")
    c.kind, c.unit = "count", next(sc.heads[h] for h in sc.heads_longest if noun.endswith(h))
    c.source, c.noun, c.unit_text, c.end = "noun", noun, nm.group("cls") or "", nm.start("noun")
    return True


def _subunit_at(text: str, p: int, sc: _Scanner) -> SubUnit | None:
    """The money sub-unit (角, 毛, 分) at ``p``, unless a word goes on (分钟, 毛巾)."""
    if text[p : p + 1] not in sc.subunit_first:
        return None
    for u in sc.subunits:
        q = p + len(u.text)
        if text.startswith(u.text, p) and not any(text.startswith(w, q) for w in u.not_followed_by):
            return u
    return None


def _subunit_chain(text: str, p: int, above: Decimal, sc: _Scanner) -> tuple[Decimal, int]:
    """Sub-units from ``p``, each one digit and smaller than the one before:
    ``6角三分`` after 50元 adds 0.63.  Returns what they add and where they end."""
    total, end = Decimal(0), p
    while True:
        q = end
        if text[q : q + 1] in sc.chinese_zeros and text[q + 1 : q + 2] in sc.digit_values:
            q += 1  # 五元零五分
        digit = sc.digit_values.get(text[q : q + 1])
        if digit is None or text[q + 1 : q + 2] in sc.digit_values:
            return total, end
        u = _subunit_at(text, q + 1, sc)
        if u is None or u.value >= above:
            return total, end
        total, above, end = total + digit * u.value, u.value, q + 1 + len(u.text)


def _alone_word(text: str, p: int, sc: _Scanner) -> str:
    """The word after sub-units that makes them money on their own (钱), or ''."""
    return next((w for w in sc.sub_alone if text.startswith(w, p)), "")


def _unit_from_subunit(text: str, p: int, c: _Cand, sc: _Scanner) -> bool:
    """One digit counting 角/毛/分 with 钱 after them: 八角钱, 五毛钱, 三分钱
    (not 三五角钱, "three or five jiao")."""
    u = _subunit_at(text, p, sc) if len(c.numeral) == 1 and c.inner is None else None
    if u is None:
        return False
    extra, q = _subunit_chain(text, p + len(u.text), u.value, sc)
    alone = _alone_word(text, q, sc)
    if not alone:
        return False
    c.kind, c.unit, c.unit_text, c.end = "money", "元", u.text, q + len(alone)
    c.scale, c.extra = u.value, extra
    return True


def _unit_from_word(text: str, p: int, c: _Cand, sc: _Scanner) -> bool | None:
    """Resolve from a unit word at ``p``: True set, False skip the numeral, None no unit word."""
    entry, length = _lookup_unit(text, p, sc)
    if entry is None:
        return None
    if isinstance(entry, str):  # a skip word, unless a classifier + noun is longer (10个村民)
        nm = sc.noun_re.match(text, p)
        if nm is not None and nm.group("cls") and nm.end() - p > length:
            return _set_noun(text, p, c, sc, exact_head=True)
        return False
    end = p + length
    if entry.text in sc.sub_after and c.tail_mult == 1:  # 五元三毛, 三块五毛
        c.extra, end = _subunit_chain(text, end, Decimal(1), sc)
        end += len(_alone_word(text, end, sc)) if end > p + length else 0
    if end == p + length and not _unit_guard_ok(text, end, entry.text, sc):
        return False
    c.kind, c.unit, c.unit_text, c.end = entry.kind, entry.unit, entry.text, end
    return True


def _unit_from_context(text: str, c: _Cand, sc: _Scanner) -> bool | None:
    """A bare 万/亿 number after a cue in the same clause: 共筹资75万, 总人口48万.

    When both a money cue and a count cue are near, the nearer one wins.
    """
    if c.tail_mult == 1:
        return None
    t = sc.t
    money = _last_cue(text, c.num_start, t.money_cue_window, sc.money_cue_re, sc.breaks)
    count = _last_cue(text, c.num_start, t.count_cue_window, sc.count_cue_re, sc.breaks)
    if money is None and count is None:
        return None
    if count is not None and (money is None or count.end() > money.end()):
        c.kind, c.unit = "count", sc.count_cues[count.group()]
    else:
        c.kind, c.unit = "money", "元"
    c.source = "context"
    return True


def _resolve_unit(text: str, c: _Cand, sc: _Scanner) -> bool | None:
    """Decide the unit of ``c``: True resolved, False skip, None unresolved."""
    p = c.match_end
    if _unit_from_subunit(text, p, c, sc):
        return True
    found = _unit_from_word(text, p, c, sc)
    if found is None and p < len(text) and text[p] in sc.gap:
        found = _unit_from_word(text, p + 1, c, sc)
    if found is not None:
        return found
    if c.sign is not None:  # ￥300, ¥1.5万: the sign beats a noun or a cue word
        c.kind, c.unit, c.source = "money", "元", "prefix"
        return True
    if not c.lone_digit and _set_noun(text, p, c, sc):
        return True
    return _unit_from_context(text, c, sc)


def _separator_at(text: str, p: int, sc: _Scanner) -> str | None:
    m = sc.range_re.match(text, p)
    return m.group() if m else None


def _may_range(text: str, start: int, end: int, sc: _Scanner) -> bool:
    """Could this unit-less numeral be one end of a range (900–1200元)?"""
    return (start > 0 and text[start - 1] in sc.range_chars) or _separator_at(text, end, sc) is not None


def _tail_mult(numeral: str, sc: _Scanner) -> Decimal:
    """The product of the 万/亿 a numeral ends with (5万 → 10000, 1.2万亿 → 10**12)."""
    mult = _ONE
    for ch in reversed(numeral):
        if ch not in sc.big_values:
            break
        mult *= sc.big_values[ch]
    return mult


def _is_article(text: str, c: _Cand, sc: _Scanner) -> bool:
    """一 as an article or distributive: 一名贫困户, 一户一策, 一户一人."""
    if not c.lone_digit or c.numeral not in sc.article_numerals:
        return False
    word = c.unit_text or text[c.match_end : c.match_end + 1]
    if word not in sc.article_units:
        return False
    after = c.match_end + len(word)
    s = c.num_start
    distributive = s >= 2 and text[s - 2] in sc.article_numerals and _is_cjk(text[s - 1])
    if distributive or (after < len(text) and _is_cjk(text[after])):
        return True
    return sc.article_at_clause_end and (after >= len(text) or not text[after].isdigit())


def _in_fixed_phrase(text: str, c: _Cand, sc: _Scanner) -> bool:
    if sc.fixed_chars.isdisjoint(c.numeral):
        return False
    lo, hi = max(0, c.num_start - sc.fixed_len), min(len(text), c.num_end + sc.fixed_len)
    return any(f.start() < c.num_end and f.end() > c.num_start for f in sc.fixed_re.finditer(text, lo, hi))


def _rejected(text: str, c: _Cand, sc: _Scanner, ar_end: int) -> bool:
    """Numerals that are codes, ordinals, fractions, articles or parts of set phrases."""
    if 0 <= ar_end < len(text) and text[ar_end] in sc.code:
        return True  # 5G, 10:30, v1.2.3
    s = c.num_start
    if s and text[s - 1] in sc.before_last and sc.before_re.search(text, max(0, s - sc.before_len), s):
        return True  # 第一, 三分之二
    if sc.fraction_after_re.match(text, c.num_end):
        return True
    return _is_article(text, c, sc) or _in_fixed_phrase(text, c, sc)


def _approx(text: str, c: _Cand, sc: _Scanner, inner2: str | None) -> None:
    """Find approximation markers before, inside and after; widen the span to cover them."""
    pre = None
    for mk in sc.pre_markers.get(text[c.start - 1], ()) if c.start else ():
        at = c.start - len(mk.text)
        if at < 0 or not text.startswith(mk.text, at) or (mk.chinese_only and c.arabic):
            continue
        if not any(text.endswith(x, 0, at) for x in mk.not_after):
            pre, c.start = mk.text, at
            break
    trailing = None
    if c.kind is not None and c.source != "noun":
        if tm := sc.trailing_re.match(text, c.end):
            trailing = tm.group()
            c.end = tm.end()
    c.marker = pre or c.inner or inner2 or trailing


def _money_prefix(text: str, start: int, sc: _Scanner) -> int | None:
    """Where a currency sign before the numeral starts (￥300, ¥ 1.5万), or None."""
    if not start or text[start - 1] not in sc.before_sign:
        return None  # most numerals: no sign and no gap before them
    i = start
    while i > 0 and text[i - 1] in sc.gap:
        i -= 1
    sign = next((s for s in sc.prefixes if text.endswith(s, 0, i)), None)
    return None if sign is None else i - len(sign)


def _candidate(text: str, m: re.Match[str], sc: _Scanner) -> _Cand | None:
    """Resolve one numeral match; None when it is not (part of) a quantity."""
    ar, am, zh, inner, big, inner2 = m.groups()
    start, end = m.span()
    lone = zh is not None and len(zh) == 1 and not big and not inner
    if lone and text[end : end + 1] not in sc.after_lone and not _may_range(text, start, end, sc):
        return None  # fast path for the many 一/十 of running text (统一, 十分)
    numeral = (zh or ar + am) + (big or "")
    num_end = m.end("big") if big else m.end("zh") if zh else m.end("am")
    c = _Cand(start, end, start, num_end, end, numeral, zh is None, lone, inner, _tail_mult(numeral, sc))
    c.sign = _money_prefix(text, start, sc)
    found = _resolve_unit(text, c, sc)
    if found is False or (found is None and not _may_range(text, start, end, sc)):
        return None
    if _rejected(text, c, sc, m.end("ar") if ar and not am else -1):
        return None
    try:
        c.value = sc.read_numeral(numeral) * c.scale + c.extra
    except ValueError:
        return None
    if c.sign is not None and c.kind == "money":
        c.start = c.sign
    _approx(text, c, sc, inner2)
    return c


def _borrow_unit(target: _Cand, source: _Cand) -> None:
    """A range end without a unit takes it from the other end (900–1200元)."""
    target.kind, target.unit, target.source = source.kind, source.unit, "range"
    borrow = source.end > target.end and target.tail_mult == 1 and source.tail_mult > 1
    if borrow and target.value <= source.value / source.tail_mult:  # 3至5万元: 3 means 3万
        target.value *= source.tail_mult
        target.tail_mult = source.tail_mult


def _link_ranges(cands: list[_Cand], text: str, sc: _Scanner) -> None:
    """Give both ends of each range the same unit and range id."""
    next_id = 0
    for a, b in zip(cands, cands[1:], strict=False):
        sep = _separator_at(text, a.end, sc)
        if sep is None or a.end + len(sep) != b.start:
            continue
        if a.kind is None and b.kind is not None:
            _borrow_unit(a, b)
        elif b.kind is None and a.kind is not None:
            _borrow_unit(b, a)
        if a.kind is None or (a.kind, a.unit) != (b.kind, b.unit):
            continue
        if a.range_id is None:
            a.range_id, next_id = next_id, next_id + 1
        b.range_id = a.range_id


def _quantity(text: str, c: _Cand, sc: _Scanner) -> Quantity:
    assert c.kind is not None
    t = sc.t
    return Quantity(
        start=c.start,
        end=c.end,
        num_start=c.num_start,
        num_end=c.num_end,
        value=float(c.value),
        kind=c.kind,
        unit=c.unit,
        approx=c.marker is not None,
        approx_marker=c.marker,
        per_capita=_last_cue(text, c.start, t.per_capita_window, sc.per_capita_re, sc.breaks) is not None,
        unit_source=c.source,
        range_id=c.range_id,
        text=text[c.start : c.end],
        unit_text=c.unit_text,
        noun=c.noun,
    )


def find_quantities(text: str, tables: NumberTables) -> list[Quantity]:
    """Every count (户, 人, 人次) and money amount (元) in ``text``, in text order.

    ``text`` may hold full-width digits.  Offsets in the results are character
    offsets into ``text``, ``end`` exclusive.
    """
    sc = _scanner(tables)
    cands: list[_Cand] = []
    for m in sc.numeral_re.finditer(text):
        if cands and m.start() < cands[-1].end:
            continue  # inside the span of the last quantity (三毛 of 五元三毛)
        if (c := _candidate(text, m, sc)) is not None:
            cands.append(c)
    _link_ranges(cands, text, sc)
    return [_quantity(text, c, sc) for c in cands if c.kind is not None]
