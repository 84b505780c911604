"""Record writers (the seam for more output stores).

A writer is a context manager with ``write(article)``.  JSONL is the default:
one record per line, each line written and flushed whole.
"""
from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol

from .records import Article


class RecordWriter(Protocol):
    def write(self, article: Article) -> None: ...
    def __enter__(self) -> RecordWriter: ...
    def __exit__(self, *exc: object) -> None: ...


class JsonlWriter:
    """Write one JSON record per line to a file (``-`` for stdout)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._fh: IO[str] | None = None

    def __enter__(self) -> JsonlWriter:
        if self.path == "-":
            self._fh = sys.stdout
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "w", encoding="utf-8")
        return self

    def write(self, article: Article) -> None:
        assert self._fh is not None, "use the writer as a context manager"
        self._fh.write(article.model_dump_json() + "\n")
        self._fh.flush()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fh is not None and self._fh is not sys.stdout:
            self._fh.close()


def open_writer(path: Path | str) -> RecordWriter:
    """A writer for ``path``; only JSONL exists so far."""
    return JsonlWriter(path)
