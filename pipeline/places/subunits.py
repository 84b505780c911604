"""Units below the village (村民小组, 组, 自然村, 屯) as mentions of their village.

GUIDELINES have no place level below 村/社区: a figure about 乌龙寺小组 belongs
to the village the group is part of.  An article says which village once, by
chaining them (云龙村乌龙寺小组); every later mention of the group (乌龙寺小组
…, 乌龙寺村民小组长) then counts as a mention of that village for attribution.
The unit words and the words they must not run into (组织, 组建) are data in
places.yaml (``subunits``, ``subunit_not_before``).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..entities.mention import Mention

_NAME = r"[\u4e00-\u9fff]{2,4}?"


def subunit_mentions(text: str, places: Sequence[Mention], units: Iterable[str],
                     not_before: Iterable[str] = ()) -> list[Mention]:
    """Mentions (village's name, at the group's span) of every named sub-village unit
    the text chains to a village; empty when nothing is chained."""
    units = sorted(set(units), key=len, reverse=True)
    if not units:
        return []
    unit_re = "|".join(map(re.escape, units))
    avoid = tuple(not_before)
    chained = re.compile(f"({_NAME})(?:{unit_re})")
    villages: dict[str, Mention] = {}
    for p in places:
        if p.anaphor or p.level != "村":
            continue
        m = chained.match(text, p.end)
        if m is None or text.startswith(avoid, m.end()):
            continue
        name = m.group(1)
        if any(q.start < m.end() and p.end < q.end for q in places if q is not p):
            continue  # the "name" is another place (云龙村石桥镇…)
        villages.setdefault(name, p)
    if not villages:
        return []
    found = re.compile(f"({'|'.join(map(re.escape, sorted(villages, key=len, reverse=True)))})(?:{unit_re})")
    out = []
    for m in found.finditer(text):
        if text.startswith(avoid, m.end()):
            continue
        village = villages[m.group(1)]
        out.append(Mention(m.start(), m.end(), "PLACE", village.text, "place.subunit", level=village.level))
    return out
