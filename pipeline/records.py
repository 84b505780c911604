"""Output records, validated with pydantic (frozen, ``extra="forbid"``).

Offsets are character offsets into the ORIGINAL article text as read from
the input (before normalisation and chrome stripping), ``end`` exclusive.
Field names of officials, counts and amounts follow the gold guidelines.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# 2: places carry a division code, parent and path; facts carry place_code
# 3: counts and amounts carry a metric (configs/rules/metrics.yaml); junk subjects are ""
# 4: evidence carries the attach ranker's runner-up place and its probability
SCHEMA_VERSION = "4"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(_Record):
    """Why a fact was extracted: the rule, the sentence and where it is."""

    rule: str = Field(min_length=1)
    sentence: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    confidence: float = Field(ge=0, le=1)
    # where the attach ranker chose the place (rule *.attach.ranker): the place it ranked
    # second (null with a probability: "no place") and that place's probability
    runner_up_place: str | None = None
    runner_up_probability: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Evidence:
        if self.end < self.start:
            raise ValueError(f"evidence end {self.end} before start {self.start}")
        if self.runner_up_place is not None and self.runner_up_probability is None:
            raise ValueError("evidence runner_up_place without runner_up_probability")
        return self


class Official(_Record):
    """A named person holding a position at a place."""

    name: str = Field(min_length=2, max_length=20)  # transliterated names in dotted parts run long
    title: str = Field(min_length=1, max_length=30)
    place: str | None
    place_code: str | None = None
    evidence: Evidence


class Count(_Record):
    """A number of households (户) or people (人, 人次) at a place."""

    place: str | None
    place_code: str | None = None
    value: int = Field(ge=0)
    unit: Literal["户", "人", "人次"]
    subject: str
    approx: bool
    evidence: Evidence
    # what is counted (configs/rules/metrics.yaml); only facts of one metric add up
    metric: str = Field(default="other", pattern=r"^[a-z][a-z0-9_]*$")


class Amount(_Record):
    """A money amount in yuan at a place."""

    place: str | None
    place_code: str | None = None
    value_yuan: float = Field(ge=0, allow_inf_nan=False)
    subject: str
    approx: bool
    per_capita: bool
    evidence: Evidence
    # what the money is (configs/rules/metrics.yaml); only amounts of one metric add up
    metric: str = Field(default="other", pattern=r"^[a-z][a-z0-9_]*$")


class Place(_Record):
    """A place named in the article, linked to the national gazetteer when that can be decided.

    ``code`` is the division code (province to township; null for villages,
    zones and undecidable homonyms), ``parent_code`` the code of the division
    above it (for a village: its township or county when the text or the
    article's places say which), ``path`` the names from the province down to
    the place.  ``link_rule`` says how the link was decided
    (``gazetteer.unique``, ``gazetteer.context``, ``gazetteer.prominent``,
    ``text.chain``, ``article.sole_parent``, ``gazetteer.ambiguous`` …) and
    ``candidates`` how many divisions the name could be.
    """

    name: str
    level: Literal["省", "市", "县", "镇", "村"]
    mentions: int = Field(ge=1)
    code: str | None = Field(default=None, pattern=r"^\d{6}(\d{3})?$")
    parent_code: str | None = Field(default=None, pattern=r"^\d{6}(\d{3})?$")
    path: list[str] = []
    link_rule: str | None = None
    link_confidence: float = Field(default=0.0, ge=0, le=1)
    candidates: int = Field(default=0, ge=0)


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
