"""The ``pipeline`` command keeps torch out of its process unless HanLP needs it."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from pipeline._entry import needs_torch

HAS_TORCH = importlib.util.find_spec("torch") is not None


def test_plain_commands_do_not_need_torch(tmp_path, monkeypatch):
    monkeypatch.delenv("ZH_NEWS_TORCH", raising=False)
    monkeypatch.delenv("ZH_NEWS_WORKER_TORCH", raising=False)
    cfg = tmp_path / "my.cfg"
    cfg.write_text('[components.ner]\nfactory = "zh_news_ner"\n', encoding="utf-8")
    assert not needs_torch(["run", "corpus", "--output", "out.jsonl"])
    assert not needs_torch(["run", "corpus", "-o", "x.jsonl", "--config", str(cfg)])
    assert not needs_torch(["run", "corpus", "--config", str(tmp_path / "missing.cfg")])


def test_hanlp_work_keeps_torch(tmp_path, monkeypatch):
    monkeypatch.delenv("ZH_NEWS_TORCH", raising=False)
    monkeypatch.delenv("ZH_NEWS_WORKER_TORCH", raising=False)
    cfg = tmp_path / "hanlp.cfg"
    cfg.write_text('[components.ner]\nfactory = "zh_news_hanlp_ner"\n', encoding="utf-8")
    assert needs_torch(["train", "ner", "--backend", "hanlp"])
    assert needs_torch(["run", "corpus", "--config", str(cfg)])
    assert needs_torch(["run", "corpus", f"--config={cfg}"])
    monkeypatch.setenv("ZH_NEWS_TORCH", "1")
    assert needs_torch(["run", "corpus"])


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed here: nothing to keep out")
def test_command_process_imports_spacy_without_torch():
    code = ("import sys\n"
            "from pipeline._entry import keep_torch_out\n"
            "assert keep_torch_out(['run', 'corpus', '-o', 'x.jsonl'])\n"
            "from pipeline import api\n"
            "api.extract('月城镇委书记孙悦海表示，该镇有贫困户259户。')\n"
            "print(sys.modules.get('torch') is None)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_import_pipeline_alone_does_not_load_spacy():
    code = "import sys, pipeline\nprint('spacy' in sys.modules, pipeline.__version__, callable(pipeline.load))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "0.1.0", "True"]
