"""Turn the bytes of an article into text, whatever encoding it came in.

Order of trust, most certain first:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. UTF-16 without a mark, recognised by its NUL bytes;
3. NUL or control bytes otherwise mean a binary file;
4. strict UTF-8 (almost never decodes legacy Chinese text by accident);
5. for HTML, the charset the page declares, if the bytes decode with it;
6. with few non-ASCII bytes (under :data:`SHORT_BYTES`), too few for a
   detector: GB18030 and Big5, the encodings this news comes in, each
   decoded strictly and kept only when it reads as common Chinese
   (:mod:`pipeline.io.chinese`); when neither or both do, the input is a
   :class:`DecodeProblem` ("encoding undecidable") quoting the readings;
7. otherwise the encoding detected by charset-normalizer on the first 64 KB
   (GBK/GB18030, Big5, …), then the whole file decoded strictly with it.

Short inputs are held to the same standard at steps 2 and 4: UTF-16 without
a mark must read as Chinese (or plain ASCII), and a UTF-8 reading with
only two-byte characters (Latin, Greek, Cyrillic …), where GB18030 or Big5
reads as Chinese, is undecidable, not UTF-8.

Whatever is chosen, the decoded text must look like text (few control
characters); otherwise the result is a :class:`DecodeProblem` with a hint,
which readers turn into an error record.  Nothing is decoded with
``errors="replace"``: a byte that does not fit is reported, not guessed.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

from .chinese import Reading, reading_of

__all__ = ["SHORT_BYTES", "Decoded", "DecodeProblem", "decode_bytes", "detect_encoding", "looks_binary",
           "text_problem", "utf8_doubt"]

SAMPLE_BYTES = 65536
# Inputs with fewer non-ASCII bytes than this are decoded by the Chinese
# readings (step 6): charset-normalizer misreads a third of 10–30 byte GBK
# lines and a tenth at 30–60 bytes, none from about 120 bytes on.
SHORT_BYTES = 1024
PLAUSIBLE_SHARE = 0.75  # of the letters among the common Chinese characters
MARGIN = 2.0  # nats per letter by which the likelier of two Chinese readings must win
_CHINESE_CODECS = (("gb18030",), ("big5", "cp950", "big5hkscs"))
_ASCII = bytes(range(128))
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x0b\x1a\x1b") + b"\x7f"
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# A detected or declared name → the codec to decode with (supersets first).
_SUPERSETS = {
    "gb2312": ("gb18030",), "gbk": ("gb18030",), "cp936": ("gb18030",), "gb18030": ("gb18030",),
    "hz": ("hz",), "big5": ("big5", "cp950", "big5hkscs"), "cp950": ("cp950", "big5hkscs"),
    "big5hkscs": ("big5hkscs",),
}
_LABELS = {"gb18030": "GB18030/GBK", "big5": "Big5", "cp950": "Big5", "big5hkscs": "Big5-HKSCS"}


@dataclass(frozen=True)
class Decoded:
    """Decoded text and the codec that decoded it (``"utf-8"``, ``"gb18030"``, …)."""

    text: str
    encoding: str


@dataclass(frozen=True)
class DecodeProblem:
    """Why bytes could not become text, and what the user can do."""

    reason: str
    hint: str


def decode_bytes(data: bytes, *, name: str = "FILE", html: bool = False) -> Decoded | DecodeProblem:
    """Decode the bytes of one article (see the module docstring for the order).

    ``name`` goes into the hint's conversion command; ``html`` lets a declared
    ``<meta charset>`` be tried before the detector.
    """
    if not data.strip():
        return _empty()
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, name, why=f"it starts with a {encoding.upper()} byte-order mark")
    sample = data[:SAMPLE_BYTES]
    short = len(sample.translate(None, _ASCII)) < SHORT_BYTES
    if b"\x00" in sample:
        utf16 = _utf16_without_bom(data, short=short)
        if utf16 is not None:
            return utf16
        return DecodeProblem("binary file", "it holds NUL bytes and is not UTF-16 text, so it is not a text "
                                            "file; check the path")
    if looks_binary(sample):
        return DecodeProblem("binary file", "it holds mostly control bytes, so it is not a text file; check the path")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        doubt = utf8_doubt(data, text, name=name) if short else None
        return doubt or _checked(text, "utf-8")
    if html:
        declared = declared_charset(data)
        # old Chinese sites often mislabel GBK pages as latin-1: only a Unicode or
        # CJK declaration is trusted, any other goes to the detector
        if declared is not None and _cjk_or_unicode(declared):
            for codec in _codecs_for(declared):
                try:
                    return _checked(data.decode(codec), codec)
                except (UnicodeDecodeError, LookupError):
                    continue
    if short:
        readings = _chinese_readings(data)
        if readings:
            return _choose_reading(data, name, readings)
        if len(data) < SHORT_BYTES:
            return _undetected(data, name)
        # long and mostly ASCII, and neither GB18030 nor Big5 fits: let the detector try
    encoding = detect_encoding(sample)
    if encoding is None:
        return _undetected(data, name)
    label = _LABELS.get(encoding, encoding.upper())
    return _strict(data, encoding, name, why=f"it looks like {label}")


@dataclass(frozen=True)
class _Reading:
    """The text one codec makes of the bytes, and how Chinese it reads."""

    text: str
    codec: str
    measure: Reading

    @property
    def plausible(self) -> bool:
        return self.measure.plausible(PLAUSIBLE_SHARE)


def _chinese_readings(data: bytes) -> list[_Reading]:
    """The strict GB18030 and Big5 decodings of ``data`` that hold text (no control,
    private-use or unassigned characters)."""
    readings = []
    for codecs in _CHINESE_CODECS:
        for codec in codecs:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if text_problem(text) is None and not _odd_share(text):
                readings.append(_Reading(text, codec, reading_of(text)))
            break
    return readings


def _choose_reading(data: bytes, name: str, readings: list[_Reading]) -> Decoded | DecodeProblem:
    """The reading that is plausible Chinese when the others are not, or are less
    likely by a clear margin; a single character (one letter) is taken only when no
    other codec makes text of the bytes.  Otherwise the input is undecidable."""
    distinct = list({r.text: r for r in readings}.values())
    plausible = [r for r in distinct if r.plausible]
    if not plausible:
        return _undecidable(data, name, readings)
    best = max(plausible, key=lambda r: r.measure.log_likelihood)
    others = [r for r in distinct if r is not best]
    clear = all(not r.plausible or best.measure.log_likelihood - r.measure.log_likelihood > MARGIN for r in others)
    if not others or (clear and best.measure.letters >= 2):
        return Decoded(best.text, best.codec)
    return _undecidable(data, name, readings)


def _undecidable(data: bytes, name: str, readings: list[_Reading]) -> DecodeProblem:
    shown = "; ".join(f"as {_LABELS.get(r.codec, r.codec.upper())} it reads {_quote(r.text)}" for r in readings)
    if any(r.plausible for r in readings):
        verdict = f"it is not clear which encoding is meant ({shown})"
    else:
        verdict = f"none of its readings is common Chinese text ({shown})"
    few = len(data.translate(None, _ASCII))
    hint = (f"{few} non-ASCII bytes are too few to detect the encoding, and {verdict}. "
            f"Save it as UTF-8, e.g. iconv -f GBK -t UTF-8 {name} > {name}.utf8 (or -f BIG5)")
    return DecodeProblem("encoding undecidable", hint)


def _quote(text: str, limit: int = 24) -> str:
    cut = text.strip() if len(text.strip()) <= limit else text.strip()[:limit] + "…"
    return "«" + "".join(c if c.isprintable() else " " for c in cut) + "»"


def utf8_doubt(data: bytes, text: str, *, name: str = "FILE") -> DecodeProblem | None:
    """For short ``data`` that decodes as UTF-8 to ``text``: a problem when the UTF-8
    reading is only two-byte characters while GB18030 or Big5 reads as Chinese."""
    if not _two_byte_utf8_only(text):
        return None
    readings = _chinese_readings(data)
    if not any(r.plausible for r in readings):
        return None
    return _undecidable(data, name, [_Reading(text, "utf-8", reading_of(text)), *readings])


def _two_byte_utf8_only(text: str) -> bool:
    """Non-ASCII, yet every character below U+0800 (Latin, Greek, Cyrillic, Hebrew …):
    the one kind of UTF-8 that pairs of GBK bytes often make (一 reads as һ)."""
    return not text.isascii() and all(ord(c) < 0x800 for c in text)


def _cjk_or_unicode(charset: str) -> bool:
    c = charset.lower().replace("_", "-")
    return c.startswith(("utf", "gb", "big5", "cp936", "cp950", "hz", "euc-cn", "euc-tw", "x-gbk", "ms936"))


def detect_encoding(sample: bytes) -> str | None:
    """The codec charset-normalizer finds for ``sample`` (mapped to a superset), or None."""
    best = from_bytes(sample).best()
    if best is None:
        return None
    return _codecs_for(best.encoding)[0]


def declared_charset(data: bytes) -> str | None:
    """The ``<meta charset>`` an HTML page declares in its first 4 KB, if any."""
    m = _DECLARED_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def looks_binary(sample: bytes) -> bool:
    """More than a tenth of the bytes are control bytes (other than tab, line breaks, form feed)."""
    if not sample:
        return False
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample) > 0.1


def text_problem(text: str) -> DecodeProblem | None:
    """Empty, or decoded to control characters or unassigned code points: not article text."""
    if not text.strip():
        return _empty()
    sample = text[:8192]
    if "\x00" in sample or len(_CONTROL_CHARS.findall(sample)) > 0.1 * len(sample):
        return DecodeProblem("binary file", "it decodes to mostly control characters, so it is not a text file")
    return None


def _codecs_for(name: str) -> tuple[str, ...]:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return (name,)
    return _SUPERSETS.get(canonical, (canonical,))


def _strict(data: bytes, encoding: str, name: str, *, why: str) -> Decoded | DecodeProblem:
    last: UnicodeDecodeError | None = None
    for codec in _codecs_for(encoding) if encoding not in ("utf-8-sig", "utf-16", "utf-32") else (encoding,):
        try:
            return _checked(data.decode(codec), codec)
        except UnicodeDecodeError as exc:
            last = exc
    assert last is not None
    hint = (f"{why}, but byte {last.start} does not fit that encoding; the file may mix encodings or be cut "
            f"short. Convert it to UTF-8, e.g. iconv -f <ENCODING> -t UTF-8 {name} > {name}.utf8")
    return DecodeProblem("cannot decode", hint)


def _undetected(data: bytes, name: str) -> DecodeProblem:
    """No encoding fits: say how far the likeliest Chinese one got."""
    furthest, label = 0, ""
    for codec in ("utf-8", "gb18030", "big5"):
        try:
            data.decode(codec)
        except UnicodeDecodeError as exc:
            if exc.start > furthest:
                furthest, label = exc.start, _LABELS.get(codec, codec.upper())
    where = f"; it reads as {label} up to byte {furthest}" if furthest else ""
    return DecodeProblem("cannot decode", f"it is not UTF-8 and no known encoding fits{where} (mixed encodings "
                                          f"or a damaged file?); convert it to UTF-8, e.g. "
                                          f"iconv -f <ENCODING> -t UTF-8 {name} > {name}.utf8")


def _checked(text: str, encoding: str) -> Decoded | DecodeProblem:
    problem = text_problem(text)
    if problem is not None:
        return problem
    if _odd_share(text[:8192]) > 0.02:
        return DecodeProblem("cannot decode", f"decoded as {encoding} it holds unassigned or private-use "
                                              f"characters, so the encoding is unknown; convert it to UTF-8")
    return Decoded(text, encoding)


def _odd_share(sample: str) -> float:
    odd = sum(1 for c in sample if ord(c) > 127 and unicodedata.category(c) in ("Cn", "Co", "Cs"))
    return odd / max(len(sample), 1)


def _utf16_without_bom(data: bytes, *, short: bool = False) -> Decoded | None:
    """UTF-16 text without a byte-order mark: decoded when one byte order gives clean text
    (and, for a ``short`` input, text that reads as Chinese or has no other letters)."""
    sample = data[:SAMPLE_BYTES] if len(data) <= SAMPLE_BYTES else data[: SAMPLE_BYTES & ~1]
    if len(data) % 2:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        visible = [c for c in text if not c.isspace()]
        if not visible or len(_CONTROL_CHARS.findall(text)) > 0.01 * len(text) or _odd_share(text) > 0.01:
            continue
        if sum(1 for c in visible if c.isprintable()) < 0.95 * len(visible):
            continue
        if short:
            measure = reading_of(text)
            if measure.letters and not measure.plausible(PLAUSIBLE_SHARE):
                continue
        try:
            full = data.decode(codec)
        except UnicodeDecodeError:
            return None
        decoded = _checked(full, codec)
        return decoded if isinstance(decoded, Decoded) else None
    return None


def _empty() -> DecodeProblem:
    return DecodeProblem("empty file", "the file holds no text (or only whitespace); remove it or fill it")
