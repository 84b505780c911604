"""Link place mentions to gazetteer divisions: a code, a level and a parent chain.

One sense per name per article: every mention of a surface string gets the
same link.  A name with one candidate division is linked outright.  A
homonym (38,723 townships share 30,169 names; 城关镇 names 88 of them) is
decided by the article's other places:

* **chains** in the text: 茂南区新坡镇 puts 新坡镇 under 茂南区;
* **co-mentions** (the article's places, its title, breadcrumb and source):
  a candidate is supported by a division above or below it (1.0), one in
  the same county (0.5), prefecture (0.25) or province (0.1); support from a
  name that is itself ambiguous is divided among its candidates;
* the two are iterated, so a decision feeds the next.

The best candidate is linked when its support clearly beats the runner-up
(``margin``); a short form with no support but one candidate at a higher
level than the rest (吉林: the province, not the city) is linked as
*prominent* with low confidence.  Otherwise the mention stays unlinked, with
its number of candidates: never a silent guess.  A weak short form (an
ordinary word such as 资源) with no support is not a place at all.

Places the gazetteer lacks (villages, communities, zones) get a parent from
a chain (新坡镇车田村) or, when the article links exactly one township, that
township.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..entities.mention import Mention
from .forms import FULL, VARIANT, WEAK
from .gazetteer import Division, Gazetteer

# support of a candidate by a related division, by how they are related
_ANCESTRY, _SAME = 1.0, {3: 0.5, 2: 0.25, 1: 0.1}
_CHAIN = 2.0
_GAP = " \u3000"  # what may stand between two chained names


@dataclass(frozen=True, slots=True)
class PlaceLink:
    """How one place name of an article is linked (``code`` None: unlinked)."""

    name: str
    level: str | None
    code: str | None = None
    parent_code: str | None = None
    path: tuple[str, ...] = ()
    rule: str = "unlinked"
    confidence: float = 0.0
    candidates: int = 0


@dataclass
class PlaceLinker:
    """Decide the division of each place name of an article; see the module doc."""

    gazetteer: Gazetteer
    margin: float = 1.5
    weak_support: float = 0.25
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def ancestors(self, code: str) -> tuple[str, ...]:
        got = self._ancestors.get(code)
        if got is None:
            got = self._ancestors[code] = tuple(a.code for a in self.gazetteer.ancestors(code))
        return got

    def relation(self, a: str, b: str) -> float:
        """Support that division ``b`` gives to ``a``."""
        if a == b:
            return _ANCESTRY  # the same division written another way (赤城县 … 赤城)
        anc_a, anc_b = self.ancestors(a), self.ancestors(b)
        if a in anc_b or b in anc_a:
            return _ANCESTRY
        da, db = self.gazetteer.divisions[a], self.gazetteer.divisions[b]
        for level in (3, 2, 1):
            if level < min(da.level, db.level) and len(anc_a) >= level and len(anc_b) >= level:
                pa, pb = self._at(a, level), self._at(b, level)
                if pa is not None and pa == pb:
                    return _SAME[level]
        return 0.0

    def _at(self, code: str, level: int) -> str | None:
        for c in self.ancestors(code):
            if self.gazetteer.divisions[c].level == level:
                return c
        return None

    def candidates(self, surface: str) -> tuple[list[str], str | None]:
        """Codes ``surface`` may name (only its best kind of form) and that kind."""
        forms = self.gazetteer.lookup(surface)
        if not forms:
            return [], None
        kind = forms[0].kind
        return [f.code for f in forms if f.kind == kind], kind

    def link(self, text: str, places: Sequence[Mention],
             context: Iterable[Mention] = ()) -> tuple[dict[str, PlaceLink], list[Mention]]:
        """Links by name, and the places with gazetteer levels set and unsupported
        weak short forms removed."""
        named = [p for p in places if not p.anaphor]
        context = [p for p in context if not p.anaphor]
        cands: dict[str, list[str]] = {}
        kinds: dict[str, str | None] = {}
        for p in [*named, *context]:
            if p.text not in cands:
                cands[p.text], kinds[p.text] = self.candidates(p.text)
        chains = self._chains(text, named)
        rerouted = self._follow_chains(chains, cands, kinds)
        decided: dict[str, str] = {s: c[0] for s, c in cands.items() if len(c) == 1 and kinds[s] != WEAK}
        scores: dict[str, list[tuple[float, str]]] = {}
        for _ in range(2):
            for s, cs in cands.items():
                if not cs or (s in decided and len(cs) == 1):
                    continue
                scores[s] = sorted(((self._support(s, c, cands, kinds, decided, chains), c) for c in cs),
                                   reverse=True)
            for s, ranked in scores.items():
                best = self._decide(s, ranked, kinds[s])
                if best is not None:
                    decided[s] = best[0]
        links: dict[str, PlaceLink] = {}
        for s, cs in cands.items():
            links[s] = self._make(s, cs, kinds[s], decided, scores.get(s))
            if s in rerouted and links[s].code:
                links[s] = replace(links[s], rule="gazetteer.chain_variant")
        kept = [p for p in places if p.anaphor or links.get(p.text) is None or links[p.text].rule != "not_a_place"]
        self._parents(text, kept, links)
        out = []
        for p in kept:
            link = links.get(p.text)
            if link is not None and link.level is not None and link.level != p.level and not p.anaphor:
                p = replace(p, level=link.level)
            out.append(p)
        return {s: link for s, link in links.items() if link.rule != "not_a_place"}, out

    # --- evidence ------------------------------------------------------------
    def _chains(self, text: str, named: Sequence[Mention]) -> list[tuple[str, str]]:
        """(outer surface, inner surface) for names written one after the other."""
        out = []
        for a, b in zip(named, named[1:]):
            if a.end <= b.start and not text[a.end:b.start].strip(_GAP) and a.text != b.text:
                out.append((a.text, b.text))
        return out

    def _follow_chains(self, chains: list[tuple[str, str]], cands: dict[str, list[str]],
                       kinds: dict[str, str | None]) -> set[str]:
        """Where the text writes a name under a parent (叶县龙泉乡) and none of its
        divisions lies under any of the parent's, the parent's own division with
        that stem is meant (叶县's 龙泉镇: an older or other suffix); when it has
        none (a township merged or renamed since), the name is not linked to a
        division elsewhere but left for a parent.  Returns the names re-routed."""
        out = set()
        divisions = self.gazetteer.divisions
        for outer, inner in chains:
            outs, ins = cands.get(outer), cands.get(inner)
            if not outs or not ins or len(outs) > 5 or kinds.get(outer) == WEAK:
                continue
            if any(o in self.ancestors(c) for c in ins for o in outs):
                continue  # the chain holds as written
            level = min(divisions[c].level for c in ins)
            if level <= min(divisions[o].level for o in outs):
                continue
            stem = self.gazetteer.stem(inner, level)
            under = [d.code for o in outs for d in self._below(o, level)
                     if self.gazetteer.stem(d.name, level) == stem]
            cands[inner], kinds[inner] = under, (VARIANT if under else None)
            out.add(inner)
        return out

    def _below(self, code: str, level: int) -> list[Division]:
        """The divisions at ``level`` under ``code``."""
        layer = [self.gazetteer.divisions[code]]
        while layer and layer[0].level < level:
            layer = [k for d in layer for k in self.gazetteer.children(d.code)]
        return [d for d in layer if d.level == level]

    def _support(self, s: str, code: str, cands: dict[str, list[str]], kinds: dict[str, str | None],
                 decided: dict[str, str], chains: list[tuple[str, str]]) -> float:
        total = 0.0
        for t, cs in cands.items():
            if t == s or not cs or (kinds[t] == WEAK and t not in decided):
                continue
            options = [decided[t]] if t in decided else cs
            best = max(self.relation(code, c) for c in options) if len(options) <= 50 else 0.0
            total += best / (1 if t in decided else len(options))
        for outer, inner in chains:
            other = outer if inner == s else inner if outer == s else None
            if other is None or not cands.get(other):
                continue
            options = [decided[other]] if other in decided else cands[other]
            for c in options:
                if (other == outer and c in self.ancestors(code)) or (other == inner and code in self.ancestors(c)):
                    total += _CHAIN / (1 if other in decided else len(options))
                    break
        return total

    def _decide(self, s: str, ranked: list[tuple[float, str]], kind: str | None) -> tuple[str, str] | None:
        best, code = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        if kind == WEAK and best < self.weak_support:
            return None
        if best > 0 and best >= self.margin * second and best > second:
            return code, "context"
        if len(ranked) == 1 and best > 0:
            return code, "supported"
        return None

    def _make(self, s: str, cs: list[str], kind: str | None, decided: dict[str, str],
              ranked: list[tuple[float, str]] | None) -> PlaceLink:
        if not cs:
            return PlaceLink(s, None)
        if s in decided:
            code = decided[s]
            if ranked is None:
                return self._linked(s, code, "gazetteer.unique", 1.0 if kind == FULL else 0.9, len(cs))
            best = ranked[0][0]
            second = ranked[1][0] if len(ranked) > 1 else 0.0
            conf = round(best / (best + second), 2) if best + second else 0.5
            rule = "gazetteer.context" if len(cs) > 1 else "gazetteer.supported"
            return self._linked(s, code, rule, conf, len(cs))
        if kind == WEAK:
            return PlaceLink(s, None, rule="not_a_place", candidates=len(cs))
        divs = [self.gazetteer.divisions[c] for c in cs]
        top = min(d.level for d in divs)
        tops = [d for d in divs if d.level == top]
        if kind != FULL and len(tops) == 1:
            return self._linked(s, tops[0].code, "gazetteer.prominent", 0.5, len(cs))
        level = divs[0].level_name if len({d.level for d in divs}) == 1 else None
        return PlaceLink(s, level, rule="gazetteer.ambiguous", candidates=len(cs))

    def _linked(self, s: str, code: str, rule: str, confidence: float, n: int) -> PlaceLink:
        d: Division = self.gazetteer.divisions[code]
        return PlaceLink(s, d.level_name, d.code, d.parent, tuple(self.gazetteer.path(code)), rule, confidence, n)

    def _parents(self, text: str, places: Sequence[Mention], links: dict[str, PlaceLink]) -> None:
        """Parents for places the gazetteer lacks: a chained linked name, else the
        article's only linked township (or county when it links no township)."""
        named = [p for p in places if not p.anaphor]
        linked = {lk.code: lk for lk in links.values() if lk.code}
        towns = {c for c, lk in linked.items() if lk.level == "镇"}
        counties = {c for c, lk in linked.items() if lk.level == "县"}
        sole = next(iter(towns)) if len(towns) == 1 else next(iter(counties)) if not towns and len(counties) == 1 else None
        for i, p in enumerate(named):
            if p.text in links and (links[p.text].code or links[p.text].candidates):
                continue
            parent, rule, conf = None, "unlinked", 0.0
            prev = named[i - 1] if i else None
            if prev is not None and not text[prev.end:p.start].strip(_GAP) and prev.text in links \
                    and links[prev.text].code:
                parent, rule, conf = links[prev.text], "text.chain", 0.9
            elif sole is not None and p.level in ("村", "镇") and linked[sole].level != p.level:
                parent, rule, conf = linked[sole], "article.sole_parent", 0.6
            if parent is None:
                if p.text not in links:
                    links[p.text] = PlaceLink(p.text, p.level)
                continue
            links[p.text] = PlaceLink(p.text, p.level, None, parent.code, (*parent.path, p.text), rule, conf, 0)
