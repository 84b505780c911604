"""Long articles and slow articles: sentence windows and a per-article time limit.

A 10 MB article is not one Doc: the text is cut into windows of about
``window_chars`` characters at line breaks (else at sentence ends), each
window runs through the pipeline on its own and its facts are shifted back
to offsets into the whole article and merged.  Memory is bounded by one
window's Doc, time grows linearly.  What is carried from window to window
is the article-level scope: the metadata of the first window (title,
breadcrumb, date) stands for the whole article, so a level-only title in
window 7 still resolves to the place of the headline; the line of the last
section header ("（二）石门镇：…") is written again before the next window, so
a section that runs over a window boundary keeps its place (facts found in
that repeated line are not counted twice); a footer cut ends the article as
it would in one Doc.  The discourse focus (the place of the previous fact)
does not cross a window boundary.

The limits live in the ``[limits]`` section of the pipeline config::

    [limits]
    time_limit = 300      # seconds per article; 0 = none
    window_chars = 20000  # longer articles are processed in windows

and ``time_limit`` can be given per run (``api.process(..., time_limit=…)``,
``pipeline run --time-limit``).  An article over its limit becomes an error
record (stage ``time``) and the run goes on.  In the main thread of a
process the limit interrupts the article (``SIGALRM``); elsewhere (threads)
it is checked between pipeline components and windows.
"""
from __future__ import annotations

import dataclasses
import math
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError

__all__ = ["ArticleTimeout", "Deadline", "Limits", "limits_of", "run_article", "split_windows"]

_SENTENCE_END = re.compile(r"[。！？!?；;]")


class Limits(BaseModel):
    """The ``[limits]`` section of the pipeline config."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    time_limit: float = Field(300.0, ge=0, allow_inf_nan=False)
    window_chars: int = Field(20000, ge=1000)


def limits_of(nlp: Any) -> Limits:
    """The limits of a loaded pipeline (validated once, cached on the pipeline)."""
    cached = getattr(nlp, "_zh_news_limits", None)
    if cached is not None:
        return cached
    section = nlp.config.get("limits") if hasattr(nlp, "config") else None
    try:
        limits = Limits.model_validate(dict(section or {}))
    except ValidationError as exc:
        problem = exc.errors()[0]
        key = ".".join(map(str, problem["loc"])) or "?"
        raise ConfigError(f"[limits] {key}: {problem['msg']} (got {problem.get('input')!r})") from None
    try:
        nlp._zh_news_limits = limits
    except AttributeError:  # pragma: no cover - a pipeline object without attributes
        pass
    return limits


class ArticleTimeout(Exception):
    """An article ran past its time limit."""


class Deadline:
    """A time limit for one article: a timer signal where possible, checks otherwise.

    ``with Deadline(seconds) as dl: ... dl.check()``; ``seconds`` of None or 0
    means no limit.  The signal is used only in the main thread and restores
    any timer that was set before.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds if seconds and seconds > 0 and math.isfinite(seconds) else None
        self.end = math.inf
        self._armed = False
        self._previous: Any = None
        self._previous_timer: tuple[float, float] = (0.0, 0.0)

    def __enter__(self) -> Deadline:
        if self.seconds is None:
            return self
        self.end = time.monotonic() + self.seconds
        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGALRM, self._alarm)
            self._previous_timer = signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self._armed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            remaining, interval = self._previous_timer
            if remaining > 0:
                elapsed = time.monotonic() - (self.end - self.seconds)
                signal.setitimer(signal.ITIMER_REAL, max(remaining - elapsed, 0.001), interval)
            self._armed = False

    def _alarm(self, signum: int, frame: Any) -> None:
        raise ArticleTimeout(f"over the time limit of {self.seconds:g} s")

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise ArticleTimeout(f"over the time limit of {self.seconds:g} s")


def split_windows(text: str, size: int) -> Iterator[tuple[int, int]]:
    """``[start, end)`` windows of at most ``size`` characters covering ``text``.

    Each window ends after a line break in its second half, else after a
    sentence end, else at ``size`` (never between the CR and LF of a CRLF).
    """
    start, n = 0, len(text)
    while start < n:
        end = start + size
        if end >= n:
            yield start, n
            return
        half = start + size // 2
        cut = text.rfind("\n", half, end)
        if cut >= 0:
            end = cut + 1
        else:
            last = None
            for last in _SENTENCE_END.finditer(text, half, end):
                pass
            if last is not None:
                end = last.end()
            elif text[end - 1] == "\r" and text[end] == "\n":
                end -= 1
        yield start, end
        start = end


def run_article(nlp: Any, src: Any, deadline: Deadline, to_article: Any, *, window_chars: int,
                text: str | None = None) -> Any:
    """The record of one article, in windows when it is longer than ``window_chars``."""
    if len(src.text) <= window_chars:
        return to_article(_pipe(nlp, src.text, deadline), id=src.id, origin=src.origin, url=src.url, text=text)
    return _windowed(nlp, src, deadline, to_article, window_chars, text)


def _pipe(nlp: Any, text: str, deadline: Deadline, meta: Any = None) -> Any:
    """``nlp(text)`` one component at a time, checking the deadline between them."""
    doc = nlp.make_doc(text)
    if meta is not None and doc._.prepared is not None:
        doc._.prepared = dataclasses.replace(doc._.prepared, meta=meta)
    for _, proc in nlp.pipeline:
        deadline.check()
        doc = proc(doc)
    deadline.check()
    return doc


def _windowed(nlp: Any, src: Any, deadline: Deadline, to_article: Any, size: int, text: str | None) -> Any:
    from .records import Article

    meta = None
    first: Any = None
    officials: dict[tuple, Any] = {}
    counts: dict[tuple, Any] = {}
    amounts: dict[tuple, Any] = {}
    places: Counter[tuple[str, str]] = Counter()
    linked: dict[tuple[str, str], Any] = {}  # a place's record with the best link any window gave it
    errors: list[Any] = []
    carry, carried = "", None  # the section header in force, written again before the next window
    for start, end in split_windows(src.text, size):
        doc = _pipe(nlp, carry + src.text[start:end], deadline, meta)
        record = to_article(doc, id=src.id, origin=src.origin, url=src.url)
        if first is None:
            first, meta = record, doc._.prepared.meta if doc._.prepared is not None else None
        skip, shift = len(carry), start - len(carry)
        for o in record.officials:
            if o.evidence.start >= skip:
                officials.setdefault((o.name, o.title, o.place), _shifted(o, shift))
        for c in record.counts:
            if c.evidence.start >= skip:
                counts.setdefault((c.place, c.value, c.unit), _shifted(c, shift))
        for a in record.amounts:
            if a.evidence.start >= skip:
                amounts.setdefault((a.place, a.value_yuan), _shifted(a, shift))
        for p in record.places:
            places[(p.name, p.level)] += p.mentions
            known = linked.get((p.name, p.level))
            if known is None or (p.code and not known.code) or p.link_confidence > known.link_confidence:
                linked[(p.name, p.level)] = p
        if carried is not None and places[carried] > 0:
            places[carried] -= 1  # the repeated header is not a mention of the article
        header = _last_header(doc)
        if header is not None:
            carry, carried = header
        errors.extend(record.errors)
        cut = doc._.prepared is not None and any(r.rule.startswith("cut:") for r in doc._.prepared.removed)
        del doc
        if cut:  # a footer marker ends the article, as in one Doc
            break
    assert first is not None
    return Article(
        id=src.id, origin=src.origin, url=src.url, text=text, title=first.title, published=first.published,
        source=first.source, reporters=first.reporters,
        places=[linked[key].model_copy(update={"mentions": c}) for key, c in places.items() if c > 0],
        officials=list(officials.values()), counts=list(counts.values()), amounts=list(amounts.values()),
        errors=errors, ok=not errors,
    )


def _last_header(doc: Any) -> tuple[str, tuple[str, str]] | None:
    """The line of the last section header in ``doc`` ("（二）石门镇：…") and its place,
    so the next window starts inside that section as the article does."""
    from .doc import text_of

    scope = doc._.scope
    if scope is None or not scope.sections:
        return None
    line_start, place = scope.sections[-1]
    text = text_of(doc)
    line_end = text.find("\n", line_start)
    line = text[line_start:line_end if line_end >= 0 else len(text)].strip()
    return (line + "\n", (place.text, place.level)) if line and place.level else None


def _shifted(fact: Any, offset: int) -> Any:
    ev = fact.evidence
    return fact.model_copy(update={"evidence": ev.model_copy(update={"start": ev.start + offset,
                                                                      "end": ev.end + offset})})
