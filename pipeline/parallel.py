"""Run the pipeline over a stream of inputs in one process or in worker processes.

:func:`process_stream` keeps memory flat whatever the corpus size: inputs are
read lazily, at most ``2 × workers`` chunks are in flight, and records come
back in input order (so ``--workers 2`` writes the same file as one process).

Workers are fresh processes (``spawn``), each building the pipeline once
from the config path and overrides, and return finished :class:`Article`
records.  spaCy's ``nlp.pipe(n_process=…)`` was tried first: it ships every
Doc back with ``Doc.to_bytes``, which cannot serialise the stages' custom
attributes (``TypeError: can not serialize 'PreparedText' object``), and even
with serialisers the parent would still build every record itself — the part
that must scale.
"""
from __future__ import annotations

import inspect
import os
import resource
import sys
import types
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .errors import PipelineError
from .records import Article

__all__ = ["Encoded", "RunStats", "WorkerPool", "process_stream", "default_workers", "peak_rss_mb"]


class Encoded(NamedTuple):
    """A record already serialised as one JSON line (no newline), with what a summary counts."""

    id: str
    json: str
    ok: bool
    officials: int
    counts: int
    amounts: int

    @classmethod
    def of(cls, a: Article) -> Encoded:
        return cls(a.id, a.model_dump_json(), a.ok, len(a.officials), len(a.counts), len(a.amounts))

    def article(self) -> Article:
        return Article.model_validate_json(self.json)


def cpu_seconds() -> float:
    """User + system CPU time of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (``ru_maxrss``)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class RunStats:
    """What a run did: chars read, and per process (by pid) the peak RSS (MB) and CPU seconds."""

    chars: int = 0
    articles_in: int = 0
    peak_rss_mb: dict[int, float] = field(default_factory=dict)
    cpu_s: dict[int, float] = field(default_factory=dict)

    def note_rss(self, pid: int, mb: float, cpu: float | None = None) -> None:
        self.peak_rss_mb[pid] = max(mb, self.peak_rss_mb.get(pid, 0.0))
        if cpu is not None:
            self.cpu_s[pid] = max(cpu, self.cpu_s.get(pid, 0.0))


def _process_kwargs(time_limit: float | None) -> dict[str, Any]:
    """``time_limit`` for :func:`api.process` when it supports one."""
    from . import api

    if time_limit is not None and "time_limit" in inspect.signature(api.process).parameters:
        return {"time_limit": time_limit}
    return {}


def _counted(items: Iterable[Any], stats: RunStats | None) -> Iterator[Any]:
    for item in items:
        if stats is not None:
            stats.articles_in += 1
            stats.chars += len(getattr(item, "text", "") or "")
        yield item


def process_stream(items: Iterable[Any], *, workers: int = 1, config: Path | str | None = None,
                   overrides: dict[str, Any] | None = None, nlp: Any = None, chunk_size: int = 32,
                   time_limit: float | None = None, stats: RunStats | None = None,
                   encoded: bool = False) -> Iterator[Any]:
    """One record per item (``SourceArticle``/``InputFailure``), in input order.

    ``workers=1`` runs in this process (with ``nlp`` if given, else one built
    from ``config``/``overrides``); more start that many worker processes.
    Yields :class:`Article` records, or with ``encoded`` :class:`Encoded`
    JSON lines (workers serialise them, so a JSONL writer only writes).
    """
    from . import api

    items = _counted(items, stats)
    kwargs = _process_kwargs(time_limit)
    if workers <= 1:
        nlp = nlp or api.load(config, overrides=overrides)
        records = api.process(nlp, items, **kwargs)
        yield from (map(Encoded.of, records) if encoded else records)
        if stats is not None:
            stats.note_rss(os.getpid(), peak_rss_mb())
        return
    with WorkerPool(workers, config=config, overrides=overrides, process_kwargs=kwargs) as pool:
        yield from pool.map(items, chunk_size=chunk_size, stats=stats, encoded=encoded)
    if stats is not None:
        stats.note_rss(os.getpid(), peak_rss_mb())


# ------------------------------------------------------------------ worker side

_WORKER_NLP: Any = None
_WORKER_KWARGS: dict[str, Any] = {}
_WORKER_ERROR: PipelineError | None = None


def _init_worker(config: str | None, overrides: dict[str, Any] | None, process_kwargs: dict[str, Any]) -> None:
    """Build the pipeline once per worker; a user error is kept and raised by the first task."""
    global _WORKER_NLP, _WORKER_KWARGS, _WORKER_ERROR
    from . import api

    try:
        _WORKER_NLP = api.load(config, overrides=overrides)
        warm_up(_WORKER_NLP)
    except PipelineError as exc:
        _WORKER_ERROR = exc
    _WORKER_KWARGS = process_kwargs


# An invented article that takes the paths which build tables lazily: anaphors with no
# place before them (bare-name patterns per level), villages whose stem is a common word
# or a phrase (the word lists of the place finder), titles, names, counts and amounts.
_WARM_UP = ("全省各市、全市各县、全县各乡镇做好工作。该县部分村有人口1200人，该市投入资金2亿元，该镇新建"
            "房屋50户。软弱涣散村整顿后，带领部分村发展，青松岭村有农户300户。石桥镇委书记王立衡表示，全镇"
            "有126户困难户，发放资金35.6万元，人均补助八百余元。该省有关部门支持。")


def warm_up(nlp: Any) -> None:
    """Run one short article so lazily built tables (word lists, models) are loaded before timing."""
    from . import api

    api.to_article(nlp(_WARM_UP), id="warm-up")


def _ready(pause: float = 0.0) -> tuple[int, float, float]:
    import time

    if _WORKER_ERROR is not None:
        raise _WORKER_ERROR
    time.sleep(pause)  # so that one fast worker does not take every probe
    return os.getpid(), peak_rss_mb(), cpu_seconds()


_BOOTSTRAP = """
import os, sys
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # one thread per worker: the workers are the parallelism
if BLOCK_TORCH and "torch" not in sys.modules:
    sys.modules["torch"] = None
from pipeline.parallel import _init_worker
_init_worker(*ARGS)
"""


def worker_needs_torch(config: Path | str | None, overrides: dict[str, Any] | None) -> bool:
    """Whether worker processes must be able to import torch.

    thinc imports torch whenever it is installed (the ``hanlp`` extra puts it
    in the environment), which costs ~1.2 s and ~180 MB per process although
    the spaCy stages never use it.  Workers keep it out unless the config runs
    a HanLP component or ``ZH_NEWS_TORCH=1`` (or ``ZH_NEWS_WORKER_TORCH=1``) is set.
    """
    from . import api

    if any(os.environ.get(v, "") not in ("", "0") for v in ("ZH_NEWS_TORCH", "ZH_NEWS_WORKER_TORCH")):
        return True
    try:
        cfg = api.load_config(config, overrides)
    except PipelineError:
        return True  # the worker will report the config error itself
    return any("hanlp" in str(c.get("factory", "")) for c in cfg.get("components", {}).values())


def _work(chunk: list[Any]) -> tuple[int, float, float, list[Encoded]]:
    from . import api

    if _WORKER_ERROR is not None:
        raise _WORKER_ERROR
    records = [Encoded.of(a) for a in api.process(_WORKER_NLP, chunk, **_WORKER_KWARGS)]
    return os.getpid(), peak_rss_mb(), cpu_seconds(), records


class WorkerPool:
    """``workers`` processes, each holding one loaded pipeline."""

    def __init__(self, workers: int, *, config: Path | str | None = None,
                 overrides: dict[str, Any] | None = None, process_kwargs: dict[str, Any] | None = None) -> None:
        import multiprocessing

        self.workers = workers
        self.ready_cpu_s: dict[int, float] = {}
        args = (str(config) if config else None, overrides or {}, process_kwargs or {})
        # ``exec`` of a fixed bootstrap (a builtin, so unpickling it imports nothing) lets a
        # worker keep torch out before spaCy is imported; see worker_needs_torch().
        boot_globals = {"ARGS": args, "BLOCK_TORCH": not worker_needs_torch(config, overrides)}
        self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=exec, initargs=(_BOOTSTRAP, boot_globals))
        # Start every worker now, while ``__main__`` is hidden: a spawned child re-imports
        # the parent's main module (the ``pipeline`` script imports spaCy, hence torch)
        # unless there is none to import.  Nothing else in the worker needs it.
        with _main_hidden():
            self._probes = [self._executor.submit(_ready) for _ in range(workers)]

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def ready(self, timeout: float = 300.0) -> dict[int, float]:
        """Block until every worker has loaded its pipeline (to leave load time out of timings).

        Returns each worker's RSS (MB) by pid; :attr:`ready_cpu_s` keeps each worker's CPU
        seconds at that point (loading), to tell them from the CPU time of the work."""
        import time

        seen: dict[int, float] = {}
        deadline = time.monotonic() + timeout
        try:
            while len(seen) < self.workers and time.monotonic() < deadline:
                futures = [self._executor.submit(_ready, 0.2) for _ in range(self.workers)]
                for pid, rss, cpu in (f.result() for f in futures):
                    seen[pid] = rss
                    self.ready_cpu_s[pid] = cpu
        except BrokenProcessPool as exc:
            raise PipelineError(f"a worker process could not start: {exc}") from None
        return seen

    def map(self, items: Iterable[Any], *, chunk_size: int = 32, stats: RunStats | None = None,
            encoded: bool = False) -> Iterator[Any]:
        """Records for ``items`` in input order, with at most ``2 × workers`` chunks in flight.

        Workers send records as JSON lines (cheaper to move than pickled models);
        they are parsed back into :class:`Article` unless ``encoded``."""
        pending: deque[Future] = deque()
        limit = 2 * self.workers
        try:
            for chunk in _chunks(items, chunk_size):
                pending.append(self._executor.submit(_work, chunk))
                while len(pending) >= limit:
                    yield from self._collect(pending.popleft(), stats, encoded)
            while pending:
                yield from self._collect(pending.popleft(), stats, encoded)
        except BrokenProcessPool:
            raise PipelineError("a worker process died (out of memory or killed); rerun with --resume "
                                "to finish without repeating the records already written") from None

    @staticmethod
    def _collect(future: Future, stats: RunStats | None, encoded: bool) -> list[Any]:
        pid, rss, cpu, records = future.result()
        if stats is not None:
            stats.note_rss(pid, rss, cpu)
        return records if encoded else [r.article() for r in records]


@contextmanager
def _main_hidden() -> Iterator[None]:
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
