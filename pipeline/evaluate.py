"""Score records against gold articles (the GUIDELINES "scoring" section).

Micro P/R/F1 per record type over all articles: officials match on (name,
normalised title, place), counts on (place, value, unit), amounts on (place,
value in yuan rounded to cents); a looser officials score matches on (name,
place).  Titles are normalised by dropping parenthesised parts, 党,
人民政府/政府 and 驻村, a leading run of level characters, and writing a
trailing 支书 as 支部书记.  Places match with or without their administrative
suffix (青川 = 青川县) as long as the stem keeps two characters.

``counts_unplaced`` and ``amounts_unplaced`` ignore the place; ``place_accuracy``
is the share of the numbers found (value and unit right) whose place is right
as well.  The figures agree with the reference scorer (v3) to the last digit.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_LEVELS = re.compile(r"^[镇乡县区市村州省]+")
_PAREN = re.compile(r"[（(][^（()）]*[)）]")
# A trailing administrative suffix; the longest alternatives come first.
_PLACE_SUFFIX = re.compile(
    r"(?:(?:维吾尔|壮族|回族)?自治区|特别行政区|自治州|自治县|自治旗|省|市|县|区|旗|盟|州|镇|乡|苏木|街道|社区|嘎查|村)$")
KINDS = ("officials", "officials_loose", "counts", "amounts", "counts_unplaced", "amounts_unplaced")
STRICT = ("officials", "counts", "amounts")


def normalise_title(title: str | None) -> str:
    t = _PAREN.sub("", (title or "").strip())
    for variant in ("党", "人民政府", "政府", "驻村"):
        t = t.replace(variant, "")
    t = _LEVELS.sub("", t)
    return t.replace("支书", "支部书记") if t.endswith("支书") else t


@lru_cache(maxsize=1 << 16)
def normalise_place(place: str | None) -> str | None:
    """A place without its administrative suffix, unless that leaves one character.

    Cached: the attach stage asks it of the same few surfaces for every fact."""
    p = (place or "").strip()
    if not p:
        return None
    stem = _PLACE_SUFFIX.sub("", p)
    return stem if len(stem) >= 2 else p


_place = normalise_place


def fact_keys(record: dict) -> dict[str, set[tuple]]:
    """The comparable keys of a record's facts, per kind."""
    out: dict[str, set[tuple]] = {k: set() for k in KINDS}
    for o in record.get("officials") or []:
        name, place = (o.get("name") or "").strip(), _place(o.get("place"))
        out["officials"].add((name, normalise_title(o.get("title")), place))
        out["officials_loose"].add((name, place))
    for c in record.get("counts") or []:
        try:
            out["counts"].add((_place(c.get("place")), int(c["value"]), c.get("unit")))
            out["counts_unplaced"].add((int(c["value"]), c.get("unit")))
        except (KeyError, TypeError, ValueError):
            continue
    for a in record.get("amounts") or []:
        try:
            out["amounts"].add((_place(a.get("place")), round(float(a["value_yuan"]), 2)))
            out["amounts_unplaced"].add(round(float(a["value_yuan"]), 2))
        except (KeyError, TypeError, ValueError):
            continue
    return out


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_records(path: Path) -> dict[str, dict]:
    """Predictions from a JSONL file or a directory of ``*.json`` records."""
    if path.is_dir():
        recs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(path.glob("*.json"))]
    else:
        recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {str(r.get("id")): r for r in recs}


def score(gold: Iterable[dict], predictions: dict[str, dict]) -> dict:
    """Micro scores per kind, micro F1 over the strict kinds, macro F1 over articles."""
    tallies = {k: Tally() for k in KINDS}
    per_article = []
    for g in gold:
        gk, pk = fact_keys(g), fact_keys(predictions.get(str(g["id"]), {}))
        for k in KINDS:
            t = tallies[k]
            t.tp += len(gk[k] & pk[k])
            t.fp += len(pk[k] - gk[k])
            t.fn += len(gk[k] - pk[k])
        gs = set().union(*(gk[k] for k in STRICT))
        ps = set().union(*(pk[k] for k in STRICT))
        if gs:
            tp = len(gs & ps)
            per_article.append(Tally(tp, len(ps) - tp, len(gs) - tp).prf()[2])
    result: dict = {}
    for k, t in tallies.items():
        p, r, f = t.prf()
        result[k] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": t.tp, "fp": t.fp, "fn": t.fn}
    total = Tally(*(sum(getattr(tallies[k], a) for k in STRICT) for a in ("tp", "fp", "fn")))
    result["micro_f1"] = round(total.prf()[2], 4)
    result["macro_f1"] = round(sum(per_article) / len(per_article), 4) if per_article else 0.0
    found = tallies["counts_unplaced"].tp + tallies["amounts_unplaced"].tp
    placed = tallies["counts"].tp + tallies["amounts"].tp
    result["place_accuracy"] = round(placed / found, 4) if found else 0.0
    return result


def score_dir(gold_dir: Path, predictions: Path) -> dict:
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(gold_dir).glob("*.json"))]
    return score(gold, load_records(Path(predictions)))
