"""The Dask engine: the same pipeline on a ``dask.distributed`` cluster.

The client streams the inputs and cuts them into partitions of
``partition_size`` articles (at most ``2 × workers`` partitions in flight, so
memory stays flat).  Each Dask worker process builds the pipeline once (cached
per process) and writes its partition itself — ``part-00042.jsonl``, or
``<table>/part-00042.parquet`` — under a temporary name renamed into place,
so the output folder must be on a file system the workers share (as on a
SLURM cluster).  Partition ``i`` holds inputs ``i × partition_size`` …, so
reading the parts in name order gives the single-process order.  With
``resume`` the partitions whose file already exists are skipped.

Without a scheduler address a :class:`distributed.LocalCluster` is started
(one single-threaded worker process per core).  Needs the ``dask`` extra.
"""
from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import PipelineError

ENGINE_FORMATS = ("jsonl", "parquet")

_NLP_CACHE: dict[str, Any] = {}


def _require_distributed():  # noqa: ANN202
    try:
        import distributed
    except ImportError:
        raise PipelineError("--engine dask needs dask.distributed: pip install 'zh-news-ie[dask]'") from None
    return distributed


def worker_nlp(config: str | None, overrides: dict[str, Any]) -> Any:
    """The pipeline of this worker process, built on first use."""
    from . import api
    from .parallel import warm_up

    key = json.dumps([config, overrides], sort_keys=True, default=str)
    if key not in _NLP_CACHE:
        _NLP_CACHE[key] = api.load(config, overrides=overrides)
        warm_up(_NLP_CACHE[key])
    return _NLP_CACHE[key]


def part_name(index: int) -> str:
    return f"part-{index:05d}"


def partition_done(output: Path, index: int, fmt: str) -> bool:
    name = part_name(index)
    if fmt == "jsonl":
        return (output / f"{name}.jsonl").exists()
    return (output / "articles" / f"{name}.parquet").exists()


def tally(records: Iterable[Any]) -> dict[str, int]:
    t: Counter[str] = Counter()
    for a in records:
        t["articles"] += 1
        t["failed"] += 0 if a.ok else 1
        t["officials"] += len(a.officials)
        t["counts"] += len(a.counts)
        t["amounts"] += len(a.amounts)
    return dict(t)


def process_partition(index: int, items: list[Any], output: str, fmt: str, config: str | None,
                      overrides: dict[str, Any], process_kwargs: dict[str, Any]) -> dict[str, int]:
    """Runs on a worker: process one partition and write its part file(s); returns its tally."""
    from . import api
    from .writers import JsonlWriter, ParquetWriter

    nlp = worker_nlp(config, overrides)
    records = list(api.process(nlp, items, **process_kwargs))
    out = Path(output)
    name = part_name(index)
    if fmt == "jsonl":
        tmp = out / f".{name}.jsonl.tmp"
        with JsonlWriter(tmp, sync_every=0) as w:
            for r in records:
                w.write(r)
        os.replace(tmp, out / f"{name}.jsonl")
    else:
        with ParquetWriter(out, batch=len(records) + 1, part_name=name) as w:
            for r in records:
                w.write(r)
    return tally(records) | {"partition": index}


def _partitions(items: Iterable[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    chunk: list[Any] = []
    index = 0
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield index, chunk
            index, chunk = index + 1, []
    if chunk:
        yield index, chunk


def open_client(scheduler: str | None, n_workers: int | None = None):  # noqa: ANN201
    """A client for ``scheduler`` (an address, or a scheduler JSON file), or a new LocalCluster."""
    distributed = _require_distributed()
    if scheduler:
        if scheduler.endswith(".json") and Path(scheduler).is_file():
            return distributed.Client(scheduler_file=scheduler)
        try:
            return distributed.Client(scheduler, timeout="30s")
        except OSError as exc:
            raise PipelineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    from .parallel import default_workers

    cluster = distributed.LocalCluster(n_workers=n_workers or default_workers(), threads_per_worker=1,
                                       processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    client._zh_owned_cluster = cluster  # closed with the client by run_dask
    return client


def _build_pipeline(config: str | None, overrides: dict[str, Any]) -> None:
    """Runs on a worker: build (and keep) its pipeline; raises what the config gets wrong."""
    worker_nlp(config, overrides)


def _close(client: Any) -> None:
    """Close a client this module opened, and its LocalCluster if it started one."""
    cluster = getattr(client, "_zh_owned_cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def run_dask(items: Iterable[Any], output: Path | str, *, fmt: str = "jsonl", scheduler: str | None = None,
             client: Any = None, n_workers: int | None = None, config: Path | str | None = None,
             overrides: dict[str, Any] | None = None, partition_size: int = 500, resume: bool = False,
             time_limit: float | None = None) -> Iterator[dict[str, int]]:
    """Process ``items`` on a Dask cluster into partitioned ``fmt`` output under ``output``.

    Yields each partition's tally (articles, failed, officials, counts,
    amounts, partition) as it completes; skipped partitions (``resume``)
    yield ``{"skipped": n}``.
    """
    distributed = _require_distributed()
    from .parallel import _process_kwargs

    if fmt not in ENGINE_FORMATS:
        raise PipelineError(f"--engine dask writes {' or '.join(ENGINE_FORMATS)}, not {fmt}")
    out = Path(output).resolve()
    if out.exists() and not out.is_dir():
        raise PipelineError(f"--engine dask writes a folder of partitions; {out} is a file")
    out.mkdir(parents=True, exist_ok=True)
    cfg = str(Path(config).resolve()) if config else None
    own = client is None
    client = client or open_client(scheduler, n_workers)
    try:
        # a config that cannot build fails here, before the last good output is removed
        client.submit(_build_pipeline, cfg, overrides or {}, pure=False).result()
    except Exception:
        if own:
            _close(client)
        raise
    if not resume:
        for p in [*out.glob("part-*.jsonl"), *out.glob("*/part-*.parquet")]:
            p.unlink()
    kwargs = _process_kwargs(time_limit)
    run_id = uuid.uuid4().hex
    try:
        limit = 2 * max(1, len(client.scheduler_info().get("workers", {})) or 1)
        pending = distributed.as_completed()
        in_flight = 0
        for index, chunk in _partitions(items, partition_size):
            if resume and partition_done(out, index, fmt):
                yield {"skipped": len(chunk)}
                continue
            pending.add(client.submit(process_partition, index, chunk, str(out), fmt, cfg, overrides or {},
                                      kwargs, pure=False, key=f"zh-news-part-{index}-{run_id}"))
            in_flight += 1
            while in_flight >= limit:
                yield next(pending).result()
                in_flight -= 1
        for future in pending:
            yield future.result()
    finally:
        if own:
            _close(client)
