"""Readers for public NER data and the gold-article format.

Every reader yields :class:`Sentence` objects (text + character spans with
the SOURCE label, end exclusive).  Bad lines raise :class:`DataError`
naming file and line.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import PipelineError

Format = Literal["cluener", "bio", "bmes", "gold"]
FORMATS: tuple[str, ...] = ("cluener", "bio", "bmes", "gold")


class DataError(PipelineError):
    """A data file cannot be read; the message names file and line."""


@dataclass
class Sentence:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    origin: str = ""


def read(path: Path, fmt: str) -> Iterator[Sentence]:
    """Sentences from ``path`` in format ``fmt`` (cluener, bio, bmes, gold)."""
    readers = {"cluener": read_cluener, "bio": read_tagged, "bmes": read_tagged, "gold": read_gold}
    if fmt not in readers:
        raise DataError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not path.exists():
        raise DataError(f"{path}: not found")
    return readers[fmt](path)


def read_cluener(path: Path) -> Iterator[Sentence]:
    """CLUENER2020 JSON lines; its offsets are END-INCLUSIVE."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                obj = json.loads(line)
                text = obj["text"]
                spans = []
                for label, mentions in (obj.get("label") or {}).items():
                    for surface, offsets in mentions.items():
                        for start, end_incl in offsets:
                            if text[start:end_incl + 1] != surface:
                                raise DataError(f"{where}: span {start}-{end_incl} is "
                                                f"{text[start:end_incl + 1]!r}, not {surface!r}")
                            spans.append((start, end_incl + 1, label))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise DataError(f"{where}: not a CLUENER record ({exc})") from None
            yield Sentence(text, sorted(spans), where)


def read_tagged(path: Path) -> Iterator[Sentence]:
    """One character and its tag per line (BIO or BMES/BIOES); blank line ends a sentence."""
    chars: list[str] = []
    tags: list[str] = []
    start_line = 1
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\n")
            if not line.strip():
                if chars:
                    yield _sentence(chars, tags, f"{path}:{start_line}")
                chars, tags, start_line = [], [], number + 1
                continue
            parts = line.split()
            if len(parts) != 2 or len(parts[0]) != 1:
                raise DataError(f"{path}:{number}: expected 'CHAR TAG', got {line!r}")
            chars.append(parts[0])
            tags.append(parts[1])
    if chars:
        yield _sentence(chars, tags, f"{path}:{start_line}")


def _sentence(chars: list[str], tags: list[str], origin: str) -> Sentence:
    spans: list[tuple[int, int, str]] = []
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, name = tag.partition("-")
        begins = prefix in ("B", "S") or (prefix in ("I", "M", "E") and name != label)
        if start is not None and (prefix in ("O", "") or begins):
            spans.append((start, i, label))
            start, label = None, None
        if begins:
            start, label = i, name
        if prefix in ("E", "S") and start is not None:
            spans.append((start, i + 1, label))
            start, label = None, None
    return Sentence("".join(chars), spans, origin)


def read_gold(path: Path) -> Iterator[Sentence]:
    """Gold articles (GUIDELINES format): a folder of *.json or one file.

    Names, titles and places listed in the records are located in the text
    (every occurrence) and labelled PERSON, TITLE, PLACE.
    """
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    for f in files:
        try:
            g = json.loads(f.read_text(encoding="utf-8"))
            text = g["text"]
        except (json.JSONDecodeError, KeyError, OSError) as exc:
            raise DataError(f"{f}: not a gold article ({exc})") from None
        surfaces: dict[str, str] = {}
        for o in g.get("officials") or []:
            surfaces[o["name"]] = "PERSON"
            if o.get("title"):
                surfaces.setdefault(o["title"], "TITLE")
        for rec in (g.get("officials") or []) + (g.get("counts") or []) + (g.get("amounts") or []):
            if rec.get("place"):
                surfaces.setdefault(rec["place"], "PLACE")
        yield Sentence(text, _locate(text, surfaces), str(f))


def _locate(text: str, surfaces: dict[str, str]) -> list[tuple[int, int, str]]:
    """Every occurrence of each surface; places first, and a title that shares
    its first character with a place (石坳镇|委书记) starts after the place."""
    spans: list[tuple[int, int, str]] = []
    order = {"PLACE": 0, "PERSON": 1, "TITLE": 2}
    for surface in sorted(surfaces, key=lambda w: (order.get(surfaces[w], 3), -len(w))):
        start = text.find(surface)
        while start >= 0:
            end = start + len(surface)
            s = max([e for s0, e, _ in spans if s0 < start < e] or [start])
            if s < end and not any(s0 < end and s < e for s0, e, _ in spans):
                spans.append((s, end, surfaces[surface]))
            start = text.find(surface, end)
    return sorted(spans)
