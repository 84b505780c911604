"""Read and write numerals: Arabic, Chinese, financial and mixed forms.

Pure functions over the character tables in ``configs/rules/numbers.yaml``
(section ``numerals``, schema :class:`NumeralTables`).  Arithmetic is done
with :class:`~decimal.Decimal`, so ``4221.165万`` is exactly 42211650.

Reading rules (:func:`parse_numeral`):

- Arabic digits, ASCII or full-width, with an optional decimal part and
  thousands separators between groups of exactly three digits (``1,234.5``).
  A decimal may start with its point (``.5``, ``．5`` → 0.5).
- Chinese numerals: ``一千零五十`` → 1050, ``两万三千`` → 23000, ``十五`` → 15,
  ``壹佰贰拾`` → 120.  A leading 十/百/千 stands for one of it (``百万`` → 10**6);
  a leading 万/亿 is an error.
- Abbreviated forms: a single digit right after a multiplier of 100 or more,
  with no 零 between, counts in the next lower place: ``三万五`` → 35000,
  ``一百五`` → 150, ``两千三`` → 2300 (but ``一千零五`` → 1005).
- Digit strings without multipliers are read place by place: ``二〇一九`` → 2019.
- Mixed forms: ``1.2万`` → 12000, ``3千万`` → 30000000, ``1.2万亿`` → 1.2e12.
- Chinese decimals with 点 (``chinese_decimal_points``): ``二点五`` → 2.5,
  ``十五点七`` → 15.7, ``零点五`` → 0.5.  Only plain digits follow the point.
  万/亿 after the decimal digits multiply the whole decimal (``二点五万`` →
  25000, ``一点二亿``); a point after a section multiplier adds the fraction
  to the number before it (``两千万点五五四四`` → 20000000.5544).  Both at
  once (``三万二点五万``) is an error.
- 兆 is 10**6 in current mainland usage (兆瓦, 兆字节) and 10**12 in older
  and Taiwanese usage (四十九兆元).  It is listed in
  ``ambiguous_multipliers`` with no value, and a numeral holding it is an
  error, so the numbers stage skips it rather than guess.  Giving it a value
  in numbers.yaml (``兆: 1e12``) opts in: it is then read as a section
  multiplier, so ``四十九兆九千五百九十二亿`` → 49 * 10**12 + 9592 * 10**8.
- Traditional section multipliers 萬/億 and digits 兩/貳/參/陸 read as their
  simplified forms.
- 十几 / 三百多: the approximation marker is not part of the numeral; the
  caller strips it and reads ``十`` / ``三百``.

Writing rules (:func:`to_chinese`): the standard form with 二 (never 两),
a leading 十 for 10–19 (``十五``, ``十万``), 一十 elsewhere (``一百一十``), and
the school rule for zeros: zeros at the end of a four-digit section are not
read, any other run of zeros is read as one 零 (``一千零五十``, ``十万零一十``,
but ``一千万五千`` for 10005000).  Above 亿 the count of 亿 is
itself written in full, so 10**12 is ``一万亿`` and 10**16 is ``一亿亿``.
A :class:`~decimal.Decimal` with a fraction is written with 点 and one digit
per decimal place, trailing zeros dropped (``2.50`` → ``二点五``, ``0.05`` →
``零点零五``).
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from .paths import rules_dir
from .rulefiles import load_yaml

_CHINESE_DIGITS = "零一二三四五六七八九"
_CHINESE_PLACES = ((1000, "千"), (100, "百"), (10, "十"))
_CHINESE_SECTIONS = ((10**8, "亿"), (10**4, "万"))
_CHINESE_POINT = "点"
_TABLES = (
    "digits",
    "small_multipliers",
    "big_multipliers",
    "decimal_points",
    "group_separators",
    "chinese_decimal_points",
    "ambiguous_multipliers",
)


class NumeralTables(BaseModel):
    """The characters numerals are written with (``numerals`` in numbers.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    digits: dict[str, int] = Field(min_length=1)
    small_multipliers: dict[str, int] = Field(min_length=1)
    big_multipliers: dict[str, int] = Field(min_length=1)
    decimal_points: list[str] = Field(default_factory=list)
    group_separators: list[str] = Field(default_factory=list)
    chinese_decimal_points: list[str] = Field(default_factory=list)
    ambiguous_multipliers: dict[str, int | None] = Field(default_factory=dict)
    _reader: Any = PrivateAttr(default=None)

    @field_validator("ambiguous_multipliers", mode="before")
    @classmethod
    def _exponent_notation(cls, value: Any) -> Any:
        """Accept ``1e12`` (YAML reads it as a string) and ``1.0e+12`` for a power of ten."""
        if not isinstance(value, dict):
            return value
        out = {}
        for char, v in value.items():
            if isinstance(v, str | float) and not isinstance(v, bool):
                try:
                    d = Decimal(str(v).strip())
                except ArithmeticError:
                    out[char] = v
                    continue
                v = int(d) if d.is_finite() and d == d.to_integral_value() else v
            out[char] = v
        return out

    @model_validator(mode="after")
    def _check(self) -> NumeralTables:
        problems = []
        for table in _TABLES:
            for char in getattr(self, table):
                if len(char) != 1:
                    problems.append(f"{table}: {char!r} is not a single character")
        if any(not 0 <= v <= 9 for v in self.digits.values()):
            problems.append("digits: every value must be 0..9")
        for table in ("small_multipliers", "big_multipliers", "ambiguous_multipliers"):
            for char, value in getattr(self, table).items():
                if value is not None and (value < 10 or str(value).rstrip("0") != "1"):
                    problems.append(f"{table}: {char!r} must be a power of ten >= 10")
        seen: set[str] = set()
        overlap: set[str] = set()
        for chars in (set(getattr(self, table)) for table in _TABLES):
            overlap |= seen & chars
            seen |= chars
        if overlap:
            problems.append(f"characters in more than one table: {sorted(overlap)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def is_arabic(self, char: str) -> bool:
        """True for an Arabic digit (ASCII or full-width) listed in ``digits``."""
        return char in self.digits and char.isdecimal()

    def section_multipliers(self) -> dict[str, int]:
        """``big_multipliers`` plus the ambiguous ones given a value (兆 when opted in)."""
        chosen = {c: v for c, v in self.ambiguous_multipliers.items() if v is not None}
        return {**self.big_multipliers, **chosen}

    def unread_multipliers(self) -> set[str]:
        """Ambiguous multipliers left without a value: a numeral holding one is not read."""
        return {c for c, v in self.ambiguous_multipliers.items() if v is None}


def default_numbers_path() -> Path:
    """The numbers.yaml shipped with the repository (the one place this path is built)."""
    return rules_dir() / "numbers.yaml"


class _NumeralsSection(BaseModel):
    """The ``numerals`` section of numbers.yaml; the other sections are checked by
    :class:`pipeline.quantities.NumberTables` when the numbers stage loads the file."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    numerals: NumeralTables


@lru_cache(maxsize=1)
def _default_tables() -> NumeralTables:
    return load_yaml(default_numbers_path(), _NumeralsSection).numerals


class NumeralReader:
    """Reads numerals with the tables of one :class:`NumeralTables`, compiled once.

    Get one with :func:`numeral_reader`; :func:`parse_decimal` uses it.
    """

    def __init__(self, t: NumeralTables) -> None:
        self.digits = {c: Decimal(v) for c, v in t.digits.items()}
        self.arabic = frozenset(c for c in t.digits if t.is_arabic(c))
        self.small = {c: Decimal(v) for c, v in t.small_multipliers.items()}
        self.big = {c: Decimal(v) for c, v in t.section_multipliers().items()}
        self.unread = frozenset(t.unread_multipliers())
        # one lookup per character in tokens() (the tables share no character)
        self.char_tokens = {
            c: (kind, value)
            for kind, table in (("num", self.digits), ("small", self.small), ("big", self.big))
            for c, value in table.items()
        }
        self.points = frozenset(t.decimal_points)
        self.chinese_points = frozenset(t.chinese_decimal_points)
        d = f"[{re.escape(''.join(sorted(self.arabic)))}]"
        dot = f"[{re.escape(''.join(t.decimal_points))}]"
        point = f"(?:{dot}{d}+)?" if t.decimal_points else ""
        leading = f"|{dot}{d}+" if t.decimal_points else ""  # .5
        grouped = ""
        if t.group_separators:
            grouped = f"{d}{{1,3}}(?:[{re.escape(''.join(t.group_separators))}]{d}{{3}})+(?!{d}){point}|"
        self.pattern = re.compile(f"(?:{grouped}{d}+{point}{leading})")
        table: dict[int, str | None] = {ord(c): str(t.digits[c]) for c in self.arabic}
        table.update({ord(c): "." for c in t.decimal_points})
        table.update({ord(c): None for c in t.group_separators})
        self.table = table
        # Text repeats its numerals (5, 10, 2.5万, 三百): read each once.  Bounded,
        # so a long run over many distinct numbers does not grow without end.
        self._cached = lru_cache(maxsize=8192)(self._read)

    def _arabic(self, s: str, i: int) -> tuple[Decimal, int]:
        m = self.pattern.match(s, i)
        assert m is not None  # s[i] is an Arabic digit
        return Decimal(m.group().translate(self.table)), m.end()

    def tokens(self, s: str) -> list[tuple[str, Decimal]]:
        """Split ``s`` into ("num" | "arabic" | "small" | "big", value) tokens."""
        out: list[tuple[str, Decimal]] = []
        i = 0
        while i < len(s):
            ch = s[i]
            if ch in self.arabic or (i == 0 and ch in self.points and s[1:2] in self.arabic):
                value, i = self._arabic(s, i)
                out.append(("arabic", value))
                continue
            token = self.char_tokens.get(ch)
            if token is None:
                if ch in self.unread:
                    raise ValueError(f"{ch!r} in {s!r} is an ambiguous multiplier with no value in the tables")
                raise ValueError(f"not a numeral: {s!r} (unexpected {ch!r})")
            out.append(token)
            i += 1
        if not out:
            raise ValueError("not a numeral: empty string")
        return out

    def decimal(self, s: str) -> Decimal:
        """The exact value of numeral ``s``; raise ValueError if it is not one."""
        return self._cached(s)

    def _read(self, s: str) -> Decimal:
        """:meth:`decimal` without the cache."""
        s = s.strip()
        if self.pattern.fullmatch(s):  # a plain Arabic number, the common case
            return Decimal(s.translate(self.table))
        point = next((i for i, ch in enumerate(s) if ch in self.chinese_points), None)
        if point is not None:
            return self._chinese_decimal(s, point)
        tokens = self.tokens(s)
        if len(tokens) > 1 and all(kind == "num" for kind, _ in tokens):
            return Decimal("".join(str(v) for _, v in tokens))  # 二〇一九 → 2019
        reader = _Reader(s)
        for kind, value in tokens:
            if kind in ("num", "arabic"):
                single = kind == "num" or (value == value.to_integral_value() and 0 < value < 10)
                reader.digit(value, single=single)
            elif kind == "small":
                reader.small(value)
            else:
                reader.big(value)
        return reader.result()

    def _chinese_decimal(self, s: str, point: int) -> Decimal:
        """``二点五`` → 2.5, ``二点五万`` → 25000, ``两千万点五五四四`` → 20000000.5544."""
        whole, rest = s[:point], s[point + 1 :]
        n = 0
        while n < len(rest) and rest[n] in self.digits and rest[n] not in self.arabic:
            n += 1
        places, tail = rest[:n], rest[n:]
        bad = any(ch not in self.big for ch in tail) or any(ch in self.points for ch in whole)
        if not whole or not places or bad:
            raise ValueError(f"not a numeral: {s!r} (a point needs a whole number before it and only digits after it)")
        value = self.decimal(whole) + Decimal("0." + "".join(str(self.digits[ch]) for ch in places))
        if not tail:
            return value
        if any(ch in self.big for ch in whole):
            raise ValueError(f"not a numeral: {s!r} (section multipliers on both sides of the point)")
        reader = _Reader(s)
        reader.digit(value, single=False)
        for ch in tail:
            reader.big(self.big[ch])
        return reader.result()


def numeral_reader(tables: NumeralTables | None = None) -> NumeralReader:
    """The reader for ``tables`` (default: the repository's numbers.yaml), built once."""
    t = tables if tables is not None else _default_tables()
    if t._reader is None:
        t._reader = NumeralReader(t)
    reader: NumeralReader = t._reader
    return reader


class _Reader:
    """Combine numeral tokens into one value (see the module docstring)."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.total = Decimal(0)
        self.section = Decimal(0)
        self.number: Decimal | None = None
        self.short_digit = False  # the pending number is one digit, written alone
        self.last_mult: Decimal | None = None
        self.max_big: Decimal | None = None
        self.zero_gap = False
        self.seen = False

    def digit(self, value: Decimal, *, single: bool) -> None:
        if self.number is not None and self.number != 0:
            raise ValueError(f"two numbers without a multiplier between them in {self.s!r}")
        self.zero_gap = self.zero_gap or self.number == 0 or (value == 0 and self.seen)
        self.number, self.short_digit, self.seen = value, single, True

    def small(self, mult: Decimal) -> None:
        if self.number is None and self.seen:
            raise ValueError(f"multiplier without a number before it in {self.s!r}")
        count = Decimal(1) if not self.number else self.number  # 十五, 一千零十
        self.section += count * mult
        self.number, self.last_mult, self.zero_gap, self.seen = None, mult, False, True

    def big(self, mult: Decimal) -> None:
        value = self.section + (self.number or 0)
        if not self.seen:
            raise ValueError(f"numeral starts with a section multiplier: {self.s!r}")
        if self.max_big is None or mult >= self.max_big:
            self.total = (self.total + value) * mult
            self.max_big = mult
        else:
            self.total += value * mult
        self.section, self.number, self.last_mult, self.zero_gap = Decimal(0), None, mult, False

    def result(self) -> Decimal:
        number = self.number or Decimal(0)
        if self.short_digit and self.last_mult is not None and self.last_mult >= 100 and not self.zero_gap:
            number *= self.last_mult / 10
        return self.total + self.section + number


def parse_decimal(s: str, *, tables: NumeralTables | None = None) -> Decimal:
    """The exact value of numeral ``s``; raise ValueError if it is not one."""
    return numeral_reader(tables).decimal(s)


def parse_numeral(s: str, *, tables: NumeralTables | None = None) -> float:
    """The value of numeral ``s`` as a float (exact for integers below 2**53).

    ``parse_numeral("一千零五十") == 1050``; ``parse_numeral("4221.165万") ==
    42211650``.  Raises ValueError on anything that is not a numeral.
    """
    return float(parse_decimal(s, tables=tables))


def _below_wan(n: int, *, leading: bool) -> str:
    """Chinese for 0 < n < 10000, with 零 for gaps and 十 alone when leading."""
    out: list[str] = []
    gap = False
    for place, char in _CHINESE_PLACES:
        d, n = divmod(n, place)
        if d:
            if gap and out:
                out.append("零")
            one_ten = place == 10 and d == 1 and leading and not out
            out.append(char if one_ten else _CHINESE_DIGITS[d] + char)
            gap = False
        else:
            gap = True
    if n:
        if gap and out:
            out.append("零")
        out.append(_CHINESE_DIGITS[n])
    return "".join(out)


def _chinese(n: int, *, leading: bool) -> str:
    for value, char in _CHINESE_SECTIONS:
        if n >= value:
            high, low = divmod(n, value)
            out = _chinese(high, leading=leading) + char
            if low:
                out += ("零" if low < value // 10 else "") + _chinese(low, leading=False)
            return out
    return _below_wan(n, leading=leading)


def to_chinese(n: int | Decimal) -> str:
    """The standard Chinese numeral for a non-negative int or Decimal (10 → 十,
    1050 → 一千零五十, Decimal("2.5") → 二点五).

    20000 is written 二万 (两万 is read but never written); see the module
    docstring for the other conventions.  Floats are refused: their decimal
    digits are not the ones written.
    """
    if isinstance(n, Decimal) and n.is_finite() and n >= 0:
        whole = int(n)
        fraction = n - whole
        if not fraction:
            return to_chinese(whole)
        digits = format(fraction, "f").split(".")[1].rstrip("0")
        return to_chinese(whole) + _CHINESE_POINT + "".join(_CHINESE_DIGITS[int(d)] for d in digits)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"to_chinese needs a non-negative int or Decimal, got {n!r}")
    return "零" if n == 0 else _chinese(n, leading=True)
