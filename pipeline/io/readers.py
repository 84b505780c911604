"""Read input articles: text files, HTML pages, JSONL corpora, directories.

:func:`iter_inputs` streams :class:`SourceArticle` items.  A mistake that
spoils the whole run (a missing path, an unsupported file type) raises
:class:`~pipeline.errors.InputError` before anything is read; a problem with one
article (empty, binary, wrong encoding, broken JSONL line, duplicate id)
becomes an :class:`InputFailure` and reading goes on.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from .html import extract_html

__all__ = ["ACCEPTED_SUFFIXES", "InputFailure", "SourceArticle", "iter_inputs"]

ACCEPTED_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
_SUFFIX_TEXT = ".txt, .html, .htm or .jsonl files"
_ACCEPTED_TEXT = f"{_SUFFIX_TEXT}, or directories holding them"
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x0b") + b"\x7f"
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


@dataclass(frozen=True)
class SourceArticle:
    """One article to process.

    ``origin`` says where it came from (``"dir/a.txt"``, ``"corpus.jsonl:12"``);
    offsets in records are offsets into ``text``.
    """

    id: str
    text: str
    origin: str
    url: str | None = None


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
    yielded, so a typo fails fast with :class:`InputError`.
    """
    files = _expand(paths)
    return _dedupe(item for path in files for item in _read_file(path))


def _expand(paths: Sequence[Path | str]) -> list[Path]:
    if isinstance(paths, (str, Path)):
        raise TypeError("iter_inputs() takes a sequence of paths, e.g. [path]")
    files: list[Path] = []
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
        else:
            raise InputError(f"input not found: {path}; give {_ACCEPTED_TEXT}")
    return files


def _accepted(path: Path) -> bool:
    return path.suffix.lower() in ACCEPTED_SUFFIXES


def _dedupe(items: Iterable[SourceArticle | InputFailure]) -> Iterator[SourceArticle | InputFailure]:
    seen: dict[str, str] = {}
    for item in items:
        if isinstance(item, SourceArticle):
            if item.id in seen:
                hint = f"id {item.id!r} was first used by {seen[item.id]}; ids must be unique in a run, rename one"
                item = InputFailure(item.id, item.origin, "duplicate id", hint)
            else:
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
    decoded = _decode_bytes(data, name=str(path))
    if isinstance(decoded, _Problem) and html:
        decoded = _with_declared_charset(decoded, data)
    if isinstance(decoded, _Problem):
        return InputFailure(path.stem, str(path), decoded.reason, decoded.hint)
    url = None
    if html:
        page = extract_html(decoded)
        decoded, url = page.text, page.url
        if not decoded.strip():
            hint = "the page has no visible text outside scripts, navigation and forms"
            return InputFailure(path.stem, str(path), "no text in HTML page", hint)
    return SourceArticle(path.stem, decoded, str(path), url)


# ---------------------------------------------------------------- decoding


def _decode_bytes(data: bytes, *, name: str = "FILE") -> str | _Problem:
    """Decode article bytes: UTF-8, or UTF-8/UTF-16 with a byte-order mark.

    Returns the text, or a problem (empty, binary, not UTF-8) with a hint;
    ``name`` is used in the hint's conversion command.
    """
    if not data.strip():
        return _Problem("empty file", "the file holds no text (or only whitespace); remove it or fill it")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(encoding))
            except UnicodeDecodeError as exc:
                hint = f"it starts with a {encoding} byte-order mark but byte {exc.start} is invalid; save it as UTF-8"
                return _Problem("not UTF-8", hint)
    sample = data[:8192]
    if b"\x00" in sample or _share_of_control_bytes(sample) > 0.1:
        return _Problem("binary file", _binary_hint(sample, name))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _Problem("not UTF-8", _encoding_hint(data, exc.start, name))
    return _check_text(text)


def _check_text(text: str) -> str | _Problem:
    if not text.strip():
        return _Problem("empty file", "the file holds no text (or only whitespace); remove it or fill it")
    sample = text[:8192]
    if "\x00" in sample or len(_CONTROL_CHARS.findall(sample)) > 0.1 * len(sample):
        return _Problem("binary file", "it decodes to mostly control characters, so it is not a text file")
    return text


def _binary_hint(sample: bytes, name: str) -> str:
    for encoding in ("utf-16-le", "utf-16-be"):
        text = _try_decode(sample, encoding)
        if text and len(_CONTROL_CHARS.findall(text)) <= 0.01 * len(text) and any(ord(c) > 0x2E80 for c in text):
            iconv = encoding.upper().replace("-LE", "LE").replace("-BE", "BE")
            return (f"it looks like {iconv} without a byte-order mark; convert it with: "
                    f"iconv -f {iconv} -t UTF-8 {name} > {name}.utf8")
    return "it holds NUL or control bytes, so it is not a text file; check the path"


def _share_of_control_bytes(sample: bytes) -> float:
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / max(len(sample), 1)


def _encoding_hint(data: bytes, bad_byte: int, name: str) -> str:
    guess = _guess_legacy_encoding(data)
    if guess is None:
        return (f"byte {bad_byte} is not valid UTF-8 and the encoding is unknown; convert the file to UTF-8, "
                f"e.g. iconv -f <ENCODING> -t UTF-8 {name} > {name}.utf8")
    label, iconv_name = guess
    return (f"byte {bad_byte} is not valid UTF-8; the file looks like {label}. Convert it with: "
            f"iconv -f {iconv_name} -t UTF-8 {name} > {name}.utf8")


def _guess_legacy_encoding(data: bytes) -> tuple[str, str] | None:
    """The likely legacy Chinese encoding of ``data``, as (label, iconv name)."""
    sample = data[:65536]
    gbk = _try_decode(sample, "gbk")
    if gbk is not None and _share_encodable(gbk, "gb2312") >= 0.8:
        return "GBK/GB18030 (simplified Chinese)", "GBK"
    if _try_decode(sample, "big5") is not None:
        return "Big5 (traditional Chinese)", "BIG5"
    if gbk is not None or _try_decode(sample, "gb18030") is not None:
        return "GB18030/GBK", "GB18030"
    return None


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 4:  # a character cut off by the sample
            return _try_decode(data[: exc.start], encoding) if exc.start else None
        return None


def _share_encodable(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters of ``text`` that ``encoding`` can encode."""
    chars = [c for c in text if ord(c) > 127][:4000]
    if not chars:
        return 1.0
    ok = 0
    for char in chars:
        try:
            char.encode(encoding)
            ok += 1
        except UnicodeEncodeError:
            pass
    return ok / len(chars)


def _with_declared_charset(problem: _Problem, data: bytes) -> _Problem:
    m = _DECLARED_CHARSET.search(data[:4096])
    if m is None or problem.reason != "not UTF-8":
        return problem
    charset = m.group(1).decode("ascii")
    return _Problem(problem.reason, f"the page declares charset={charset}; {problem.hint}")


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
    """Stream decoded lines; UTF-16 files (with BOM) are decoded as text."""
    try:
        with path.open("rb") as fh:
            head = fh.read(2)
    except OSError as exc:
        yield 1, _Problem("cannot read file", f"{exc.strerror or exc}; check the permissions")
        return
    if head in (b"\xff\xfe", b"\xfe\xff"):
        yield from _utf16_lines(path)
        return
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield lineno, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield lineno, _Problem("not UTF-8", _encoding_hint(raw, exc.start, str(path)))


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
    article_id = str(raw_id).strip()
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
    return SourceArticle(article_id, text, origin, url)
