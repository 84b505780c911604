"""Build a review site from inputs (running the pipeline) or from a records file.

With inputs only, every article runs through the whole pipeline; its record
and its Doc give the page.  With ``records``, facts, relations and errors
come from the records file, and the inputs run through the entity stages
only (everything but scope and relations) so their mentions can be
highlighted.  A record whose input is not given still gets a page (facts,
no text); an input without a record, and a record line that cannot be
read, are listed on the index page.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .. import api
from ..errors import InputError
from ..io.readers import InputFailure, SourceArticle, iter_inputs
from ..metrics import MetricRules
from ..records import Article, ErrorRecord
from .model import ArticlePage, build_page, slug_for
from .site import SiteWriter

#: factories of the stages a records-mode re-run skips (they only make facts)
FACT_STAGES = frozenset({"zh_news_scope", "zh_news_relations"})

Pages = Callable[[set[str]], Iterator[ArticlePage]]


@dataclass
class SiteReport:
    """What :func:`build_site` wrote; ``problems`` are also listed on the index page."""

    index: Path
    pages: int
    with_errors: int
    problems: list[str] = field(default_factory=list)


def build_site(nlp: Language, inputs: Sequence[Path | str], output: Path | str, *,
               records: Path | str | None = None) -> SiteReport:
    """Write the review site of ``inputs`` (or of ``records`` plus inputs) into ``output``.

    Input paths are checked before anything is written (:class:`InputError`).
    """
    problems: list[str] = []
    if records is not None:
        pages = _from_records(nlp, inputs, Path(records), problems)
    else:
        pages = _from_inputs(nlp, inputs)
    writer = SiteWriter(output, _taxonomy(nlp))
    count = failed = 0
    for page in pages(writer.taken):
        writer.write(page)
        count += 1
        failed += 0 if page.article.ok else 1
    return SiteReport(writer.finish(problems), count, failed, problems)


def _taxonomy(nlp: Language) -> MetricRules | None:
    """The metric taxonomy of the pipeline's relation stage (its rules_dir), if it has one."""
    for name in nlp.pipe_names:
        if nlp.get_pipe_meta(name).factory == "zh_news_relations":
            return getattr(nlp.get_pipe(name), "metrics", None)
    return None


def _from_inputs(nlp: Language, inputs: Sequence[Path | str]) -> Pages:
    items = iter_inputs(list(inputs))  # checks the paths now

    def pages(taken: set[str]) -> Iterator[ArticlePage]:
        for item in items:
            slug = slug_for(item.id, taken)
            if isinstance(item, InputFailure):
                yield build_page(api.failure_record(item), None, None, slug)
                continue
            article, doc = _processed(nlp, item)
            yield build_page(article, item.text, doc, slug)
    return pages


def _processed(nlp: Language, src: SourceArticle) -> tuple[Article, Doc | None]:
    """The record and Doc of one article; a pipeline failure becomes an error record, as in ``run``."""
    try:
        doc = nlp(src.text)
        return api.to_article(doc, id=src.id, origin=src.origin, url=src.url), doc
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the site
        return _pipeline_error(src, exc), None


def _pipeline_error(src: SourceArticle, exc: Exception) -> Article:
    err = ErrorRecord(stage="pipeline", reason=f"{type(exc).__name__}: {exc}"[:500], origin=src.origin,
                      hint="this is a bug in zh-news-ie; please report it with the article")
    return Article(id=src.id, origin=src.origin, url=src.url, errors=[err], ok=False)


def read_records(path: Path, problems: list[str]) -> dict[str, Article]:
    """Records by id, in file order; unreadable lines and repeated ids go to ``problems``."""
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read records file {path}: {exc.strerror}. "
                         f"Write one with `pipeline run INPUT... --output {path}`.") from None
    out: dict[str, Article] = {}
    with fh:
        try:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    article = Article.model_validate_json(line)
                except ValueError as exc:
                    first = " ".join(str(exc).split())[:300]
                    problems.append(f"{path}:{number}: not a valid record, left out: {first}")
                    continue
                if article.id in out:
                    problems.append(f"{path}:{number}: id {article.id!r} repeats an earlier record; "
                                    f"only the first is shown")
                    continue
                out[article.id] = article
        except UnicodeDecodeError:
            raise InputError(f"records file {path} is not UTF-8 text; pass the JSONL written by "
                             f"`pipeline run`.") from None
    return out


def _fact_stages(nlp: Language) -> list[str]:
    """The stages to skip when only entity mentions are needed."""
    return [name for name in nlp.pipe_names if nlp.get_pipe_meta(name).factory in FACT_STAGES]


def _from_records(nlp: Language, inputs: Sequence[Path | str], path: Path, problems: list[str]) -> Pages:
    items = iter_inputs(list(inputs)) if inputs else iter(())  # checks the paths now
    records = read_records(path, problems)
    skip = _fact_stages(nlp)

    def pages(taken: set[str]) -> Iterator[ArticlePage]:
        shown: set[str] = set()
        for item in items:
            article = records.get(item.id)
            if article is None:
                problems.append(f"input {item.origin}: id {item.id!r} has no record in {path}; not shown")
                continue
            if item.id in shown:
                continue
            shown.add(item.id)
            slug = slug_for(item.id, taken)
            if isinstance(item, InputFailure):
                yield build_page(article, None, None, slug, [f"The input could not be read now: {item.reason}"])
                continue
            doc, notes = None, []
            try:
                with nlp.select_pipes(disable=skip):
                    doc = nlp(item.text)
            except Exception as exc:  # noqa: BLE001
                notes.append(f"Entity stages failed on this input ({type(exc).__name__}: {exc}); "
                             f"mentions are not highlighted.")
            yield build_page(article, item.text, doc, slug, notes)
        for article_id, article in records.items():
            if article_id not in shown:
                yield build_page(article, None, None, slug_for(article_id, taken))
    return pages
