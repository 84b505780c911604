"""Shared fixtures: the loaded pipeline, repository paths and the dev gold set."""
from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from pipeline import api

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The default pipeline, built once per test session."""
    return api.load()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` next to the repository; tests using it skip on a fresh clone."""
    if not (SHARED / "eval" / "dev").is_dir():
        pytest.skip(f"{SHARED}/eval/dev not found (the shared dev set is not part of the repo)")
    return SHARED
