"""Options and helpers shared by the ``pipeline`` command modules.

:mod:`pipeline.cli` and the modules beside it (``cli_review``, ``cli_rules``,
``cli_scale``) import from here, never from each other, so there is no import
circle: ``cli`` imports the others to register their commands.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .errors import ConfigError

__all__ = ["ConfigOpt", "OutputDirOpt", "SetOpt", "parse_overrides", "readable_error"]

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", metavar="PATH",
                                                   help="Pipeline config (.cfg).")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", metavar="KEY=VALUE",
                                                     help="Override a config value, e.g. "
                                                          "components.numbers.tables=my.yaml (repeatable).")]


def OutputDirOpt(help: str) -> Any:  # noqa: N802 (an Annotated option, named like the others)
    """``--output``/``-o`` for a folder to write; ``--out``, its older name, is accepted too."""
    return typer.Option("--output", "-o", "--out", metavar="DIR", help=help)


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """``components.numbers.tables=x.yaml`` → {"components.numbers.tables": "x.yaml"}."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"bad --set {item!r}: write section.key=value")
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


_TYPE_NAMES = {"bool": "true or false", "str": "a string", "int": "an integer", "float": "a number"}


def readable_error(message: str) -> str:
    """A user error as one line, with Python type reprs spelled for people
    (confection's "'maybe' is not <class 'bool'>" → "'maybe' is not true or false")."""
    return re.sub(r"<class '(\w+)'>", lambda m: _TYPE_NAMES.get(m.group(1), m.group(1)), message)
