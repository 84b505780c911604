"""Write the static review site: ``index.html`` and ``articles/<slug>.html``.

Pages are self-contained: CSS and JavaScript are inlined from the package's
``assets/`` and allowed by hash in a Content-Security-Policy that forbids
every other resource, so a page makes no network request, even by mistake,
and works from ``file://``.  Templates are Jinja2 with autoescaping on.
"""
from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..records import Article
from .model import LABELS, ArticlePage, format_value

ARTICLES_DIR = "articles"


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy() -> str:
    """Nothing but the inlined style and script; no fetch, image, font or frame from anywhere."""
    return ("default-src 'none'; "
            f"style-src {_hash(_asset('review.css'))}; "
            f"script-src {_hash(_asset('review.js'))}; "
            "img-src data:; base-uri 'none'; form-action 'none'")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader(__package__, "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(css=Markup(_asset("review.css")), js=Markup(_asset("review.js")),
                       csp=content_security_policy(), labels=LABELS, format_value=format_value)
    return env


# ------------------------------------------------------------------ index data


@dataclass
class IndexRow:
    """One article on the index page."""

    id: str
    slug: str
    title: str | None
    officials: int
    counts: int
    amounts: int
    errors: int
    ok: bool
    entities: int
    has_text: bool
    warnings: int

    @property
    def facts(self) -> int:
        return self.officials + self.counts + self.amounts


@dataclass
class PlaceTotals:
    """What the facts of all articles say about one place."""

    place: str
    households: int = 0
    people: int = 0
    person_times: int = 0
    yuan: float = 0.0
    per_capita: int = 0
    approx: bool = False
    articles: set[str] = field(default_factory=set)


class PlaceSummary:
    """Per-place sums of counts (户, 人, 人次) and money (per-capita amounts not summed)."""

    def __init__(self) -> None:
        self._places: dict[str, PlaceTotals] = {}

    def _at(self, place: str | None) -> PlaceTotals:
        key = place or "(no place)"
        if key not in self._places:
            self._places[key] = PlaceTotals(key)
        return self._places[key]

    def add(self, a: Article) -> None:
        for c in a.counts:
            t = self._at(c.place)
            t.articles.add(a.id)
            t.approx |= c.approx
            if c.unit == "户":
                t.households += c.value
            elif c.unit == "人":
                t.people += c.value
            else:
                t.person_times += c.value
        for m in a.amounts:
            t = self._at(m.place)
            t.articles.add(a.id)
            if m.per_capita:
                t.per_capita += 1
                continue
            t.approx |= m.approx
            t.yuan += m.value_yuan

    def rows(self) -> list[PlaceTotals]:
        return sorted(self._places.values(), key=lambda t: (-t.yuan, -t.households, -t.people, t.place))


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart, drawn as inline SVG by the template."""

    title: str
    bars: tuple[Bar, ...]
    height: int
    label_width: int = 130
    bar_width: int = 420
    row: int = 22


def bar_chart(title: str, rows: list[PlaceTotals], attr: str, unit: str, top: int = 15) -> Chart | None:
    """The ``top`` places by ``attr`` (zero values left out); None when no place has any."""
    chosen = sorted((r for r in rows if getattr(r, attr) > 0), key=lambda r: -getattr(r, attr))[:top]
    if not chosen:
        return None
    peak = max(getattr(r, attr) for r in chosen)
    row = Chart.row
    bars = tuple(Bar(r.place, getattr(r, attr), format_value(getattr(r, attr), unit), 8 + i * row,
                     max(1.0, Chart.bar_width * getattr(r, attr) / peak)) for i, r in enumerate(chosen))
    return Chart(title, bars, 16 + len(bars) * row)


# ------------------------------------------------------------------ writer


class SiteWriter:
    """Writes article pages as they come and the index at the end (memory: one row per article)."""

    def __init__(self, out_dir: Path | str) -> None:
        self.out_dir = Path(out_dir)
        (self.out_dir / ARTICLES_DIR).mkdir(parents=True, exist_ok=True)
        self.rows: list[IndexRow] = []
        self.places = PlaceSummary()
        self.taken: set[str] = set()
        self._env = environment()

    def write(self, page: ArticlePage) -> Path:
        a = page.article
        html = self._env.get_template("article.html").render(page=page, a=a, index_href="../index.html")
        path = self.out_dir / ARTICLES_DIR / f"{page.slug}.html"
        path.write_text(html, encoding="utf-8")
        self.rows.append(IndexRow(a.id, page.slug, a.title, len(a.officials), len(a.counts), len(a.amounts),
                                  len(a.errors), a.ok, len(page.entities), page.text is not None,
                                  len(page.warnings)))
        self.places.add(a)
        return path

    def finish(self, problems: Iterable[str] = ()) -> Path:
        """Write ``index.html``; ``problems`` are run-level notes (bad record lines, unmatched inputs)."""
        rows = self.places.rows()
        charts = [c for c in (bar_chart("Money (元, per-capita amounts not summed)", rows, "yuan", "元"),
                              bar_chart("Households (户)", rows, "households", "户"),
                              bar_chart("People (人)", rows, "people", "人")) if c is not None]
        totals: dict[str, int] = defaultdict(int)
        for r in self.rows:
            totals["articles"] += 1
            totals["facts"] += r.facts
            totals["errors"] += r.errors
            totals["with_errors"] += 0 if r.ok else 1
        html = self._env.get_template("index.html").render(
            rows=self.rows, places=rows, charts=charts, problems=list(problems), totals=totals,
            articles_dir=ARTICLES_DIR)
        path = self.out_dir / "index.html"
        path.write_text(html, encoding="utf-8")
        return path
