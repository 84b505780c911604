"""A run killed midway (SIGKILL) leaves only whole records; --resume completes it without
losing or repeating any."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("resume") / "corpus.jsonl"
    subprocess.run([sys.executable, str(REPO / "bench" / "make_corpus.py"), "--chars", "250000", "--seed", "5",
                    "--out", str(path)], check=True, stderr=subprocess.DEVNULL)
    return path


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _kill_midway(cmd: list[str], out: Path, at_least: int, total: int) -> None:
    log = out.with_suffix(".stderr")
    with log.open("wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= at_least:
                break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and any worker processes
        proc.wait()
    done = out.read_bytes().count(b"\n")
    assert at_least <= done < total, (f"the run was not killed midway ({done} of {total} records, exit "
                                      f"{proc.returncode}): {log.read_text(errors='replace')[-2000:]}")


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_kill_then_resume_loses_and_repeats_nothing(corpus: Path, tmp_path: Path, workers: int) -> None:
    total = len(_lines(corpus))
    full = tmp_path / "full.jsonl"
    assert CliRunner().invoke(app, ["run", str(corpus), "-o", str(full)]).exit_code == 0
    out = tmp_path / "killed.jsonl"
    cmd = [sys.executable, "-m", "pipeline", "run", str(corpus), "-o", str(out), "--workers", str(workers)]
    _kill_midway(cmd, out, at_least=10, total=total)
    data = out.read_bytes()
    assert data.endswith(b"\n"), "a kill left half a record"
    kept = [json.loads(line) for line in data.decode("utf-8").splitlines()]  # every line is whole JSON
    # simulate the worst case too (a torn last write): resume must cut it off
    with out.open("ab") as fh:
        fh.write(_lines(full)[len(kept)].encode("utf-8")[:25])
    result = CliRunner().invoke(app, ["run", str(corpus), "-o", str(out), "--resume"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert f"already done  {len(kept):>7}" in result.output
    resumed = _lines(out)
    assert len(resumed) == len({json.loads(x)["id"] for x in resumed}) == total
    assert resumed == _lines(full)
