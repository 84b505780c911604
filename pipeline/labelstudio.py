"""Label Studio round trip: records → pre-annotated tasks → corrected gold.

Export turns pipeline records into Label Studio tasks whose *predictions*
hold the extraction as regions and relations, so an annotator corrects
instead of starting from nothing:

- regions (``labels``): PERSON, TITLE, PLACE on the words of each official,
  COUNT and MONEY on each number;
- relations: PERSON → TITLE (``title``), TITLE → PLACE and COUNT/MONEY →
  PLACE (``place``);
- per-region fields: ``value`` (the normalised number), ``unit``,
  ``subject`` and the ``approx`` choice, editable in the region panel.

The labelling config matching these names ships as
``configs/labelstudio.xml``.  Import reads the newest annotation of each task
(or its prediction when nobody annotated it) and writes one gold JSON per
article in the format of the annotation guidelines, ready for ``pipeline
eval`` and ``pipeline rules learn``.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import InputError
from .io.paths import safe_output_path
from .numerals import parse_numeral

FROM, TO = "label", "text"
_REGION_LABELS = ("PERSON", "TITLE", "PLACE", "COUNT", "MONEY")
_UNIT_WORDS = {"户": "户", "人次": "人次", "人": "人", "名": "人", "口": "人", "位": "人"}


# -- export ------------------------------------------------------------------------
class _Regions:
    """Regions of one task; one region per (label, start, end)."""

    def __init__(self) -> None:
        self.result: list[dict] = []
        self.ids: dict[tuple[str, int, int], str] = {}

    def region(self, label: str, start: int, end: int, text: str) -> str:
        key = (label, start, end)
        if key not in self.ids:
            rid = f"r{len(self.ids) + 1}"
            self.ids[key] = rid
            self.result.append({"id": rid, "from_name": FROM, "to_name": TO, "type": "labels",
                                "value": {"start": start, "end": end, "text": text, "labels": [label]}})
        return self.ids[key]

    def field(self, rid: str, name: str, start: int, end: int, value: Any) -> None:
        if value is None or value == "":
            return
        if name == "approx":
            if value:
                self.result.append({"id": rid, "from_name": "approx", "to_name": TO, "type": "choices",
                                    "value": {"start": start, "end": end, "choices": ["approx"]}})
            return
        self.result.append({"id": rid, "from_name": name, "to_name": TO, "type": "textarea",
                            "value": {"start": start, "end": end, "text": [str(value)]}})

    def relation(self, a: str, b: str, label: str) -> None:
        self.result.append({"from_id": a, "to_id": b, "type": "relation", "direction": "right",
                            "labels": [label]})


def _find_near(text: str, needle: str | None, start: int, end: int, reach: int = 40) -> tuple[int, int] | None:
    """The occurrence of ``needle`` closest to [start, end)."""
    if not needle:
        return None
    best = None
    lo, hi = max(0, start - reach), min(len(text), end + reach)
    i = text.find(needle, lo, hi)
    while i >= 0:
        d = 0 if start <= i < end else min(abs(i - start), abs(i - end))
        if best is None or d < best[0]:
            best = (d, i)
        i = text.find(needle, i + 1, hi)
    return (best[1], best[1] + len(needle)) if best else None


def _place_region(text: str, place: str | None, start: int) -> tuple[int, int] | None:
    """Where the place is written: the last mention before the fact, else the first after."""
    if not place:
        return None
    i = text.rfind(place, 0, start)
    if i < 0:
        i = text.find(place, start)
    return (i, i + len(place)) if i >= 0 else None


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def record_to_task(record: dict) -> dict:
    """One Label Studio task, with the record's facts as a prediction."""
    text = record.get("text") or ""
    r = _Regions()

    def place_rid(place: str | None, at: int) -> str | None:
        span = _place_region(text, place, at)
        return r.region("PLACE", *span, place) if span else None

    for o in record.get("officials") or []:
        ev = o.get("evidence") or {}
        s, e = ev.get("start", 0), ev.get("end", 0)
        name_span = _find_near(text, o.get("name"), s, e)
        title_span = _find_near(text, o.get("title"), s, e)
        if name_span is None:
            continue
        person = r.region("PERSON", *name_span, o["name"])
        if title_span is not None:
            title = r.region("TITLE", *title_span, o["title"])
            r.relation(person, title, "title")
            place = place_rid(o.get("place"), title_span[0] + 1)
            if place:
                r.relation(title, place, "place")
    for kind, label in (("counts", "COUNT"), ("amounts", "MONEY")):
        for f in record.get(kind) or []:
            ev = f.get("evidence") or {}
            s, e = ev.get("start"), ev.get("end")
            if s is None or e is None or not 0 <= s < e <= len(text):
                continue
            rid = r.region(label, s, e, text[s:e])
            value = f.get("value") if kind == "counts" else f.get("value_yuan")
            r.field(rid, "value", s, e, _num(value) if value is not None else None)
            if kind == "counts":
                r.field(rid, "unit", s, e, f.get("unit"))
            r.field(rid, "subject", s, e, f.get("subject"))
            r.field(rid, "approx", s, e, bool(f.get("approx")))
            place = place_rid(f.get("place"), s)
            if place:
                r.relation(rid, place, "place")
    return {"data": {"text": text, "id": record.get("id"), "url": record.get("url")},
            "predictions": [{"model_version": "zh-news-ie", "result": r.result}]}


def export_tasks(records: Iterable[dict], output: Path | str) -> int:
    """Write ``records`` as a Label Studio import file (a JSON list of tasks)."""
    tasks = [record_to_task(rec) for rec in records if rec.get("text")]
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(tasks)


# -- import ------------------------------------------------------------------------
def _result_of(task: dict) -> list[dict]:
    """The newest non-cancelled annotation's result, else the first prediction's."""
    annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if annotations:
        newest = max(annotations, key=lambda a: (a.get("updated_at") or a.get("created_at") or "", a.get("id") or 0))
        return newest.get("result") or []
    predictions = task.get("predictions") or []
    return (predictions[0].get("result") or []) if predictions else []


def _unit_of(text: str) -> str | None:
    for word, unit in sorted(_UNIT_WORDS.items(), key=lambda kv: -len(kv[0])):
        if word in text:
            return unit
    return None


_NUMBER = re.compile(r"[0-9０-９.,]+|[零〇一二两三四五六七八九十百千]+")


def _value_from_span(span: str) -> float | None:
    m = _NUMBER.search(span)
    if not m:
        return None
    num = m.group().replace(",", "")
    rest = span[m.end():]
    big = re.match(r"[万亿]+", rest)
    try:
        return parse_numeral(num + (big.group() if big else ""))
    except ValueError:
        return None


def task_to_gold(task: dict, where: str) -> dict:
    """One gold article (annotation-guideline format) from a Label Studio task."""
    data = task.get("data") or {}
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: task has no data.text; export tasks with `pipeline export labelstudio`")
    regions: dict[str, dict] = {}
    fields: dict[str, dict[str, Any]] = {}
    relations: list[tuple[str, str, str]] = []
    for item in _result_of(task):
        kind = item.get("type")
        if kind == "relation":
            label = (item.get("labels") or [""])[0]
            relations.append((item.get("from_id"), item.get("to_id"), label))
        elif kind == "labels":
            value = item.get("value") or {}
            labels = value.get("labels") or []
            if labels and labels[0] in _REGION_LABELS:
                start, end = value.get("start"), value.get("end")
                span = text[start:end] if isinstance(start, int) and isinstance(end, int) else value.get("text", "")
                regions[item["id"]] = {"label": labels[0], "text": span, "start": start}
        elif kind in ("textarea", "choices"):
            value = item.get("value") or {}
            got = (value.get("text") or [None])[0] if kind == "textarea" else "approx" in (value.get("choices") or [])
            fields.setdefault(item.get("id"), {})[item.get("from_name")] = got
    linked: dict[tuple[str, str], list[str]] = {}
    for a, b, label in relations:
        if a in regions and b in regions:
            if not label:  # an unlabelled relation: infer it from the region types
                label = "title" if (regions[a]["label"], regions[b]["label"]) == ("PERSON", "TITLE") else "place"
            linked.setdefault((a, label), []).append(b)

    def place_of(rid: str) -> str | None:
        places = [regions[t]["text"] for t in linked.get((rid, "place"), []) if regions[t]["label"] == "PLACE"]
        return places[0] if places else None

    officials, counts, amounts = [], [], []
    for rid, reg in sorted(regions.items(), key=lambda kv: kv[1]["start"] or 0):
        f = fields.get(rid, {})
        if reg["label"] == "PERSON":
            for title in linked.get((rid, "title"), []):
                officials.append({"name": reg["text"], "title": regions[title]["text"],
                                  "place": place_of(title) or place_of(rid)})
        elif reg["label"] in ("COUNT", "MONEY"):
            raw = f.get("value")
            try:
                value = float(raw) if raw not in (None, "") else _value_from_span(reg["text"])
            except ValueError:
                raise InputError(f"{where}: region {rid} value {raw!r} is not a number") from None
            if value is None:
                raise InputError(f"{where}: region {rid} ({reg['text']!r}) has no number; set its value field")
            approx = bool(f.get("approx", False))
            if reg["label"] == "COUNT":
                unit = f.get("unit") or _unit_of(reg["text"])
                if unit not in ("户", "人", "人次"):
                    raise InputError(f"{where}: region {rid} ({reg['text']!r}) needs unit 户, 人 or 人次")
                counts.append({"place": place_of(rid), "value": int(value) if value.is_integer() else value,
                               "unit": unit, "subject": f.get("subject") or "", "approx": approx})
            else:
                amounts.append({"place": place_of(rid), "value_yuan": value,
                                "subject": f.get("subject") or "", "approx": approx})
    return {"id": data.get("id") or where, "url": data.get("url"), "text": text,
            "officials": _unique(officials, ("name", "title", "place")),
            "counts": _unique(counts, ("place", "value", "unit")),
            "amounts": _unique(amounts, ("place", "value_yuan"))}


def _unique(rows: list[dict], key: tuple[str, ...]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        k = tuple(row[x] for x in key)
        if k not in seen:
            seen.add(k)
            out.append(row)
    return out


def import_tasks(tasks_path: Path | str, output_dir: Path | str) -> list[Path]:
    """Write one gold JSON per task of a Label Studio export into ``output_dir``."""
    path = Path(tasks_path)
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a Label Studio JSON export ({exc})") from None
    if not isinstance(tasks, list):
        raise InputError(f"{path}: expected a JSON list of tasks (Label Studio 'JSON' export)")
    out_dir = Path(output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    first: dict[str, int] = {}
    for n, task in enumerate(tasks, start=1):
        gold = task_to_gold(task, f"{path} task {n}")
        gid = str(gold["id"])
        if gid in first:
            raise InputError(f"{path} task {n}: id {gid!r} was already used by task {first[gid]}; "
                             f"give each task its own data.id")
        first[gid] = n
        target = safe_output_path(out_dir, gid, ".json")  # ids never leave out_dir
        target.write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(target)
    return written
