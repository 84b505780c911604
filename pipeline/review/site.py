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

from ..metrics import MetricRules, load_metric_rules
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


#: What the per-place sums are measured in: counts by their unit, money in 万元
#: (one stated unit for every money figure on the page).
MEASURES = ("户", "人", "人次", "万元")
#: Facts of these metrics are listed but never summed (``other`` counts unlike
#: things; a sum of per-capita incomes means nothing); per-capita amounts neither.
UNSUMMED = frozenset({"other", "income_per_capita"})


@dataclass
class PlaceTotals:
    """What the facts of all articles say about one place and one metric."""

    place: str
    metric: str
    households: int = 0
    people: int = 0
    person_times: int = 0
    wan_yuan: float = 0.0
    facts: int = 0
    approx: bool = False
    articles: set[str] = field(default_factory=set)

    @property
    def summed(self) -> bool:
        return self.metric not in UNSUMMED

    def measure(self, name: str) -> float:
        return {"户": self.households, "人": self.people, "人次": self.person_times, "万元": self.wan_yuan}[name]


class PlaceSummary:
    """Per-place, per-metric sums of counts (户, 人, 人次) and money (万元).

    Only facts of one metric are added up (configs/rules/metrics.yaml): 120
    poor households and the 68 of them lifted out stay two figures.  Facts of
    ``other`` and ``income_per_capita`` and per-capita amounts are counted
    (``facts``) but never summed.
    """

    def __init__(self) -> None:
        self._places: dict[tuple[str, str], PlaceTotals] = {}

    def _at(self, place: str | None, metric: str) -> PlaceTotals:
        key = (place or "(no place)", metric)
        if key not in self._places:
            self._places[key] = PlaceTotals(*key)
        return self._places[key]

    def add(self, a: Article) -> None:
        for c in a.counts:
            t = self._at(c.place, c.metric)
            t.articles.add(a.id)
            t.facts += 1
            if not t.summed:
                continue
            t.approx |= c.approx
            if c.unit == "户":
                t.households += c.value
            elif c.unit == "人":
                t.people += c.value
            else:
                t.person_times += c.value
        for m in a.amounts:
            t = self._at(m.place, "income_per_capita" if m.per_capita else m.metric)
            t.articles.add(a.id)
            t.facts += 1
            if not t.summed:
                continue
            t.approx |= m.approx
            t.wan_yuan += m.value_yuan / 10000.0

    def rows(self, order: list[str] | None = None) -> list[PlaceTotals]:
        """By place (most facts first), then metric in ``order`` (the taxonomy's), unsummed last."""
        rank = {m: i for i, m in enumerate(order or [])}
        facts: dict[str, int] = defaultdict(int)
        for t in self._places.values():
            facts[t.place] += t.facts
        return sorted(self._places.values(),
                      key=lambda t: (-facts[t.place], t.place, not t.summed, rank.get(t.metric, len(rank)), t.metric))


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


def bar_chart(title: str, rows: list[PlaceTotals], measure: str, top: int = 15) -> Chart | None:
    """The ``top`` places by ``measure`` of the (one-metric) ``rows``; None when none has any.

    Each chart is scaled to its own largest bar (one panel per metric and
    measure), and a bar is never drawn narrower than 3 px, so a small figure
    next to a county's stays visible; the number is written beside every bar."""
    chosen = sorted((r for r in rows if r.summed and r.measure(measure) > 0),
                    key=lambda r: -r.measure(measure))[:top]
    if not chosen:
        return None
    peak = max(r.measure(measure) for r in chosen)
    row = Chart.row
    bars = tuple(Bar(r.place, r.measure(measure),
                     ("≈" if r.approx else "") + format_value(round(r.measure(measure), 2), measure),
                     8 + i * row, max(3.0, Chart.bar_width * r.measure(measure) / peak))
                 for i, r in enumerate(chosen))
    return Chart(title, bars, 16 + len(bars) * row)


def metric_charts(rows: list[PlaceTotals], order: list[str], descriptions: dict[str, str]) -> list[Chart]:
    """One panel per metric and measure that has a figure (never ``other``), in taxonomy order."""
    by_metric: dict[str, list[PlaceTotals]] = defaultdict(list)
    for r in rows:
        if r.summed:
            by_metric[r.metric].append(r)
    charts = []
    for metric in sorted(by_metric, key=lambda m: (order.index(m) if m in order else len(order), m)):
        for measure in MEASURES:
            what = f" — {descriptions[metric]}" if metric in descriptions else ""
            chart = bar_chart(f"{metric} ({measure}){what}", by_metric[metric], measure)
            if chart is not None:
                charts.append(chart)
    return charts


# ------------------------------------------------------------------ writer


class SiteWriter:
    """Writes article pages as they come and the index at the end (memory: one row per article)."""

    def __init__(self, out_dir: Path | str, taxonomy: MetricRules | None = None) -> None:
        self.out_dir = Path(out_dir)
        # the metric order and descriptions of the charts (the pipeline's metrics.yaml)
        self.taxonomy = taxonomy if taxonomy is not None else load_metric_rules()
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
        taxonomy = self.taxonomy
        order = taxonomy.names
        rows = self.places.rows(order)
        charts = metric_charts(rows, order, {m.name: m.description for m in taxonomy.metrics})
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
