"""Output paths built from article ids never leave the output directory.

Ids come from input files and JSONL lines, so they can hold anything:
``../../etc/passwd``, ``/abs/path``, ``C:\\x``, NUL bytes, 10,000 characters.
:func:`safe_name` turns an id into one harmless file name (stable, and
distinct ids stay distinct: a changed name gets a short hash of the id);
:func:`safe_output_path` joins it under the output directory and checks the
resolved result is still inside it.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

__all__ = ["UnsafePathError", "safe_name", "safe_output_path"]

_MAX_BYTES = 180  # + "-" and a 10-character hash + a suffix stays under 255 bytes
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


class UnsafePathError(ValueError):
    """A path would leave the output directory."""


def safe_name(article_id: str) -> str:
    """A file name for ``article_id``: no separators, no dot-only names, bounded length."""
    name = unicodedata.normalize("NFC", article_id).encode("utf-8", "replace").decode("utf-8")
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name or _RESERVED.match(name):
        name = f"_{name}"
    if name != article_id or len(name.encode("utf-8")) > _MAX_BYTES:
        digest = hashlib.sha1(article_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        name = f"{_cut_bytes(name, _MAX_BYTES)}-{digest}"
    return name


def _cut_bytes(name: str, limit: int) -> str:
    """The longest prefix of ``name`` of at most ``limit`` UTF-8 bytes (file systems count bytes)."""
    out, size = [], 0
    for ch in name:
        size += len(ch.encode("utf-8"))
        if size > limit:
            break
        out.append(ch)
    return "".join(out)


def safe_output_path(root: Path | str, article_id: str, suffix: str = "") -> Path:
    """``root / safe_name(article_id) + suffix``, guaranteed to lie inside ``root``."""
    if suffix and (_UNSAFE.search(suffix) or not suffix.startswith(".") or ".." in suffix):
        raise UnsafePathError(f"bad file suffix {suffix!r}")
    base = Path(root).resolve()
    path = (base / f"{safe_name(article_id)}{suffix}").resolve()
    if path.parent != base:
        raise UnsafePathError(f"{article_id!r} would be written outside {base}")
    return path
