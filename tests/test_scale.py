"""Streaming runs, worker processes, the progress bar and the Dask engine."""
from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.io.readers import SourceArticle
from pipeline.parallel import RunStats, process_stream
from pipeline.writers import read_records

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 40 project-generated articles (bench/make_corpus.py, no real text)."""
    path = tmp_path_factory.mktemp("scale") / "corpus.jsonl"
    subprocess.run([sys.executable, str(REPO / "bench" / "make_corpus.py"), "--chars", "50000", "--seed", "11",
                    "--out", str(path)], check=True, stderr=subprocess.DEVNULL)
    with path.open("a", encoding="utf-8") as fh:  # and one input that fails
        fh.write('{"id": "broken", "text": 5}\n')
    return path


@pytest.fixture(scope="module")
def single(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("single") / "records.jsonl"
    result = CliRunner().invoke(app, ["run", str(corpus), "--output", str(out)])
    assert result.exit_code == 1, result.output  # the broken line
    return out.read_text(encoding="utf-8").splitlines()


def _endless(text: str):
    for i in itertools.count():
        yield SourceArticle(f"a{i}", text, f"gen:{i}")


def test_stream_yields_before_the_input_ends(nlp) -> None:
    """An endless input still yields records: nothing waits for the whole corpus."""
    stats = RunStats()
    records = process_stream(_endless("柳塘乡党委书记陈佩芝带队走访，该乡共有低保对象48人。"), nlp=nlp, stats=stats)
    first = list(itertools.islice(records, 5))
    assert [r.id for r in first] == ["a0", "a1", "a2", "a3", "a4"]
    assert stats.articles_in <= 64  # at most one batch read ahead


def test_two_workers_write_the_same_records(corpus: Path, single: list[str], tmp_path: Path) -> None:
    out = tmp_path / "w2.jsonl"
    result = CliRunner().invoke(app, ["run", str(corpus), "--output", str(out), "--workers", "2"])
    assert result.exit_code == 1, result.output
    assert out.read_text(encoding="utf-8").splitlines() == single


def test_workers_read_ahead_is_bounded_and_torch_free() -> None:
    from pipeline.parallel import WorkerPool

    stats = RunStats()
    with WorkerPool(2) as pool:
        rss = pool.ready()
        assert len(rss) == 2
        records = pool.map(_endless("石桥镇委书记王立衡表示，全镇还有126户困难户。"), chunk_size=4, stats=stats)
        assert [r.id for r in itertools.islice(records, 6)] == [f"a{i}" for i in range(6)]
        records.close()
    assert stats.articles_in <= 4 * 4 + 4  # 2 × workers chunks in flight, plus the one being cut


@pytest.mark.slow
def test_worker_config_error_is_one_line(corpus: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(corpus), "-o", str(tmp_path / "x.jsonl"),
                           "--workers", "2", "--set", "components.numbers.tables=missing.yaml"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error:") and "Traceback" not in proc.stderr


def test_progress_is_quiet_off_a_terminal_and_shown_on_request(corpus: Path, single: list[str],
                                                                 tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(corpus), "-o", str(tmp_path / "a.jsonl")])
    assert "articles/s" not in result.output and "ETA" not in result.output
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(corpus), "-o", str(tmp_path / "b.jsonl"),
                           "--progress"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    n = len(single)
    assert "articles/s" in proc.stderr and "ETA" in proc.stderr and f"{n}/{n}" in proc.stderr


@pytest.mark.parametrize("fmt", ["jsonl", pytest.param("parquet", marks=pytest.mark.slow)])
def test_dask_local_cluster_matches_single_process(corpus: Path, single: list[str], tmp_path: Path,
                                                   fmt: str) -> None:
    distributed = pytest.importorskip("distributed")
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    from pipeline.engine import run_dask
    from pipeline.io.readers import iter_inputs

    out = tmp_path / "parts"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        tallies = list(run_dask(iter_inputs([corpus]), out, fmt=fmt, client=client, partition_size=7))
        pids = client.run(lambda: __import__("os").getpid())
    assert len(pids) == 2
    assert sorted(t["partition"] for t in tallies) == list(range(-(-len(single) // 7)))
    assert sum(t["articles"] for t in tallies) == len(single)
    got = [a.model_dump_json() for a in read_records(out)]
    assert got == [json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")) for line in single]


@pytest.mark.slow
def test_dask_cli_resume_skips_finished_partitions(corpus: Path, single: list[str], tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "parts"
    args = ["run", str(corpus), "-o", str(out), "--engine", "dask", "--workers", "2", "--partition-size", "10"]
    assert CliRunner().invoke(app, args).exit_code == 1
    (out / "part-00002.jsonl").unlink()
    result = CliRunner().invoke(app, [*args, "--resume"])
    assert result.exit_code == 0, result.output  # the broken record is in a kept partition
    assert "already done" in result.output
    got = [line for p in sorted(out.glob("part-*.jsonl")) for line in p.read_text(encoding="utf-8").splitlines()]
    assert got == single


def test_ner_stage_batches_regions_across_docs_with_the_same_result(corpus: Path, nlp) -> None:
    """``zh_news_ner`` runs the windows of a whole batch through the model at once; per doc is the same."""
    texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines()][:12]
    texts = [t for t in texts if isinstance(t, str)]
    if "ner" not in nlp.pipe_names:
        pytest.skip("the default config runs no NER stage")
    ner = nlp.get_pipe("ner")
    batched = [[(m.start, m.end, m.label) for m in d._.persons or []] for d in nlp.pipe(texts, batch_size=6)]
    single = [[(m.start, m.end, m.label) for m in nlp(t)._.persons or []] for t in texts]
    assert batched == single
    assert any(any(m[2] == "PERSON" for m in doc) for doc in batched)
    assert hasattr(ner, "pipe")


def test_time_limit_reaches_the_pipeline(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.jsonl"
    result = CliRunner().invoke(app, ["run", str(corpus), "-o", str(out), "--time-limit", "0.0001"])
    assert result.exit_code == 1, result.output
    stages = {e["stage"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines()) for e in r["errors"]}
    assert "time" in stages


@pytest.mark.parametrize("workers", ["1", pytest.param("2", marks=pytest.mark.slow)])
def test_config_that_cannot_build_leaves_the_output_alone(corpus: Path, tmp_path: Path, workers: str) -> None:
    out = tmp_path / "kept.jsonl"
    out.write_text('{"id": "earlier"}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(corpus), "-o", str(out), "--workers", workers,
                           "--set", "components.numbers.tables=missing.yaml"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert out.read_text(encoding="utf-8") == '{"id": "earlier"}\n'


def test_ner_numpy_ops_give_the_same_records_as_blis(corpus: Path) -> None:
    """The NER models' matrix products go through numpy's BLAS by default (faster); same records."""
    from pipeline import api
    from pipeline.io.readers import iter_inputs

    got = {}
    for ops in ("numpy", "blis"):
        nlp = api.load(overrides={"components.ner.ops": ops})
        if "ner" not in nlp.pipe_names:
            pytest.skip("the default config runs no NER stage")
        got[ops] = [a.model_dump_json() for a in api.process(nlp, iter_inputs([corpus]))]
    assert got["numpy"] == got["blis"]


def test_dask_bad_config_keeps_the_previous_output(corpus: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from pipeline.engine import run_dask
    from pipeline.io.readers import iter_inputs

    out = tmp_path / "parts"
    out.mkdir()
    (out / "part-00000.jsonl").write_text('{"id": "kept"}\n', encoding="utf-8")
    with distributed.Client(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as client:
        with pytest.raises(Exception):
            list(run_dask(iter_inputs([corpus]), out, client=client,
                          overrides={"components.numbers.tables": str(tmp_path / "missing.yaml")}))
    assert (out / "part-00000.jsonl").read_text(encoding="utf-8") == '{"id": "kept"}\n'
