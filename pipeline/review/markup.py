"""Highlighted article text: possibly overlapping spans as well-formed HTML.

Entity candidates overlap (a title inside an evidence span, a place inside a
title), so spans cannot simply be wrapped one by one.  :func:`highlight`
walks the text once, opening spans longest first where they start; when a
span must close while shorter spans opened after it are still open, those
are closed and reopened right after it.  A span can therefore come out as
several elements; every piece carries the same attributes, so a piece's
``data-start``/``data-end`` always give the whole span.

Every character of text and every attribute value is escaped.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` wrapped in ``<tag class=... attrs...>`` (``end`` exclusive)."""

    start: int
    end: int
    classes: tuple[str, ...]
    attrs: Mapping[str, str] = field(default_factory=dict)
    tag: str = "span"
    #: lower sorts outside when two spans cover exactly the same characters
    layer: int = 0


def _open_tag(span: Span, piece: int) -> str:
    classes = " ".join(span.classes + (("cont",) if piece else ()))
    attrs = "".join(f' {escape(k)}="{escape(v)}"' for k, v in span.attrs.items())
    return f'<{span.tag} class="{escape(classes)}"{attrs}>'


def highlight(text: str, spans: Iterable[Span]) -> Markup:
    """``text`` as escaped HTML with ``spans`` wrapped around their characters.

    Empty spans and spans outside the text are ignored.
    """
    usable = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    # open order: by start, then longer (outer) first, then layer
    usable.sort(key=lambda s: (s.start, -s.end, s.layer))
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, s in enumerate(usable):
        starts.setdefault(s.start, []).append(i)
        ends.setdefault(s.end, []).append(i)
    bounds = sorted(set(starts) | set(ends) | {0, len(text)})
    out: list[str] = []
    stack: list[int] = []          # indices into usable, innermost last
    pieces: dict[int, int] = {}    # how many pieces of a span were opened
    for pos, nxt in zip(bounds, bounds[1:] + [None]):
        closing = set(ends.get(pos, ()))
        if closing:
            reopen: list[int] = []
            while closing & set(stack):
                top = stack.pop()
                out.append(f"</{usable[top].tag}>")
                if top in closing:
                    closing.discard(top)
                else:
                    reopen.append(top)
            for i in reversed(reopen):
                out.append(_open_tag(usable[i], pieces[i]))
                pieces[i] += 1
                stack.append(i)
        for i in starts.get(pos, ()):
            out.append(_open_tag(usable[i], 0))
            pieces[i] = 1
            stack.append(i)
        if nxt is not None:
            out.append(str(escape(text[pos:nxt])))
    return Markup("".join(out))

