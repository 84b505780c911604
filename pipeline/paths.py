"""Where the shipped configs and rule files are.

In a source checkout (or an editable install) they are the repository's
top-level ``configs/``; in an installed wheel the same folder is packaged as
``pipeline/configs`` (see ``[tool.setuptools]`` in pyproject.toml).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def configs_dir() -> Path:
    """The folder holding ``pipeline.cfg`` and ``rules/``."""
    for candidate in (_HERE.parent / "configs", _HERE / "configs"):
        if (candidate / "pipeline.cfg").is_file():
            return candidate
    raise FileNotFoundError(f"configs/ not found next to {_HERE}; reinstall zh-news-ie")


def rules_dir() -> Path:
    """The folder of the shipped rule files."""
    return configs_dir() / "rules"


def models_dir() -> Path:
    """The folder of shipped models (the repository's ``models/``)."""
    for candidate in (_HERE.parent / "models", _HERE / "models"):
        if candidate.is_dir():
            return candidate
    return _HERE.parent / "models"


def repo_path(path: str | Path) -> Path:
    """``path`` as given when absolute, else relative to the repository root
    (the folder holding ``configs/`` and ``models/``)."""
    p = Path(path)
    if p.is_absolute():
        return p
    here = configs_dir().parent / p
    if not here.exists() and p.parts[:1] == ("models",):
        return models_dir().joinpath(*p.parts[1:])
    return here
