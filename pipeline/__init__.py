"""zh-news-ie: extract officials, counts and money amounts from Chinese local news.

>>> import pipeline
>>> nlp = pipeline.load()
>>> article = pipeline.extract("月城镇委书记孙悦海表示,该镇有贫困户259户。", nlp=nlp)

The names below are imported on first use, so ``import pipeline`` alone does
not load spaCy (the ``pipeline`` command decides first whether the process
needs torch, see :mod:`pipeline._entry`).
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {"extract": "api", "load": "api", "run": "api",
            "Amount": "records", "Article": "records", "Count": "records", "Evidence": "records",
            "Official": "records"}

__all__ = [*sorted(_EXPORTS), "__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
