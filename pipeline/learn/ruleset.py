"""A rule directory as editable data: the learnable lists, learned entries
with their scores, and writing it back in the validated rule format.

A *family* is one list in one rule file that learning may extend, e.g. the
title heads of ``titles.yaml`` or the money cue words of ``numbers.yaml``.
Every learned entry is written into its list (so ``pipeline run --rules DIR``
uses it like a hand-written one), marked with a comment carrying its scores,
and listed with full provenance in ``learned.yaml`` beside the rule files.
"""
from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ..entities.lexicon import PersonRules, PlaceRules, TitleRules, default_rules_dir
from ..errors import RuleFileError, RuleProblem
from ..quantities import NumberTables
from ..relations import RelationRules
from ..rulefiles import load_yaml, parse_yaml

RULE_FILES: dict[str, type[BaseModel]] = {
    "places.yaml": PlaceRules,
    "titles.yaml": TitleRules,
    "persons.yaml": PersonRules,
    "relations.yaml": RelationRules,
    "numbers.yaml": NumberTables,
}
# chrome.yaml is read by the tokenizer and gazetteer.yaml by the place finder; they are copied, never learned.
COPIED_FILES = ("chrome.yaml", "gazetteer.yaml", "metrics.yaml")
LEARNED_FILE = "learned.yaml"


@dataclass(frozen=True)
class Family:
    """One learnable list: ``file`` and the dotted ``path`` of the list in it."""

    name: str
    file: str
    path: str
    key: str | None = None          # for dict entries: the field holding the surface text
    negative: bool = False          # entries that remove extractions (not_names …)
    doc: str = ""

    def text_of(self, entry: Any) -> str:
        return entry[self.key] if self.key else entry


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("title_head", "titles.yaml", "heads", key="text", doc="position heads (网格长, 理事长)"),
    Family("title_prefix", "titles.yaml", "org_prefixes", doc="organisation words before a head (驻村工作队)"),
    Family("title_modifier", "titles.yaml", "modifiers", doc="modifiers before a head (常务副)"),
    Family("not_title", "titles.yaml", "not_titles", negative=True, doc="strings that are not positions"),
    Family("anaphor", "places.yaml", "anaphora", key="text", doc="place references (该镇, 全村)"),
    Family("not_place", "places.yaml", "not_places", negative=True, doc="strings that are not places"),
    Family("not_name", "persons.yaml", "not_names", negative=True, doc="strings that are not names"),
    Family("speech_verb", "persons.yaml", "speech_verbs", doc="verbs after a speaker's name (表示)"),
    Family("appointment_verb", "persons.yaml", "appointment_verbs", doc="NAME <verb> TITLE (担任)"),
    Family("chain_separator", "relations.yaml", "chain_separators", doc="between titles of one person"),
    Family("name_title_separator", "relations.yaml", "name_title_separators", doc="NAME <sep> TITLE"),
    Family("place_title_gap", "relations.yaml", "place_title_gaps", doc="PLACE <gap> TITLE"),
    Family("noun_head", "numbers.yaml", "noun_units.heads", key="head", doc="count nouns (监测户)"),
    Family("count_cue", "numbers.yaml", "count_cues", key="text", doc="nouns before a bare 万 count"),
    Family("money_cue", "numbers.yaml", "money_cues", doc="words before a bare 万 amount (筹资)"),
)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LearnedRule(_Strict):
    """One learned entry, with the evidence it was kept on."""

    family: str
    file: str
    path: str
    entry: Any
    support: int = Field(ge=0, description="true positives the entry adds (or false ones it removes)")
    negatives: int = Field(ge=0, description="false positives it adds (or true ones it removes)")
    precision: float = Field(ge=0, le=1)
    confidence: float = Field(ge=0, le=1, description="Snowball-style confidence, damped per round")
    round: int = Field(ge=0)
    source: Literal["gold", "bootstrap"]
    evidence: list[str] = Field(default_factory=list, description="article ids (gold) or example contexts")

    @property
    def text(self) -> str:
        return FAMILIES[self.family].text_of(self.entry)


class LearnedFile(_Strict):
    """Schema of ``learned.yaml``."""

    base: str
    learned: list[LearnedRule] = []


def _get(data: dict, path: str) -> list:
    node: Any = data
    for part in path.split("."):
        node = node.setdefault(part, []) if part == path.split(".")[-1] else node[part]
    return node


@dataclass
class RuleSet:
    """The raw data of a rule directory, editable, with learned entries tracked."""

    data: dict[str, dict]
    base: str
    learned: list[LearnedRule] = field(default_factory=list)
    copied: dict[str, str] = field(default_factory=dict)
    original: dict[str, dict] = field(default_factory=dict, repr=False)  # the data as read, to skip unchanged files

    # -- reading -----------------------------------------------------------------
    @classmethod
    def load(cls, rules_dir: Path | str | None = None) -> "RuleSet":
        """Read and validate every rule file of ``rules_dir`` (default: the shipped rules)."""
        base = Path(rules_dir) if rules_dir else default_rules_dir()
        data: dict[str, dict] = {}
        for name, model in RULE_FILES.items():
            path = base / name
            load_yaml(path, model)  # validates, with file:line on problems
            data[name] = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        copied = {n: (base / n).read_text(encoding="utf-8") for n in COPIED_FILES if (base / n).is_file()}
        learned: list[LearnedRule] = []
        if (base / LEARNED_FILE).is_file():
            learned = list(load_yaml(base / LEARNED_FILE, LearnedFile).learned)
        return cls(data=data, base=str(base), learned=learned, copied=copied, original=copy.deepcopy(data))

    def copy(self) -> "RuleSet":
        return RuleSet(copy.deepcopy(self.data), self.base, list(self.learned), dict(self.copied), self.original)

    def entries(self, family: str) -> list:
        f = FAMILIES[family]
        return _get(self.data[f.file], f.path)

    def texts(self, family: str) -> set[str]:
        f = FAMILIES[family]
        return {f.text_of(e) for e in self.entries(family)}

    def has(self, family: str, text: str) -> bool:
        return text in self.texts(family)

    # -- editing -----------------------------------------------------------------
    def with_entries(self, additions: list[tuple[str, Any]]) -> "RuleSet":
        """A copy with ``(family, entry)`` pairs added (entries already present are skipped)."""
        out = self.copy()
        for family, entry in additions:
            if not out.has(family, FAMILIES[family].text_of(entry)):
                out.entries(family).append(copy.deepcopy(entry))
        return out

    def without_entries(self, removals: list[tuple[str, Any]]) -> "RuleSet":
        """A copy with ``(family, entry)`` pairs removed (matched on their text)."""
        out = self.copy()
        for family, entry in removals:
            fam = FAMILIES[family]
            text = fam.text_of(entry)
            lst = out.entries(family)
            lst[:] = [e for e in lst if fam.text_of(e) != text]
        return out

    def has_learned(self, rule: LearnedRule) -> bool:
        return any(r.family == rule.family and r.text == rule.text for r in self.learned)

    def add_learned(self, rule: LearnedRule) -> None:
        if not self.has(rule.family, rule.text):
            self.entries(rule.family).append(copy.deepcopy(rule.entry))
        self.learned.append(rule)

    def minimal(self) -> "RuleSet":
        """Numbers and units only, generic place suffixes, no title lexicon, no relation patterns.

        The starting point for measuring how much learning recovers.
        """
        out = self.copy()
        out.learned = []
        for fam in FAMILIES.values():
            _get(out.data[fam.file], fam.path).clear()
        titles = out.data["titles.yaml"]
        for key in ("org_suffixes", "start_markers", "village_markers"):
            titles[key] = []
        places = out.data["places.yaml"]
        for key in ("stem_blockers", "bad_endings", "org_words"):
            places[key] = []
        out.data["relations.yaml"]["recipient_cues"] = []
        return out

    # -- writing -----------------------------------------------------------------
    def validate(self) -> None:
        """Validate every file's data against its schema (raises :class:`RuleFileError`)."""
        for name, model in RULE_FILES.items():
            parse_yaml(yaml.safe_dump(self.data[name], allow_unicode=True), model, path=name)

    def write(self, out_dir: Path | str, *, header: str = "", check: bool = True) -> Path:
        """Write the rule files, ``learned.yaml`` and the copied files to ``out_dir``.

        With ``check`` every written file is read back through its schema.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        base = Path(self.base)
        by_file: dict[str, dict[str, dict[str, LearnedRule]]] = {}
        for rule in self.learned:
            by_file.setdefault(rule.file, {}).setdefault(rule.path, {})[rule.text] = rule
        for name in RULE_FILES:
            target = out / name
            if name not in by_file and (base / name).is_file() and self._unchanged(name):
                if base.resolve() != out.resolve():
                    shutil.copyfile(base / name, target)
                continue
            target.write_text(_emit(self.data[name], by_file.get(name, {}), header=header), encoding="utf-8")
        for name, text in self.copied.items():
            (out / name).write_text(text, encoding="utf-8")
        learned = LearnedFile(base=self.base, learned=self.learned).model_dump()
        (out / LEARNED_FILE).write_text(
            "# Rules added by `pipeline rules learn`, with the evidence each was kept on.\n"
            "# support: true positives it adds on the annotated articles (for not_* lists: false\n"
            "# positives it removes); negatives: the opposite; precision = support/(support+negatives).\n"
            + yaml.safe_dump(learned, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
        for name, model in RULE_FILES.items() if check else ():
            try:
                load_yaml(out / name, model)
            except RuleFileError as exc:  # a bug in the writer: report, do not hide
                raise RuleFileError([RuleProblem(str(out / name), None, "", f"written file invalid: {exc}")])
        return out

    def _unchanged(self, name: str) -> bool:
        return self.original.get(name) == self.data[name]


def _flow(value: Any) -> str:
    """One value on one line: JSON is valid YAML flow style."""
    return json.dumps(value, ensure_ascii=False)


def _note(rule: LearnedRule) -> str:
    return (f"  # learned ({rule.source}, round {rule.round}): support {rule.support}, "
            f"precision {rule.precision:.2f}, confidence {rule.confidence:.2f}")


def _emit(data: dict, learned: dict[str, dict[str, LearnedRule]], *, header: str) -> str:
    """YAML for one rule file; lists are written one entry per line so learned
    entries carry a comment with their scores."""
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    for key, value in data.items():
        lines.extend(_emit_value(key, value, learned, key, indent=""))
    return "\n".join(lines) + "\n"


def _emit_value(key: str, value: Any, learned: dict[str, dict[str, LearnedRule]], path: str,
                indent: str) -> Iterator[str]:
    if isinstance(value, list):
        if not value:
            yield f"{indent}{key}: []"
            return
        yield f"{indent}{key}:"
        notes = learned.get(path, {})
        fam = next((f for f in FAMILIES.values() if f.path == path), None)
        for item in value:
            text = fam.text_of(item) if fam else None
            note = _note(notes[text]) if text in notes else ""
            yield f"{indent}  - {_flow(item)}{note}"
    elif isinstance(value, dict) and value and any(isinstance(v, (list, dict)) for v in value.values()):
        yield f"{indent}{key}:"
        for k, v in value.items():
            yield from _emit_value(k, v, learned, f"{path}.{k}", indent + "  ")
    else:
        yield f"{indent}{key}: {_flow(value)}"
