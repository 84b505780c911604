"""The on-disk cache of derived tables (pipeline.diskcache)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import diskcache


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("ZH_NEWS_CACHE", raising=False)


def test_derives_once_then_reads_back() -> None:
    calls = []

    def derive():
        calls.append(1)
        return (["甲", "乙"], [1, 2])

    first = diskcache.cached("t", ["k"], derive)
    second = diskcache.cached("t", ["k"], derive)
    assert first == second == (["甲", "乙"], [1, 2]) and len(calls) == 1


def test_another_key_or_an_invalid_value_derives_again(tmp_path: Path) -> None:
    diskcache.cached("t", ["k1"], lambda: 1)
    assert diskcache.cached("t", ["k2"], lambda: 2) == 2
    path = diskcache.cache_path("t", ["k1"])
    path.write_bytes(b"not marshal data")
    assert diskcache.cached("t", ["k1"], lambda: 3) == 3
    assert diskcache.cached("t", ["k1"], lambda: 4, valid=lambda v: v == 4) == 4


def test_off_when_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ZH_NEWS_CACHE", "0")
    assert diskcache.cache_path("t", ["k"]) is None
    assert diskcache.cached("t", ["k"], lambda: 5) == 5
    assert not list(tmp_path.rglob("*.marshal"))


def test_a_read_only_cache_folder_still_derives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # a file where the folder should be
    assert diskcache.cached("t", ["k"], lambda: 6) == 6
