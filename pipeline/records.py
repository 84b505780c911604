"""Output records, validated with pydantic (frozen, ``extra="forbid"``).

Offsets are character offsets into the ORIGINAL article text as read from
the input (before normalisation and chrome stripping), ``end`` exclusive.
Field names of officials, counts and amounts follow the gold guidelines.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(_Record):
    """Why a fact was extracted: the rule, the sentence and where it is."""

    rule: str = Field(min_length=1)
    sentence: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    confidence: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Evidence:
        if self.end < self.start:
            raise ValueError(f"evidence end {self.end} before start {self.start}")
        return self


class Official(_Record):
    """A named person holding a position at a place."""

    name: str = Field(min_length=2, max_length=6)
    title: str = Field(min_length=1, max_length=30)
    place: str | None
    evidence: Evidence


class Count(_Record):
    """A number of households (户) or people (人, 人次) at a place."""

    place: str | None
    value: int = Field(ge=0)
    unit: Literal["户", "人", "人次"]
    subject: str
    approx: bool
    evidence: Evidence


class Amount(_Record):
    """A money amount in yuan at a place."""

    place: str | None
    value_yuan: float = Field(ge=0, allow_inf_nan=False)
    subject: str
    approx: bool
    per_capita: bool
    evidence: Evidence


class Place(_Record):
    """A place named in the article."""

    name: str
    level: Literal["省", "市", "县", "镇", "村"]
    mentions: int = Field(ge=1)


class ErrorRecord(_Record):
    """Something that went wrong for an article or a fact; nothing is dropped silently."""

    stage: str
    reason: str
    origin: str | None = None
    hint: str | None = None
    data: dict | None = None


class Article(_Record):
    """Everything extracted from one input article."""

    id: str
    schema_version: str = SCHEMA_VERSION
    origin: str | None = None
    url: str | None = None
    # The text offsets refer to when it is not the input file as is (the
    # visible text extracted from an HTML page); null otherwise.
    text: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None
    reporters: list[str] = []
    places: list[Place] = []
    officials: list[Official] = []
    counts: list[Count] = []
    amounts: list[Amount] = []
    errors: list[ErrorRecord] = []
    ok: bool = True
