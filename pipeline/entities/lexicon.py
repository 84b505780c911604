"""Loading the entity rule files in ``configs/rules`` (validated with pydantic)."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import diskcache
from ..paths import rules_dir
from ..rulefiles import load_yaml

Level = Literal["省", "市", "县", "镇", "村"]


def default_rules_dir() -> Path:
    """The rule directory shipped with the project."""
    return rules_dir()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlaceSuffix(_Strict):
    text: str = Field(min_length=1)
    level: Level
    min_stem: int = Field(ge=1, le=8)
    max_stem: int = Field(ge=1, le=8)


class Anaphor(_Strict):
    text: str = Field(min_length=2)
    level: Level


class PlaceRules(_Strict):
    suffixes: list[PlaceSuffix]
    stop_chars: str
    not_before: list[str] = []
    not_before_unless: list[str] = []
    initial_stop_chars: str = ""
    check_leading_words: bool = True
    single_char_stem_suffixes: list[str] = []
    org_words: list[str] = []
    giver_cues: list[str] = []
    giver_funds: list[str] = []
    receiving_verbs: list[str] = []
    not_places: list[str] = []
    bad_endings: list[str] = []
    stem_blockers: list[str] = []
    long_stem_openers: str = ""
    subunits: list[str] = []
    subunit_not_before: list[str] = []
    anaphora: list[Anaphor] = []
    # found by suffix only: levels whose names must be in the gazetteer, the
    # suffixes exempt from that (zones), and dictionary tags a stem may not be
    gazetteer_levels: list[Level] = []
    unlisted_suffixes: list[str] = []
    unlisted_min_repeats: int = Field(default=0, ge=0)
    unlisted_org_followers: list[str] = []
    bad_stem_tags: list[str] = []
    bad_stem_min_freq: int = Field(default=100, ge=0)


class TitleHead(_Strict):
    text: str = Field(min_length=1)
    level: Level | None = None
    village_role: bool = False
    # False: a status written like a post (干部) - it links a chain of posts to the
    # name after it (第一书记、县农业局干部张三) but is not recorded itself
    record: bool = True


class TitleRules(_Strict):
    heads: list[TitleHead]
    modifiers: list[str] = []
    org_prefixes: list[str] = []
    org_suffixes: list[str] = []
    start_markers: list[str] = []
    village_markers: list[str] = []
    level_chars: dict[str, Level] = {}
    level_words: dict[str, Level] = {}
    org_place_links: list[str] = []
    honorary_markers: list[str] = []
    org_name_words: list[str] = []
    not_titles: list[str] = []
    max_org_chars: int = Field(default=12, ge=0, le=30)


class PersonRules(_Strict):
    surnames: str
    compound_surnames: list[str] = []
    name_stop_chars: str = ""
    name_tail_word_freq: int = Field(default=0, ge=0)
    word_not_name_freq: int = Field(default=0, ge=0)
    not_names: list[str] = []
    reporter_cues: list[str] = []
    appointment_verbs: list[str] = []
    speech_verbs: list[str] = []


class EntityRules(_Strict):
    places: PlaceRules
    titles: TitleRules
    persons: PersonRules


@lru_cache(maxsize=8)
def load_entity_rules(rules_dir: str | None = None) -> EntityRules:
    """Load places.yaml, titles.yaml and persons.yaml from ``rules_dir``."""
    base = Path(rules_dir) if rules_dir else default_rules_dir()
    return EntityRules(
        places=load_yaml(base / "places.yaml", PlaceRules),
        titles=load_yaml(base / "titles.yaml", TitleRules),
        persons=load_yaml(base / "persons.yaml", PersonRules),
    )


@lru_cache(maxsize=1)
def _jieba_entries() -> list[tuple[str, int, str]]:
    """(word, frequency, tag) of the 2–4 character words of jieba's dictionary.

    Parsing the 330k lines takes ~0.3 s per process; the result is cached on
    disk (:mod:`pipeline.diskcache`) as three columns, read back in ~0.1 s.
    """
    import jieba

    path = Path(os.path.dirname(jieba.__file__)) / "dict.txt"

    def parse() -> tuple[list[str], list[int], list[str]]:
        words, freqs, tags = [], [], []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 3 and 2 <= len(parts[0]) <= 4:
                    words.append(parts[0])
                    freqs.append(int(parts[1]))
                    tags.append(parts[2])
        return words, freqs, tags

    def valid(v: object) -> bool:
        return isinstance(v, tuple) and len(v) == 3 and len({len(c) for c in v}) == 1

    words, freqs, tags = diskcache.cached("jieba-words", ["1", str(path), diskcache.file_stamp(path)], parse, valid)
    return list(zip(words, freqs, tags))


@lru_cache(maxsize=1)
def known_place_names() -> frozenset[str]:
    """Place names (tag ns) of 2–4 characters in jieba's bundled dictionary."""
    return frozenset(w for w, _, tag in _jieba_entries() if tag == "ns")


_DESCRIPTIVE_TAGS = frozenset({"a", "ad", "d", "i", "l"})


@lru_cache(maxsize=1)
def descriptive_words(min_freq: int = 50) -> frozenset[str]:
    """Verbs and adjectives (整治, 涣散) that are never a whole place-name stem."""
    return frozenset(w for w, f, tag in _jieba_entries() if f >= min_freq and tag in _DESCRIPTIVE_TAGS)


@lru_cache(maxsize=1)
def frequent_verbs(min_freq: int = 500) -> frozenset[str]:
    """Frequent verbs (支持, 帮助): a stem ending in one is a verb phrase, not a name."""
    return frozenset(w for w, f, tag in _jieba_entries() if f >= min_freq and tag == "v" and len(w) == 2)


@lru_cache(maxsize=1)
def very_common_words(min_freq: int = 2000) -> frozenset[str]:
    """Very frequent words that are not names (部分, 工作)."""
    return common_words(min_freq)


@lru_cache(maxsize=1)
def all_words() -> frozenset[str]:
    """Every 2–4 character word in jieba's bundled dictionary."""
    return frozenset(w for w, _, _ in _jieba_entries())


_FUNCTION_TAGS = frozenset({"v", "d", "p", "c", "r", "u"})


@lru_cache(maxsize=1)
def function_words(min_freq: int = 200) -> frozenset[str]:
    """Frequent verbs, adverbs, pronouns … that never open a place name (修建, 征求)."""
    return frozenset(w for w, f, tag in _jieba_entries() if f >= min_freq and tag in _FUNCTION_TAGS)


@lru_cache(maxsize=1)
def boundary_words() -> frozenset[str]:
    """Words a place stem may not cut through: common words and known place names."""
    return common_words() | known_place_names()


@lru_cache(maxsize=4)
def common_words(min_freq: int = 100) -> frozenset[str]:
    """Frequent non-name words from jieba's bundled dictionary (2–4 chars).

    Used to decide where a place-name stem starts: a stem never begins in the
    middle of a common word (目前|小留镇, not 目|前小留镇).
    """
    names = {"ns", "nr", "nrt", "nrfg", "nz", "nt"}
    return frozenset(w for w, f, tag in _jieba_entries() if f >= min_freq and tag not in names)
