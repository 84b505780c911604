"""The ``pipeline`` command's entry point: keep torch out unless it is needed.

thinc imports torch whenever it is installed (the ``hanlp`` extra installs
it), which costs ~1.2 s and ~180 MB in every process although the spaCy
stages never use it.  Before anything imports spaCy, the command looks at its
arguments: torch stays importable only for HanLP work (an argument naming
hanlp, or a ``.cfg`` file that uses a HanLP component) or when
``ZH_NEWS_TORCH=1`` is set.  Library users (``import pipeline``) are never
affected.  Worker processes decide the same way (:mod:`pipeline.parallel`).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

_ENV = ("ZH_NEWS_TORCH", "ZH_NEWS_WORKER_TORCH")


def needs_torch(argv: Sequence[str]) -> bool:
    """Whether the command given by ``argv`` may need torch (HanLP)."""
    if any(os.environ.get(var, "") not in ("", "0") for var in _ENV):
        return True
    for arg in argv:
        if "hanlp" in arg.lower():
            return True
        value = arg.split("=", 1)[-1]
        if value.endswith(".cfg"):
            try:
                if "hanlp" in Path(value).read_text(encoding="utf-8", errors="ignore").lower():
                    return True
            except OSError:
                pass  # the command itself will report the missing file
    return False


def keep_torch_out(argv: Sequence[str]) -> bool:
    """Make ``import torch`` fail in this process unless ``argv`` needs it; True if it did."""
    if "torch" in sys.modules or needs_torch(argv):
        return False
    sys.modules["torch"] = None  # type: ignore[assignment]  # import torch → ImportError; thinc carries on
    return True


def main() -> None:
    keep_torch_out(sys.argv[1:])
    from .cli import main as cli_main

    cli_main()
