"""Read input articles: text files, HTML pages, JSONL corpora, directories.

:func:`iter_inputs` streams :class:`SourceArticle` items.  A mistake that
spoils the whole run (no given path exists, an unsupported file type) raises
:class:`~pipeline.errors.InputError` before anything is read; a problem with one
input (a missing path among others that exist, an empty, binary or
undecodable file, a broken JSONL line, a duplicate id) becomes an
:class:`InputFailure` and reading goes on.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from .decoding import (SAMPLE_BYTES, SHORT_BYTES, Decoded, DecodeProblem, decode_bytes, detect_encoding,
                       text_problem, utf8_doubt)
from .html import extract_html

__all__ = ["ACCEPTED_SUFFIXES", "InputFailure", "SourceArticle", "iter_inputs"]

ACCEPTED_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
_SUFFIX_TEXT = ".txt, .html, .htm or .jsonl files"
_ACCEPTED_TEXT = f"{_SUFFIX_TEXT}, or directories holding them"
_ENCODING_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030", "big5": "Big5", "cp950": "Big5", "big5hkscs": "Big5"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


@dataclass(frozen=True)
class SourceArticle:
    """One article to process.

    ``origin`` says where it came from (``"dir/a.txt"``, ``"corpus.jsonl:12"``);
    offsets in records are offsets into ``text``.  ``extracted`` is true when
    ``text`` is not the file as is (the visible text of an HTML page), so the
    record carries it.
    """

    id: str
    text: str
    origin: str
    url: str | None = None
    extracted: bool = False


@dataclass(frozen=True)
class InputFailure:
    """An article that could not be read: what went wrong and what to do."""

    id: str
    origin: str
    reason: str
    hint: str


@dataclass(frozen=True)
class _Problem:
    reason: str
    hint: str


def iter_inputs(paths: Sequence[Path | str]) -> Iterator[SourceArticle | InputFailure]:
    """Stream the articles of ``paths`` (files or directories) in order.

    Directories contribute their ``.txt``/``.html``/``.htm``/``.jsonl`` files
    sorted by name (not recursive); a file's id is its stem.  JSONL files are
    read line by line.  All paths are checked before the first article is
    yielded: when none of them exists (a typo), :class:`InputError`; a missing
    path among others becomes an :class:`InputFailure` in its place.
    """
    sources = _expand(paths)
    return _dedupe(item for source in sources for item in _read_source(source))


def _read_source(source: Path | InputFailure) -> Iterator[SourceArticle | InputFailure]:
    if isinstance(source, InputFailure):
        yield source
    else:
        yield from _read_file(source)


def _expand(paths: Sequence[Path | str]) -> list[Path | InputFailure]:
    if isinstance(paths, (str, Path)):
        raise TypeError("iter_inputs() takes a sequence of paths, e.g. [path]")
    some_exist = any(Path(p).exists() for p in paths)
    files: list[Path | InputFailure] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            members = [p for p in path.iterdir() if p.is_file() and _accepted(p) and not p.name.startswith(".")]
            if not members:
                raise InputError(f"directory {path} holds no {_SUFFIX_TEXT} (subdirectories are not read)")
            files.extend(sorted(members, key=lambda p: p.name))
        elif path.is_file():
            if not _accepted(path):
                kind = path.suffix or "(no suffix)"
                raise InputError(f"unsupported input type {kind}: {path}; give {_ACCEPTED_TEXT}")
            files.append(path)
        elif path.exists():
            raise InputError(f"input {path} is neither a file nor a directory; give {_ACCEPTED_TEXT}")
        elif some_exist:
            hint = f"no file or directory has this name; check the spelling (give {_ACCEPTED_TEXT})"
            files.append(InputFailure(path.stem or str(path), str(path), "input not found", hint))
        else:
            raise InputError(f"input not found: {path}; give {_ACCEPTED_TEXT}")
    return files


def _accepted(path: Path) -> bool:
    return path.suffix.lower() in ACCEPTED_SUFFIXES


def _dedupe(items: Iterable[SourceArticle | InputFailure]) -> Iterator[SourceArticle | InputFailure]:
    """Every record of a run gets its own id: a repeated id becomes an error record
    whose id names where it came from (``x@b/x.txt``), so stores keyed on the id
    (SQLite, resume) see each input once."""
    seen: dict[str, str] = {}
    for item in items:
        if item.id in seen:
            reason = "duplicate id" if isinstance(item, SourceArticle) else item.reason
            hint = f"id {item.id!r} was first used by {seen[item.id]}; ids must be unique in a run, rename one"
            new_id, n = f"{item.id}@{item.origin}", 2
            while new_id in seen:
                new_id, n = f"{item.id}@{item.origin}#{n}", n + 1
            item = InputFailure(new_id, item.origin, reason,
                                hint if isinstance(item, SourceArticle) else f"{item.hint}; also: {hint}")
        seen[item.id] = item.origin
        yield item


def _read_file(path: Path) -> Iterator[SourceArticle | InputFailure]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(path)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield InputFailure(path.stem, str(path), "cannot read file", f"{exc.strerror or exc}; check the permissions")
        return
    yield _article_from_bytes(data, path, html=suffix in (".html", ".htm"))


def _article_from_bytes(data: bytes, path: Path, *, html: bool) -> SourceArticle | InputFailure:
    decoded = _decode_bytes(data, name=str(path), html=html)
    if isinstance(decoded, _Problem):
        return InputFailure(path.stem, str(path), decoded.reason, decoded.hint)
    url = None
    if html:
        page = extract_html(decoded)
        decoded, url = page.text, page.url
        if not decoded.strip():
            hint = "the page has no visible text outside scripts, navigation and forms"
            return InputFailure(path.stem, str(path), "no text in HTML page", hint)
    return SourceArticle(path.stem, decoded, str(path), url, extracted=html)


# ---------------------------------------------------------------- decoding


def _decode_bytes(data: bytes, *, name: str = "FILE", html: bool = False) -> str | _Problem:
    """Decode article bytes (see :mod:`pipeline.io.decoding`); a problem carries a hint."""
    decoded = decode_bytes(data, name=name, html=html)
    if isinstance(decoded, DecodeProblem):
        return _Problem(decoded.reason, decoded.hint)
    return decoded.text


def _check_text(text: str) -> str | _Problem:
    problem = text_problem(text)
    return text if problem is None else _Problem(problem.reason, problem.hint)


def _without_surrogates(text: str) -> str:
    """JSON can spell lone surrogates (\\ud800); they cannot be written back as UTF-8.
    Each becomes U+FFFD, so offsets do not move."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


# ---------------------------------------------------------------- JSONL


def _read_jsonl(path: Path) -> Iterator[SourceArticle | InputFailure]:
    """One article per non-blank line; a bad line becomes a failure."""
    for lineno, line in _jsonl_lines(path):
        origin, fallback_id = f"{path}:{lineno}", f"{path.stem}:{lineno}"
        if isinstance(line, _Problem):
            yield InputFailure(fallback_id, origin, line.reason, line.hint)
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            hint = f"{exc.msg} at column {exc.colno}; each line must be one JSON object"
            yield InputFailure(fallback_id, origin, "not valid JSON", hint)
            continue
        yield _article_from_record(record, origin, fallback_id)


def _jsonl_lines(path: Path) -> Iterator[tuple[int, str | _Problem]]:
    """Stream decoded lines.

    UTF-16 files (with BOM) are decoded as text; otherwise the encoding of
    the file is UTF-8 unless its first 64 KB are not UTF-8 and a legacy
    encoding (GBK/GB18030, Big5) is found, which then decodes every line:
    with few non-ASCII bytes the one whose reading is Chinese (as for a short
    text file; when that is undecidable every line says so), else the one the
    detector finds.  A line that does not decode becomes a problem on its own.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(SAMPLE_BYTES)
    except OSError as exc:
        yield 1, _Problem("cannot read file", f"{exc.strerror or exc}; check the permissions")
        return
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        yield from _utf16_lines(path)
        return
    encoding = _jsonl_encoding(head, str(path))
    short = _few_non_ascii(head)
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                yield lineno, _undecoded_line(raw, exc.start, encoding, str(path), short=short)
                continue
            doubt = utf8_doubt(raw, line, name=str(path)) if short and encoding == "utf-8" else None
            yield lineno, line if doubt is None else _Problem(doubt.reason, doubt.hint)


def _few_non_ascii(data: bytes) -> bool:
    return len(data.translate(None, bytes(range(128)))) < SHORT_BYTES


def _jsonl_encoding(head: bytes, name: str) -> str:
    """The encoding that decodes every line (a line it does not fit fails alone)."""
    whole_lines = head[: head.rfind(b"\n") + 1] or head if len(head) == SAMPLE_BYTES else head
    if _few_non_ascii(whole_lines):
        decoded = decode_bytes(whole_lines, name=name)
        if isinstance(decoded, Decoded) and decoded.encoding in _ENCODING_NAMES:
            return decoded.encoding
        return "utf-8"  # too little for a detector to guess from: each line shows whether it is UTF-8
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut off by the sample
            return "utf-8"
    found = detect_encoding(head[: head.rfind(b"\n") + 1] or head)
    return found if found in ("gb18030", "big5", "cp950", "big5hkscs") else "utf-8"


def _undecoded_line(raw: bytes, bad_byte: int, encoding: str, name: str, *, short: bool) -> _Problem:
    if short:  # a short line may be Chinese in an encoding no reading can tell: say so
        decoded = decode_bytes(raw.rstrip(b"\r\n"), name=name)
        if isinstance(decoded, DecodeProblem) and decoded.reason == "encoding undecidable":
            return _Problem(decoded.reason, decoded.hint)
    return _Problem(f"not {_ENCODING_NAMES.get(encoding, encoding)}", _line_hint(raw, bad_byte, encoding, name))


def _line_hint(raw: bytes, bad_byte: int, encoding: str, name: str) -> str:
    found = detect_encoding(raw)
    looks = f"; the line looks like {found.upper()}" if found and found != encoding else ""
    return (f"byte {bad_byte} of the line is not valid {_ENCODING_NAMES.get(encoding, encoding)}{looks}. "
            f"Save the whole file in one encoding, e.g. iconv -f {(found or '<ENCODING>').upper()} -t UTF-8")


def _utf16_lines(path: Path) -> Iterator[tuple[int, str | _Problem]]:
    lineno = 0
    try:
        with path.open(encoding="utf-16", newline="\n") as fh:
            for lineno, line in enumerate(fh, start=1):
                yield lineno, line
    except UnicodeDecodeError:
        hint = "the rest of this UTF-16 file cannot be decoded; re-save it as UTF-8"
        yield lineno + 1, _Problem("not UTF-16", hint)


def _json_type(value: Any) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def _article_from_record(record: Any, origin: str, fallback_id: str) -> SourceArticle | InputFailure:
    shape = 'each line must be an object like {"id": "a1", "text": "...", "url": "..."}'
    if not isinstance(record, dict):
        hint = f"the line holds a JSON {_json_type(record)}; {shape}"
        return InputFailure(fallback_id, origin, "not a JSON object", hint)
    if "id" not in record:
        return InputFailure(fallback_id, origin, 'missing "id"', shape)
    raw_id = record["id"]
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or not str(raw_id).strip():
        hint = f'"id" must be a non-empty string or an integer, got {_json_type(raw_id)} {raw_id!r}'
        return InputFailure(fallback_id, origin, 'bad "id"', hint)
    article_id = _without_surrogates(str(raw_id).strip())
    text, url = record.get("text"), record.get("url")
    if "text" not in record:
        return InputFailure(article_id, origin, 'missing "text"', shape)
    if not isinstance(text, str):
        return InputFailure(article_id, origin, 'bad "text"', f'"text" must be a string, got {_json_type(text)}')
    if url is not None and not isinstance(url, str):
        return InputFailure(article_id, origin, 'bad "url"', f'"url" must be a string or null, got {_json_type(url)}')
    checked = _check_text(text)
    if isinstance(checked, _Problem):
        reason = "empty text" if checked.reason == "empty file" else "binary text"
        return InputFailure(article_id, origin, reason, checked.hint.replace("the file", '"text"'))
    url = _without_surrogates(url) if url is not None else None
    return SourceArticle(article_id, _without_surrogates(text), origin, url)
