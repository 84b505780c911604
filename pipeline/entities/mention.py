"""The mention type shared by the entity finders."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mention:
    """A candidate entity: ``text[start:end]`` (character offsets, end exclusive).

    ``label`` is PLACE, TITLE, PERSON or ORG.  For places ``level`` is one of
    省 市 县 镇 村 (乡 and 街道 count as 镇, 社区 as 村) and ``anaphor`` marks
    references such as 该镇 that name only a level.  ``rule`` names the rule
    that produced the mention, for evidence.
    """

    start: int
    end: int
    label: str
    text: str
    rule: str
    level: str | None = None
    anaphor: bool = False
