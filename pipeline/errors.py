"""Errors raised by zh-news-ie.

Every error says what happened and what to do about it.  The CLI turns a
:class:`PipelineError` into one line on stderr and exit status 2; anything else
is a bug and keeps its traceback.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class PipelineError(Exception):
    """Base class of the errors a user can act on."""


class ConfigError(PipelineError):
    """A config file or override is invalid (unknown key, bad value)."""


@dataclass(frozen=True)
class RuleProblem:
    """One bad entry in a rule file: where it is and what is wrong with it."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" [{self.field}]" if self.field else ""
        return f"{where}{field}: {self.message}"


class RuleFileError(PipelineError):
    """One or more rule files are invalid; lists every problem found."""

    def __reduce__(self):  # pickled between processes (workers): keep the problems, not the message
        return (type(self), (self.problems,))

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in rule files; fix them and run again:\n{lines}"
        )


class ModelNotFoundError(PipelineError):
    """A model directory named in the config does not exist or is incomplete."""


class InputError(PipelineError):
    """An input path cannot be read at all (missing, unsupported type)."""
