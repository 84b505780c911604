"""Load rule files (YAML or JSONL) and validate them with pydantic.

Rule files are data users edit.  A mistake must point at the file, line and
field, and all mistakes are reported at once, as spaCy's ``MatchPatternError``
does for patterns.  YAML is read with the safe loader only (no code runs).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import RuleFileError, RuleProblem

M = TypeVar("M", bound=BaseModel)


def _line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its nearest parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            nxt = node.value[key]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


def _problems(err: ValidationError, path: Path, node: yaml.Node | None) -> list[RuleProblem]:
    out = []
    for e in err.errors():
        loc = e["loc"]
        out.append(RuleProblem(str(path), _line_of(node, loc), ".".join(map(str, loc)), e["msg"]))
    return out


def alternation(words: Iterable[str]) -> str:
    """``a|b|…`` of the escaped words, longest first (so 党委书记 wins over 书记);
    an empty list gives a pattern that never matches, not one that matches everywhere."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(map(re.escape, unique)) if unique else "(?!)"


# libyaml's loader when PyYAML was built with it (ten times faster: a pipeline
# reads a dozen rule files and `rules learn` builds a pipeline per trial)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, model: type[M], *, path: Path | str = "<string>") -> M:
    """Validate YAML ``text`` against ``model``; raise :class:`RuleFileError` on problems."""
    path = Path(path)
    try:
        data: Any = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RuleFileError([RuleProblem(str(path), line, "", f"not valid YAML: {exc}")]) from None
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as err:
        # the node tree (for line numbers) is only built when there is a problem to place
        raise RuleFileError(_problems(err, path, yaml.compose(text, Loader=_Loader))) from None


def load_yaml(path: Path | str, model: type[M]) -> M:
    """Read and validate one YAML rule file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError([RuleProblem(str(path), None, "", f"cannot read: {exc}")]) from None
    return parse_yaml(text, model, path=path)


def load_jsonl(path: Path | str, model: type[M]) -> list[M]:
    """Read a JSONL rule file: one ``model`` per non-empty, non-comment line."""
    path = Path(path)
    problems: list[RuleProblem] = []
    entries: list[M] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError([RuleProblem(str(path), None, "", f"cannot read: {exc}")]) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            entries.append(model.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(RuleProblem(str(path), number, "", f"not valid JSON: {exc.msg}"))
        except ValidationError as err:
            for e in err.errors():
                field = ".".join(map(str, e["loc"]))
                problems.append(RuleProblem(str(path), number, field, e["msg"]))
    if problems:
        raise RuleFileError(problems)
    return entries


def merge_problems(*errors: RuleFileError) -> RuleFileError:
    """Combine the problems of several files into one error."""
    return RuleFileError([p for e in errors for p in e.problems])


def config_key_line(path: Path | str, key: str) -> int | None:
    """The 1-based line of ``key`` in a spaCy/confection ``.cfg`` file, or None.

    ``key`` is dotted: ``components.scope.use_title`` (section path, then the
    key), or, as spaCy reports component settings, ``zh_news_scope.use_title``
    (the factory name, then the key).  Only the text is scanned; nothing in
    the file is evaluated.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    section_path, _, name = key.rpartition(".")
    section, factories, found = "", {}, {}
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
            found.setdefault((section, ""), number)
            continue
        k, sep, v = stripped.partition("=")
        if not sep or stripped.startswith(("#", ";")):
            continue
        found.setdefault((section, k.strip()), number)
        if k.strip() == "factory":
            factories[v.strip().strip("\"'")] = section
    section = factories.get(section_path, section_path)
    return found.get((section, name)) or found.get((key, "")) or found.get((section, ""))
