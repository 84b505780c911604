"""Derived data cached on disk between processes (``~/.cache/zh-news-ie``).

Some tables are derived from data files at start-up (the gazetteer's short
forms, the word lists read from jieba's dictionary).  Deriving them costs
each process a fraction of a second; reading them back with :mod:`marshal`
costs a fraction of that.  A cache file's name holds a hash of everything
the derivation reads (a version string, the source files' size and mtime,
rule settings), so a changed input never reads stale data.
``ZH_NEWS_CACHE=0`` turns the cache off; a read-only home just derives.
"""
from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


def enabled() -> bool:
    return os.environ.get("ZH_NEWS_CACHE", "1") != "0"


def file_stamp(path: Path | str) -> str:
    """Size and mtime of a source file (``-`` when it cannot be read)."""
    try:
        st = Path(path).stat()
        return f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return "-"


def cache_path(name: str, key_parts: Iterable[str | bytes]) -> Path | None:
    """The cache file of ``name`` for these inputs, or None when caching is off."""
    if not enabled():
        return None
    h = hashlib.sha1()
    for part in key_parts:
        h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        h.update(b"\0")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "zh-news-ie" / f"{name}-{h.hexdigest()[:20]}.marshal"


def read(path: Path | None) -> Any:
    """The cached value, or None when absent or unreadable."""
    if path is None:
        return None
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def write(path: Path | None, value: Any) -> None:
    """Store ``value`` atomically (parallel workers never read half a file)."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(value))
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass  # a read-only home, or a value marshal cannot store: derive each time


def cached(name: str, key_parts: Iterable[str | bytes], derive: Callable[[], Any],
           valid: Callable[[Any], bool] = lambda v: v is not None) -> Any:
    """``derive()``, read from the cache when a valid value is there, else derived and stored."""
    path = cache_path(name, key_parts)
    got = read(path)
    if got is not None and valid(got):
        return got
    got = derive()
    write(path, got)
    return got
