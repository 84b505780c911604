"""Rule-based relations: officials ↔ titles ↔ places, places ↔ counts and money.

Pure functions over text and mentions; ``pipeline.stages.relations`` wraps
them as a spaCy component.  Patterns and cue words live in
``configs/rules/relations.yaml``.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .entities.lexicon import default_rules_dir
from .entities.mention import Mention
from .entities.persons import PersonFinder, skip_name_gap
from .entities.titles import UNRECORDED
from .quantities import Quantity
from .rulefiles import load_yaml
from .scope import Resolution, ScopeIndex

_CJK = re.compile(r"[\u4e00-\u9fff]")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Confidence(_Strict):
    """Confidence given to facts by the way their place was found."""

    explicit: float = Field(0.95, ge=0, le=1)
    same_sentence: float = Field(0.9, ge=0, le=1)
    section_header: float = Field(0.85, ge=0, le=1)
    article_title: float = Field(0.75, ge=0, le=1)
    focus: float = Field(0.7, ge=0, le=1)
    fallback: float = Field(0.5, ge=0, le=1)


class RelationRules(_Strict):
    """Schema of ``relations.yaml``."""

    chain_separators: list[str] = []
    name_title_separators: list[str] = []
    place_title_gaps: list[str] = []
    title_unit_words: list[str] = []
    recipient_cues: list[str] = []
    subject_stop_chars: str = ""
    subject_max_chars: int = Field(12, ge=1, le=40)
    min_person_repeats: int = Field(3, ge=2, le=20)
    name_first_titles: list[str] = []
    plural_markers: list[str] = []
    plural_units: dict[str, Literal["村", "镇", "县", "市", "省"]] = {}
    plural_window: int = Field(24, ge=4, le=80)
    confidence: Confidence = Confidence()


def load_relation_rules(rules_dir: Path | None = None) -> RelationRules:
    return load_yaml((rules_dir or default_rules_dir()) / "relations.yaml", RelationRules)


# The facts below are made once or twice per figure: plain slots dataclasses, not frozen
# ones (a frozen dataclass sets each field through object.__setattr__: ~6x the cost of
# making one, ~2.5 % of a run).  Treat them as read-only; they compare by value.


@dataclass(slots=True)
class RunnerUp:
    """The place a learned chooser ranked second (None: no place) and its probability."""

    place: str | None
    probability: float


@dataclass(slots=True)
class FactEvidence:
    """Where a fact comes from: offsets into the cleaned text (mapped later)."""

    rule: str
    start: int
    end: int
    confidence: float
    runner_up: RunnerUp | None = None


@dataclass(slots=True)
class OfficialFact:
    name: str
    title: str
    place: str | None
    evidence: FactEvidence


@dataclass(slots=True)
class QuantityFact:
    kind: Literal["count", "money"]
    place: str | None
    value: float
    unit: str
    subject: str
    approx: bool
    per_capita: bool
    evidence: FactEvidence


@dataclass
class RelationExtractor:
    """Builds facts from mentions; one instance serves many documents."""

    rules: RelationRules
    persons: PersonFinder
    # post heads (titles.yaml): where one is written a title ends, recorded or not (名誉村主任)
    title_heads: tuple[str, ...] = ()

    @cached_property
    def _conf(self) -> dict[str, float]:
        c = self.rules.confidence
        return {"scope.explicit": c.explicit, "scope.same_sentence": c.same_sentence,
                "scope.section_header": c.section_header, "scope.article_title": c.article_title,
                "scope.focus": c.focus, "scope.paragraph": c.focus, "scope.most_salient": c.focus,
                "scope.recipient": c.same_sentence, "scope.topic": c.article_title}

    def confidence(self, how: str) -> float:
        return self._conf.get(how, self.rules.confidence.fallback)

    # ------------------------------------------------------------------ officials
    def officials(self, text: str, titles: Sequence[Mention], scope: ScopeIndex,
                  excluded_names: set[str], model_persons: Sequence[Mention] = (),
                  prefectures: frozenset[str] = frozenset()) -> list[OfficialFact]:
        """One fact per (person, position) written in the text.

        ``model_persons`` (from a statistical NER stage) give name boundaries
        where they start right after a title; the surname rules decide otherwise.
        ``prefectures``: the article's place names that are autonomous prefectures
        (凉山 for 凉山彝族自治州), the places a 州委/州长 title can mean.
        """
        titles = _outermost(titles)
        known = functools.cache(lambda: self._known_names(text, titles, scope.places))  # only 当选/担任 need it
        by_start = {m.start: m for m in model_persons if 2 <= len(m.text) <= 6}  # 6: 巴特尔额尔敦
        # the place written before each title, found once (outermost titles start apart)
        prefixed = {t.start: self._prefixed_place(text, t, scope) for t in titles}
        ends = _Ends(frozenset(t.end for t in titles), frozenset(p.end for p in scope.places))
        out: list[OfficialFact] = []
        home: dict[str, Resolution] = {}  # level -> the place its first bare title resolved to
        for chain in self._chains(text, titles):
            name = _longer(self._model_name_after(text, chain[-1], by_start),
                           self._name_for_chain(text, chain, known, ends))
            if name is None or name.text in excluded_names:
                continue
            inherited: Resolution | None = None
            for t in chain:
                if self._former(t.text) or t.rule == UNRECORDED:
                    continue  # a former post (原村支书, 扶贫办原主任) or a status (干部) is not recorded
                res = self._place_for_title(t, scope, inherited, prefixed, titles, prefectures, home)
                if res.mention is not None:
                    inherited = res
                ev = FactEvidence(f"official.{name.rule}", min(t.start, name.start),
                                  max(t.end, name.end), self.confidence(res.how))
                out.append(OfficialFact(name.text, self._title_text(t, prefixed[t.start]), res.place, ev))
        return _drop_unplaced_repeats(_unique(out, key=lambda f: (f.name, f.title, f.place)))

    def _former(self, title: str) -> bool:
        """原 opens the title or stands right before its head (扶贫办原主任)."""
        return title.startswith("原") or title.endswith(self._former_heads)

    @cached_property
    def _former_heads(self) -> tuple[str, ...]:
        return tuple("原" + h for h in self.title_heads)

    def _title_text(self, title: Mention, place: Mention | None) -> str:
        """The post as written, with the unit word of a place written right before it
        (X社区书记 → 社区书记)."""
        if place is not None and place.end == title.start:
            unit = next((u for u in self.rules.title_unit_words if place.text.endswith(u)), None)
            if unit is not None and not title.text.startswith(unit):
                return unit + title.text
        return title.text

    @staticmethod
    def _model_name_after(text: str, title: Mention, by_start: dict[int, Mention]) -> Mention | None:
        m = by_start.get(skip_name_gap(text, title.end))
        if m is None or not all("\u4e00" <= ch <= "\u9fff" for ch in m.text):
            return None
        return Mention(m.start, m.end, "PERSON", m.text, "person.model")

    def _chains(self, text: str, titles: Sequence[Mention]) -> list[list[Mention]]:
        chains: list[list[Mention]] = []
        for t in titles:
            if chains:
                prev = chains[-1][-1]
                gap = text[prev.end:t.start]
                if self._is_chain_gap(gap):
                    chains[-1].append(t)
                    continue
            chains.append([t])
        return chains

    def _is_chain_gap(self, gap: str) -> bool:
        if gap in self.rules.chain_separators:
            return True
        # a place written before the next title: 、望湖村第一书记 / ,兼望湖村第一书记
        for sep in self.rules.chain_separators:
            if gap.startswith(sep) and 0 < len(gap) - len(sep) <= 10 and _CJK.match(gap[-1]):
                return not any(c in gap[len(sep):] for c in ",，。；;、")
        return False

    def _name_for_chain(self, text: str, chain: list[Mention], known: Callable[[], set[str]],
                        ends: _Ends) -> Mention | None:
        last = chain[-1]
        after = self.persons.name_at(text, last.end)
        if after is not None:
            if self._runs_on(text, after):
                glued = self._name_glued_before(text, chain[0], ends)
                if glued is not None:  # 保伟董事长谈项目 / 祖书记干得真好: the person is before the title
                    return glued or None
            return after
        first = chain[0]
        if first.text in self.rules.name_first_titles:  # 习近平总书记: the name comes first, unseparated
            before = self.persons.name_ending_at(text, first.start, boundary=False)
            if before is not None:
                return before
        start = first.start
        while start > 0 and text[start - 1] not in ",，(（、 \n。；" and start > first.start - 10:
            start -= 1
        sep = text[start - 1:start] if start > 0 else ""
        if sep in self.rules.name_title_separators:
            before = self.persons.name_ending_at(text, start - 1)
            if before is not None:
                return before
        return self._appointed(text, first, known)

    def _runs_on(self, text: str, name: Mention) -> bool:
        """The name is followed by a character that cannot end one (a name is followed by
        punctuation or a word such as 表示, 在, 主持: see ``name_stop_chars``)."""
        nxt = text[name.end:name.end + 1]
        return bool(nxt) and _CJK.match(nxt) is not None and nxt not in self.persons.rules.name_stop_chars

    def _name_glued_before(self, text: str, title: Mention, ends: _Ends) -> Mention | Literal[""] | None:
        """The name written right before ``title`` in the NAME职务 order (张三董事长), or "" for
        a bare surname (王书记: an address, no full name); None when something else is there.

        The name must start after a separator or where a post ends (another title, or an
        honour such as 名誉村主任 that is not recorded), no post may end inside it, and no
        place may end where the title starts (月城镇委书记)."""
        if title.start in ends.places or title.start + 1 in ends.places:
            return None
        stop = self.persons.rules.name_stop_chars

        def title_ends_at(i: int) -> bool:
            return i in ends.titles or text.endswith(self.title_heads, 0, i)

        for length in (3, 2):
            start = title.start - length
            if start < 0 or any(title_ends_at(i) for i in range(start + 1, title.start)):
                continue  # a post ends inside it (名誉村主任|保伟: not 任保伟)
            if not (start == 0 or title_ends_at(start) or not _CJK.match(text[start - 1])
                    or text[start - 1] in stop):
                continue
            m = self.persons.name_at(text, start, skip_gap=False)
            if m is not None and m.end == title.start:
                return Mention(m.start, m.end, "PERSON", m.text, "person.before_title")
        start = title.start - 1
        if start >= 0 and text[start] in self.persons.rules.surnames and (
                start == 0 or title_ends_at(start) or not _CJK.match(text[start - 1]) or text[start - 1] in stop):
            return ""
        return None

    def _appointed(self, text: str, title: Mention, known: Callable[[], set[str]]) -> Mention | None:
        """王某当选村党支部书记 / 赵某…担任第一书记: the subject holds the title."""
        window = text[max(0, title.start - 14):title.start]
        verbs = [v for v in self.persons.rules.appointment_verbs if v in window]
        if not verbs:
            return None
        sent_start = max(text.rfind(c, 0, title.start) for c in "。！？\n")
        best = None
        for name in known():
            i = text.rfind(name, sent_start + 1, title.start)
            if i >= 0 and (best is None or i > best.start):
                best = Mention(i, i + len(name), "PERSON", name, "person.appointed")
        if best is None:
            best = self._passive_subject(text, sent_start + 1, title.start)
        return best

    def _passive_subject(self, text: str, lo: int, hi: int) -> Mention | None:
        """周某被村民推选为村委会主任: the name right before 被 in the sentence."""
        i = text.rfind("被", lo, hi)
        if i <= lo:
            return None
        m = self.persons.name_ending_at(text, i)
        return None if m is None else Mention(m.start, m.end, "PERSON", m.text, "person.appointed")

    def _known_names(self, text: str, titles: Sequence[Mention], places: Sequence[Mention] = ()) -> set[str]:
        names = {m.text for m in self.persons.speakers(text)}
        for t in titles:
            m = self.persons.name_at(text, t.end)
            if m is not None:
                names.add(m.text)
        return names | self._repeated_names(text, places)

    @cached_property
    def _surname_re(self) -> re.Pattern[str]:
        return re.compile(f"[{re.escape(self.persons.rules.surnames)}]")

    def _repeated_names(self, text: str, places: Sequence[Mention] = ()) -> set[str]:
        """Three-character names written several times (not inside a place name: 石榴湾村)."""
        in_place = {i for p in places for i in range(p.start, p.end)}
        counts: dict[str, int] = {}
        for m in self._surname_re.finditer(text):
            if m.start() in in_place:
                continue
            cand = self.persons.name_at(text, m.start(), skip_gap=False)
            if cand is not None and len(cand.text) == 3:
                counts[cand.text] = counts.get(cand.text, 0) + 1
        return {n for n, c in counts.items() if c >= self.rules.min_person_repeats}

    @staticmethod
    def _named_later(title: Mention, titles: Sequence[Mention], scope: ScopeIndex,
                     prefixed: dict[int, Mention | None]) -> frozenset[str]:
        """Places written before a title of the same level later in the sentence
        (市委书记A和乙市委书记B): the bare title is not theirs."""
        _, s_end = scope.sentence_at(title.start)
        return frozenset(p.text for t in titles
                         if title.end <= t.start < s_end and t.level == title.level
                         and (p := prefixed[t.start]) is not None and not p.anaphor)

    def _place_for_title(self, title: Mention, scope: ScopeIndex, inherited: Resolution | None,
                         prefixed: dict[int, Mention | None], titles: Sequence[Mention],
                         prefectures: frozenset[str] = frozenset(),
                         home: dict[str, Resolution] | None = None) -> Resolution:
        own = prefixed[title.start]
        if own is not None:
            return scope.resolve_mention(own)
        if inherited is not None and (title.level is None or title.level == inherited.mention.level):
            return inherited
        if title.level is not None:
            # 市长 of a county-level city: 楚雄市 (a 县) is a 市 as its title writes it
            written = title.text[0] if title.text[0] in "市州" else None
            exclude = self._named_later(title, titles, scope, prefixed)
            if written == "州":  # 州委副秘书长: an autonomous prefecture, not the city next to it
                res = self._prefecture(title, scope, exclude, prefectures)
                if res is not None:
                    return res
            res = scope.resolve_level(title.level, title.start, written, exclude)
            if home is not None and res.how in _ARTICLE_WIDE:
                # a bare title does not mean a place the article writes before other people's
                # posts of that level (乙市委书记…): a visiting city named more often later
                # does not take over 市委副书记 from the place earlier bare titles meant
                first = home.setdefault(title.level, res)
                if res.place != first.place and first.place not in exclude and res.place in {
                        p.text for t in titles if t.start < title.start and t.level == title.level
                        and (p := prefixed[t.start]) is not None}:
                    res = first
            return Resolution(res.place, res.how, res.mention)
        return Resolution(None, "scope.unresolved")

    @staticmethod
    def _prefecture(title: Mention, scope: ScopeIndex, exclude: frozenset[str],
                    prefectures: frozenset[str]) -> Resolution | None:
        """The autonomous prefecture a 州 title means: as a level title would resolve among
        the prefectures only, else the article's one prefecture wherever it is written."""
        named = [p for p in scope.places if not p.anaphor and p.level == title.level]
        zhou = [p for p in named if p.text in prefectures or p.text.endswith("自治州")]
        others = frozenset(p.text for p in named if p not in zhou)
        res = scope.resolve_level(title.level, title.start, exclude=exclude | others)
        if res.place is not None:
            return Resolution(res.place, res.how, res.mention)
        written = {p.text for p in zhou} - exclude
        if len(written) == 1:
            first = next(p for p in zhou if p.text in written)
            return Resolution(first.text, "scope.only_prefecture", first)
        return None

    def _prefixed_place(self, text: str, title: Mention, scope: ScopeIndex) -> Mention | None:
        for p in scope.places:
            if p.end == title.start or (p.end == title.start + 1 and p.end > p.start + 1
                                          and text[title.start] == text[p.end - 1]):
                return p
            gap = text[p.end:title.start]
            if p.end < title.start and gap in self.rules.place_title_gaps:
                return p
        return None

    # ---------------------------------------------------------- counts, amounts
    def quantities(self, text: str, quantities: Sequence[Quantity], scope: ScopeIndex,
                   choose: Callable[[Quantity, Resolution], tuple[Resolution, float, RunnerUp | None] | None]
                   | None = None) -> list[QuantityFact]:
        """Attach each count/amount to a place; dedupe as GUIDELINES asks.

        ``choose`` (a learned ranker, :mod:`pipeline.attach`) sees each fact with
        the rules' place and may replace it (with a confidence and the place it
        ranked second, for the evidence); the discourse focus follows the rules
        either way.
        """
        out = []
        for q in quantities:
            res = self._place_for_quantity(text, q, scope)
            scope.note_fact(q.start, res.mention)
            conf = self.confidence(res.how)
            runner_up = None
            if choose is not None:
                picked = choose(q, res)
                if picked is not None:
                    res, conf, runner_up = picked
            ev = FactEvidence(f"{q.kind}.{res.how}", q.start, q.end, conf, runner_up)
            out.append(QuantityFact(q.kind, res.place, q.value, q.unit, self._subject(text, q),
                                    q.approx, q.per_capita, ev))
        counts = _unique([f for f in out if f.kind == "count"], key=lambda f: (f.place, f.value, f.unit))
        money = _unique([f for f in out if f.kind == "money"], key=lambda f: (f.place, f.value))
        return counts + money

    def _place_for_quantity(self, text: str, q: Quantity, scope: ScopeIndex) -> Resolution:
        recipient = self._recipient(text, q, scope)
        if recipient is not None:
            return recipient
        parent = self._common_parent(text, q, scope)
        if parent is not None:
            return parent
        before = scope.place_before_in_sentence(q.start)
        if before is not None and before.place is not None:
            return before
        return scope.focus(q.start)

    @cached_property
    def _plural_re(self) -> re.Pattern[str] | None:
        words = sorted(self.rules.plural_units, key=len, reverse=True)
        if not words or not self.rules.plural_markers:
            return None
        marks = "|".join(map(re.escape, self.rules.plural_markers))
        return re.compile(f"(?:{marks})(?:[0-9一二三四五六七八九十两几多]+个)?({'|'.join(map(re.escape, words))})")

    def _common_parent(self, text: str, q: Quantity, scope: ScopeIndex) -> Resolution | None:
        """甲村、乙村等村的12名第一书记: a figure over several places of one level goes to
        their common parent (GUIDELINES), the nearest place above that level before it in
        the sentence."""
        pattern = self._plural_re
        if pattern is None:
            return None
        sent_start, _ = scope.sentence_at(q.start)
        lo = max(sent_start, q.start - self.rules.plural_window)
        clause = text[lo:q.start]
        hits = list(pattern.finditer(clause))
        if not hits or any(c in clause[hits[-1].end():] for c in "，,；;。"):
            return None
        rank = _LEVEL_RANK.get(self.rules.plural_units[hits[-1].group(1)])
        above = [p for p in scope.named_before(lo + hits[-1].start(), sent_start)
                 if _LEVEL_RANK.get(p.level or "", -1) > rank and not scope.names_org(p)]
        if not above:
            return None
        return Resolution(above[-1].text, "scope.common_parent", above[-1])

    def _recipient(self, text: str, q: Quantity, scope: ScopeIndex) -> Resolution | None:
        """800万元用于X村…: money given to a place belongs to the receiving place."""
        after = text[q.end:q.end + 16]
        if not after.startswith(self._recipient_cues):
            return None
        cue = next(c for c in self.rules.recipient_cues if after.startswith(c))  # the first listed wins
        lo = q.end + len(cue)
        clause_end = min([i for i in (text.find(c, lo) for c in ",，。;；、") if i >= 0] or [len(text)])
        cands = [p for p in scope.places if lo <= p.start and p.end <= clause_end and not p.anaphor]
        chain = [p for p in cands if p.start == lo or any(p.start == o.end for o in cands)]
        if not chain:
            return None
        return Resolution(chain[-1].text, "scope.recipient", chain[-1])

    @cached_property
    def _recipient_cues(self) -> tuple[str, ...]:
        return tuple(self.rules.recipient_cues)

    @cached_property
    def _subject_res(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """Runs of subject characters (CJK, not a stop character) after and before a figure."""
        chars = "[^\x00-\u4dff\ua000-\U0010ffff" + "".join(map(re.escape, self.rules.subject_stop_chars)) + "]"
        return re.compile(f"{chars}*"), re.compile(f"{chars}*\\Z")

    def _subject(self, text: str, q: Quantity) -> str:
        """A short noun phrase for what is counted (not scored; for readers)."""
        after_re, before_re = self._subject_res
        n = self.rules.subject_max_chars
        after = after_re.match(text, q.end, q.end + n).group()
        if len(after) >= 2:
            return after
        return before_re.search(text, max(0, q.start - n), q.start).group() or q.text


# resolutions of a level title that do not come from its own sentence or section
_ARTICLE_WIDE = frozenset({"scope.most_salient", "scope.article_title", "scope.breadcrumb", "scope.bare_name"})


@dataclass(frozen=True)
class _Ends:
    """Where the article's titles and places end (a name may start after a title, not after a place)."""

    titles: frozenset[int]
    places: frozenset[int]


def _longer(model: Mention | None, rule: Mention | None) -> Mention | None:
    """Of a model name and a rule name at the same place, the longer one.

    The model extends names the surname rules cut at a stop character
    (何春|来); the rules keep names with rare characters the model cuts
    short (陈里|焱).  Where they start at different places, the rule wins.
    """
    if model is None or rule is None:
        return model or rule
    if model.start == rule.start and len(model.text) > len(rule.text):
        return model
    return rule


def _outermost(titles: Sequence[Mention]) -> list[Mention]:
    """Drop titles inside longer titles (常委 inside 人大常委会副主任)."""
    out = []
    for t in sorted(titles, key=lambda m: (m.start, -m.end)):
        if out and t.start < out[-1].end:
            if t.end > out[-1].end:
                out[-1] = t
            continue
        out.append(t)
    return out


_LEVEL_RANK = {"村": 0, "镇": 1, "县": 2, "市": 3, "省": 4}
_LEADING_LEVEL = re.compile(r"^[省市州县区旗镇乡村]+")


def _drop_unplaced_repeats(facts: list[OfficialFact]) -> list[OfficialFact]:
    """One record per position: a post written again later with or without its
    level character (甲市人大常委会主任杨某 … 市人大常委会主任杨某) is the same
    post: the first record of it stays, and an unplaced copy goes when the same
    person holds it with a place."""
    def post(f: OfficialFact) -> tuple[str, str]:
        return f.name, _LEADING_LEVEL.sub("", f.title)

    placed = {post(f) for f in facts if f.place is not None}
    return _unique([f for f in facts if f.place is not None or post(f) not in placed],
                   key=lambda f: (*post(f), f.place))


def _unique(facts, key):
    seen, out = set(), []
    for f in facts:
        k = key(f)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out
