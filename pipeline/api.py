"""The library API: load the pipeline, extract records, run over inputs.

>>> import pipeline
>>> nlp = pipeline.load()
>>> article = pipeline.extract("月城镇委书记孙悦海表示……", nlp=nlp)

The CLI (:mod:`pipeline.cli`) is a thin layer over these functions.
"""
from __future__ import annotations

import dataclasses
import gc
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from pydantic import TypeAdapter, ValidationError
from spacy.language import Language
from spacy.tokens import Doc
from confection import ConfigValidationError
from thinc.api import Config

from . import stages  # noqa: F401  (registers the factories)
from . import tokenizer as _tokenizer  # noqa: F401  (registers the tokenizer)
from .doc import text_of
from .errors import ConfigError
from .metrics import load_metric_rules
from .paths import configs_dir
from .records import Amount, Article, Count, ErrorRecord, Evidence, Official, Place
from .relations import FactEvidence

DEFAULT_CONFIG = configs_dir() / "pipeline.cfg"
STAGES = ("entities", "places", "numbers", "scope", "relations")


def load_config(config: Path | str | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Read a pipeline config and apply ``section.key=value`` overrides."""
    path = Path(config) if config else DEFAULT_CONFIG
    if not path.exists():
        raise ConfigError(f"config file not found: {path}. Pass --config with an existing .cfg file "
                          f"or omit it to use {DEFAULT_CONFIG.name}.")
    try:
        return Config().from_disk(path, overrides=overrides or {}, interpolate=False)
    except ConfigValidationError as exc:
        raise ConfigError(f"{path}: {_one_line(exc)}") from None
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{path}: {_one_line(exc)}") from None


def _one_line(exc: Exception) -> str:
    """A config error as one line: the offending keys and messages, no object reprs."""
    if isinstance(exc, ConfigValidationError) and exc.errors:
        parts = [f"{'.'.join(map(str, e.get('loc', [])))}: {e.get('msg', '')}" for e in exc.errors]
        return "; ".join(parts)
    text = " ".join(str(exc).split())
    return re.sub(r"<[^<>]* object at 0x[0-9a-f]+>", "<object>", text)[:400]


def _config_problem(where: Path | str, exc: Exception, overrides: dict[str, Any] | None) -> str:
    """One line naming the file and line of the bad key (or the --set that gave it) and what is wrong."""
    from .rulefiles import config_key_line

    errors = getattr(exc, "errors", None) or []
    key = ".".join(map(str, errors[0].get("loc", []))) if errors else ""
    name = key.rpartition(".")[2]
    given = next((k for k in overrides or {} if name and k.rpartition(".")[2] == name), None)
    line = config_key_line(where, key) if key and given is None else None
    place = f"{where}:{line}" if line else str(where)
    origin = f" (from --set {given})" if given else ""
    return f"invalid pipeline config {place}{origin}: {_one_line(exc)}"


def _check_limits(nlp: Language, where: Path | str, overrides: dict[str, Any] | None) -> None:
    from .longtext import limits_of
    from .rulefiles import config_key_line

    try:
        limits_of(nlp)
    except ConfigError as exc:
        key = str(exc).split(":", 1)[0].strip("[] ").replace("] ", ".")
        if key in (overrides or {}):
            raise ConfigError(f"invalid pipeline config {where} (from --set {key}): {exc}") from None
        line = config_key_line(where, key)
        raise ConfigError(f"invalid pipeline config {where}{f':{line}' if line else ''}: {exc}") from None


def rules_overrides(rules_dir: Path | str, config: Path | str | None = None) -> dict[str, str]:
    """Config overrides that make every stage of ``config`` read its rule files from
    ``rules_dir`` (a folder like ``configs/rules``, e.g. one written by ``pipeline rules learn``)."""
    d = Path(rules_dir)
    missing = [n for n in ("places.yaml", "titles.yaml", "persons.yaml", "relations.yaml", "numbers.yaml")
               if not (d / n).is_file()]
    if missing:
        raise ConfigError(f"rules directory {d} lacks {', '.join(missing)}; give a folder with every rule "
                          f"file (copy configs/rules, or use one written by `pipeline rules learn`)")
    wanted = {"components.entities.rules_dir": str(d), "components.places.rules_dir": str(d),
              "components.scope.rules_dir": str(d), "components.relations.rules_dir": str(d),
              "components.ner.rules_dir": str(d), "components.numbers.tables": str(d / "numbers.yaml")}
    present = set(load_config(config).get("components", {}))
    return {k: v for k, v in wanted.items() if k.split(".")[1] in present}


def load(config: Path | str | None = None, *, overrides: dict[str, Any] | None = None,
         rules: Path | str | None = None) -> Language:
    """Build the pipeline from a config (default ``configs/pipeline.cfg``).

    ``rules`` names a rule directory to use instead of the shipped rules.
    Fails at build time, with :class:`ConfigError`, when the config is invalid
    or the components' order cannot work (a stage before what it needs).
    """
    if rules is not None:
        overrides = {**rules_overrides(rules, config), **(overrides or {})}
    cfg = load_config(config, overrides)
    where = config or DEFAULT_CONFIG
    try:
        nlp = spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)
    except ConfigValidationError as exc:
        raise ConfigError(_config_problem(where, exc, overrides)) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(_config_problem(where, exc, overrides)) from None
    check_order(nlp)
    _check_limits(nlp, where, overrides)
    settings = dict(cfg.get("initialize", {}).get("tokenizer", {}) or {})
    if getattr(nlp.tokenizer, "segmenter", "char") == "pkuseg":
        nlp.tokenizer.initialize(**settings)
    return nlp


def check_order(nlp: Language) -> None:
    """Raise :class:`ConfigError` listing attributes a component needs but nothing before it sets."""
    problems = nlp.analyze_pipes(pretty=False)["problems"]
    missing = {name: attrs for name, attrs in problems.items() if attrs}
    if missing:
        detail = "; ".join(f"{name} needs {', '.join(attrs)}" for name, attrs in missing.items())
        raise ConfigError(f"pipeline order cannot work: {detail}. Add the stages that set them "
                          f"before these (order: {', '.join(STAGES)}).")


def extract(text: str, *, id: str = "text", nlp: Language | None = None, origin: str | None = None,
            url: str | None = None) -> Article:
    """Run the pipeline on one article and return its validated record.

    Articles longer than ``[limits] window_chars`` are processed in windows
    (:mod:`pipeline.longtext`); no time limit applies here (see :func:`process`).
    """
    from types import SimpleNamespace

    from .longtext import Deadline, limits_of, run_article

    nlp = nlp or _default_nlp()
    src = SimpleNamespace(id=id, text=text, origin=origin, url=url)
    return run_article(nlp, src, Deadline(None), to_article, window_chars=limits_of(nlp).window_chars)


_NLP: Language | None = None


def _default_nlp() -> Language:
    global _NLP
    if _NLP is None:
        _NLP = load()
    return _NLP


def process(nlp: Language, items: Iterable[Any], *, batch_size: int = 32,
            time_limit: float | None = None) -> Iterator[Article]:
    """One record per input item (:class:`SourceArticle` or :class:`InputFailure`).

    ``time_limit`` (seconds per article; default ``[limits] time_limit`` of
    the config, 0 for none): an article over it becomes an error record and
    the run goes on.  Articles longer than ``[limits] window_chars`` are
    processed in windows (:mod:`pipeline.longtext`).
    """
    from .io.readers import InputFailure, SourceArticle
    from .longtext import limits_of

    limits = limits_of(nlp)
    limit = limits.time_limit if time_limit is None else time_limit
    with _long_lived_frozen():
        batch: list[SourceArticle] = []
        for item in items:
            if isinstance(item, InputFailure):
                yield from _flush(nlp, batch, batch_size, limit)
                batch = []
                yield failure_record(item)
                continue
            if len(item.text) > limits.window_chars:
                yield from _flush(nlp, batch, batch_size, limit)
                batch = []
                yield _one(nlp, item, limit)
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                yield from _flush(nlp, batch, batch_size, limit)
                batch = []
        yield from _flush(nlp, batch, batch_size, limit)


_RUN_GC_THRESHOLD = 50_000  # net new container objects between young collections during a run


@contextmanager
def _long_lived_frozen() -> Iterator[None]:
    """Keep what is alive when a run starts (the loaded pipeline: models, tables, the
    gazetteer, ~340k objects) out of the cyclic garbage collector while it runs.

    The batches' Docs outlive the young generations, so a full collection comes about
    once per 300k characters, and each walked all those objects (~0.25 s, 7% of a
    run).  The collector works as before on everything made during the run; if
    something else has frozen objects already, that is left as it is.

    The youngest generation is also collected less often while the run lasts
    (every ``_RUN_GC_THRESHOLD`` net new objects instead of 700): extraction makes
    almost no cyclic garbage (~50 objects per 300k characters; the rest is freed by
    reference counting), but each collection walked the batch's live Docs and the
    tables being filled, and promoted them to be walked again by the older
    generations: 60 ms of every 300k characters, 13 ms with this threshold.
    """
    threshold = gc.get_threshold()
    freeze = not gc.get_freeze_count()
    gc.set_threshold(max(threshold[0], _RUN_GC_THRESHOLD), *threshold[1:])
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()
        gc.set_threshold(*threshold)


def _flush(nlp: Language, batch: list[Any], batch_size: int, time_limit: float = 0) -> Iterator[Article]:
    """Process a batch; if anything in it fails (or the batch runs past the sum
    of its articles' time limits), redo it one article at a time so only the
    failing article becomes an error record and the run goes on."""
    from .longtext import Deadline

    if not batch:
        return
    try:
        with Deadline(time_limit * len(batch)) as deadline:
            docs = list(nlp.pipe((s.text for s in batch), batch_size=batch_size))
            deadline.check()  # where no timer signal could interrupt the batch
            records = [to_article(doc, id=src.id, origin=src.origin, url=src.url, text=_extracted(src))
                       for src, doc in zip(batch, docs)]
    except Exception:  # noqa: BLE001 - a bug on one article must not lose the batch
        records = [_one(nlp, src, time_limit) for src in batch]
    yield from records


def _extracted(src: Any) -> str | None:
    return src.text if getattr(src, "extracted", False) else None


def _one(nlp: Language, src: Any, time_limit: float | None = None) -> Article:
    from .longtext import ArticleTimeout, Deadline, limits_of, run_article

    limits = limits_of(nlp)
    seconds = limits.time_limit if time_limit is None else time_limit
    try:
        with Deadline(seconds) as deadline:
            return run_article(nlp, src, deadline, to_article, window_chars=limits.window_chars,
                               text=_extracted(src))
    except ArticleTimeout as exc:
        err = ErrorRecord(stage="time", reason=f"{exc} ({len(src.text):,} characters)", origin=src.origin,
                          hint="raise the limit (pipeline run --time-limit SECONDS, or [limits] time_limit "
                               "in the config; 0 = none) or split the article")
    except Exception as exc:  # noqa: BLE001
        err = ErrorRecord(stage="pipeline", reason=f"{type(exc).__name__}: {exc}"[:500], origin=src.origin,
                          hint="this is a bug in zh-news-ie; please report it with the article")
    return Article(id=src.id, origin=src.origin, url=src.url, text=_extracted(src), errors=[err], ok=False)


def run(inputs: Sequence[Path | str], *, nlp: Language | None = None, workers: int = 1,
        config: Path | str | None = None, overrides: dict[str, Any] | None = None,
        skip: Iterable[str] = (), time_limit: float | None = None, stats: Any = None) -> Iterator[Article]:
    """Stream records for files, directories and JSONL inputs, in input order.

    Memory stays flat: inputs are read lazily and records are yielded as they
    are done.  ``workers`` > 1 runs that many worker processes, each building
    the pipeline from ``config``/``overrides`` (``nlp`` is used only in this
    process).  Inputs whose id is in ``skip`` are left out (``--resume``).
    Input paths are checked before this returns (:class:`InputError`).
    ``stats`` (a :class:`pipeline.parallel.RunStats`) collects chars and peak RSS.
    """
    from .io.readers import iter_inputs
    from .parallel import process_stream

    items: Iterable[Any] = iter_inputs(inputs)
    skip = set(skip)
    if skip:
        items = (item for item in items if item.id not in skip)
    if workers <= 1 and nlp is None:
        nlp = load(config, overrides=overrides) if (config or overrides) else _default_nlp()
    return process_stream(items, workers=workers, config=config, overrides=overrides, nlp=nlp,
                          time_limit=time_limit, stats=stats)


def failure_record(item: Any) -> Article:
    """The record of an input that could not be read (an ``InputFailure``)."""
    err = ErrorRecord(stage="input", reason=item.reason, origin=item.origin, hint=item.hint)
    return Article(id=item.id, origin=item.origin, errors=[err], ok=False)


def to_article(doc: Doc, *, id: str, origin: str | None = None, url: str | None = None,
               text: str | None = None) -> Article:
    """Turn a processed Doc into an :class:`Article`; invalid facts become errors.

    Names, titles, places, subjects and sentences are given as the source
    writes them (traditional stays traditional; the stages saw a simplified
    view).  ``text``: the text the offsets refer to when it is not the input
    file as is (extracted from HTML), stored in the record.
    """
    prepared = doc._.prepared
    meta = prepared.meta if prepared is not None else None
    as_written = prepared.as_written if prepared is not None else (lambda value, near=None: value)
    errors: list[ErrorRecord] = []
    ev = _EvidenceMaker(doc)
    ev.links = doc._.place_links or {}
    officials = _validated(Official, [_official(ev, f) for f in doc._.officials or []], errors)
    facts = doc._.facts or []
    counts = _validated(Count, [_count(ev, f) for f in facts if f.kind == "count"], errors)
    amounts = _validated(Amount, [_amount(ev, f) for f in facts if f.kind == "money"], errors)
    return Article(
        id=id, origin=origin, url=url, text=text,
        title=as_written(meta.title) if meta else None, published=meta.published if meta else None,
        source=as_written(meta.source) if meta else None,
        reporters=[as_written(r) for r in meta.reporters] if meta else [],
        places=_places(doc), officials=officials, counts=counts, amounts=amounts,
        errors=errors, ok=not errors,
    )


def _validated(model: type, rows: list[dict], errors: list[ErrorRecord]) -> list:
    """``rows`` as ``model`` records; a rejected row becomes an error record instead.

    All rows are validated in one call (nearly always none is rejected); only when
    one is are they validated one by one, to tell which.
    """
    try:
        return _list_of(model).validate_python(rows)
    except ValidationError:
        pass
    out = []
    for row in rows:
        try:
            out.append(model.model_validate(row))
        except ValidationError as exc:
            reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            errors.append(ErrorRecord(stage="validate", reason=f"{model.__name__} rejected: {reason}",
                                      data=_jsonable(row)))
    return out


@lru_cache(maxsize=None)
def _list_of(model: type) -> TypeAdapter:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _jsonable(row: dict) -> dict:
    """The rejected fact as JSON can hold it (inf and nan, which JSON lacks, as strings)."""
    def safe(v: Any) -> Any:
        if isinstance(v, float) and (v != v or abs(v) == float("inf")):
            return str(v)
        return v.model_dump() if hasattr(v, "model_dump") else v

    return {k: safe(v) for k, v in row.items()}


class _EvidenceMaker:
    """Evidence dicts for one Doc (its text is built once: ``doc.text`` is costly)."""

    def __init__(self, doc: Doc) -> None:
        self.text = text_of(doc)
        self.scope = doc._.scope
        self.prepared = doc._.prepared
        self.links: dict = {}
        # the relation stage's taxonomy (its rules_dir, so --rules DIR reaches metrics.yaml)
        metrics = doc._.metric_rules
        self.metrics = metrics if metrics is not None else load_metric_rules()
        # sentence bounds -> the sentence as written (a sentence often holds several facts)
        self._sentences: dict[tuple[int, int], str] = {}

    def code(self, place: str | None) -> str | None:
        """The division code the article's place name is linked to (None: unlinked)."""
        link = self.links.get(place) if place else None
        return link.code if link is not None else None

    def sentence_at(self, pos: int) -> tuple[int, int]:
        """The (start, end) of the sentence holding ``pos`` (the whole text without a scope)."""
        return self.scope.sentence_at(pos) if self.scope is not None else (0, len(self.text))

    def __call__(self, ev: FactEvidence, sentence: tuple[int, int] | None = None) -> dict:
        """``sentence``: the bounds of the sentence holding ``ev`` when the caller has them."""
        s_start, s_end = sentence if sentence is not None else self.sentence_at(ev.start)
        start, end = ev.start, ev.end
        if self.prepared is not None:
            start, end = self.prepared.offsets.to_original(start, end)
        out = {"rule": ev.rule, "sentence": self._written_sentence(s_start, s_end), "start": start,
               "end": end, "confidence": ev.confidence}
        if ev.runner_up is not None:  # the ranker's second choice, as the source writes it
            out["runner_up_place"] = self.written(ev.runner_up.place, ev.start)
            out["runner_up_probability"] = ev.runner_up.probability
        return out

    def _written_sentence(self, start: int, end: int) -> str:
        found = self._sentences.get((start, end))
        if found is None:
            text = self.prepared.written(start, end) if self.prepared is not None else self.text[start:end]
            found = self._sentences[start, end] = text.strip()
        return found

    def subject_metric(self, f, kind: str, per_capita: bool, sentence: tuple[int, int]) -> tuple[str, str]:
        """The fact's subject cleaned of junk ("" rather than 象, 89人 or 解决) and its
        metric, from the subject and the words around the number in its ``sentence``."""
        rules = self.metrics
        subject = rules.clean_subject(f.subject)
        e = f.evidence
        s_start, s_end = sentence
        before = self.text[max(s_start, 0):e.start]
        after = self.text[e.end:max(s_end, e.end)]
        return subject, rules.classify(kind, subject, before, after, per_capita)

    def written(self, value: str | None, near: int) -> str | None:
        """``value`` as the source writes it (see :meth:`PreparedText.as_written`)."""
        return self.prepared.as_written(value, near) if self.prepared is not None else value


def _official(ev: _EvidenceMaker, f) -> dict:
    e = f.evidence
    return {"name": ev.written(f.name, e.end), "title": ev.written(f.title, e.end),
            "place": ev.written(f.place, e.start), "place_code": ev.code(f.place), "evidence": ev(e)}


def _count(ev: _EvidenceMaker, f) -> dict:
    value = int(f.value) if float(f.value).is_integer() else f.value
    e = f.evidence
    sentence = ev.sentence_at(e.start)
    subject, metric = ev.subject_metric(f, "count", False, sentence)
    return {"place": ev.written(f.place, e.start), "place_code": ev.code(f.place), "value": value, "unit": f.unit,
            "subject": ev.written(subject, e.end + len(subject)), "approx": f.approx,
            "evidence": ev(e, sentence), "metric": metric}


def _amount(ev: _EvidenceMaker, f) -> dict:
    e = f.evidence
    sentence = ev.sentence_at(e.start)
    subject, metric = ev.subject_metric(f, "amount", bool(f.per_capita), sentence)
    return {"place": ev.written(f.place, e.start), "place_code": ev.code(f.place), "value_yuan": float(f.value),
            "subject": ev.written(subject, e.end + len(subject)), "approx": f.approx,
            "per_capita": f.per_capita, "evidence": ev(e, sentence), "metric": metric}


def _places(doc: Doc) -> list[Place]:
    prepared = doc._.prepared
    links = doc._.place_links or {}
    counter: Counter[tuple[str, str]] = Counter()
    link_of: dict[tuple[str, str], Any] = {}
    for p in doc._.places or []:
        if not p.anaphor and p.level:
            name = prepared.written(p.start, p.end) if prepared is not None and prepared.converted else p.text
            counter[(name, p.level)] += 1
            link_of.setdefault((name, p.level), links.get(p.text))
    out = []
    for (name, level), n in counter.items():
        link = link_of[(name, level)]
        extra = {} if link is None else {
            "code": link.code, "parent_code": link.parent_code, "path": list(link.path),
            "link_rule": link.rule, "link_confidence": link.confidence, "candidates": link.candidates}
        out.append(Place(name=name, level=level, mentions=n, **extra))
    return out


def stage_view(doc: Doc, stage: str) -> dict:
    """A JSON-friendly view of what the pipeline produced up to ``stage``."""
    view: dict[str, Any] = {"text": text_of(doc)}
    if doc._.prepared is not None:
        view["meta"] = dataclasses.asdict(doc._.prepared.meta)
    for field in ("places", "titles", "persons", "quantities"):
        value = getattr(doc._, field)
        if value is not None:
            view[field] = [dataclasses.asdict(m) for m in value]
    if doc._.scope is not None:
        view["sections"] = [{"start": s, "place": p.text} for s, p in doc._.scope.sections]
    for field in ("officials", "facts"):
        value = getattr(doc._, field)
        if value is not None:
            view[field] = [dataclasses.asdict(f) for f in value]
    return view
