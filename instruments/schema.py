"""Instrument definitions as data: the YAML format, its validation, and the parsed dataclasses.

The format is documented in ``instruments/definition_schema.md``. ``parse_definition`` checks a
whole definition and raises one ``ValidationError`` listing every problem with the path to the
wrong field (``sections[2].items[4].scale: unknown scale "INST5"``, 0-based indices).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pilots.errors import Problem, ValidationError
from pilots.privacy import find_personal_identity_numbers

STATUSES = ("provisional", "verified")
INDICATOR_KINDS = ("share_at_or_above", "normalised_sum", "count_at_or_below")
DONT_KNOW = "vet_ej"
"""Marker for a "Vet ej" (don't know) answer; stored as its own value, never as a number."""
DONT_KNOW_SPELLINGS = frozenset({"vet_ej", "vet ej", "vetej", "dont_know", "don't know", "dont know"})
DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

_SEMVER = re.compile(r"^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_SCALE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+){0,15}$")
_EPS = 1e-9


# ---------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Text:
    """A text in Swedish with its English gloss."""

    sv: str
    en: str

    def get(self, lang: str = "sv") -> str:
        return self.en if lang == "en" else self.sv

    def to_dict(self) -> dict[str, str]:
        return {"sv": self.sv, "en": self.en}


DEFAULT_DONT_KNOW = Text("Vet ej", "Don't know")


@dataclass(frozen=True)
class ScaleValue:
    """One step of an ordinal scale: a whole number and its label."""

    value: int
    label: Text


@dataclass(frozen=True)
class Scale:
    """An ordinal answer scale; higher values mean further along / better. "Vet ej" is always allowed."""

    id: str
    values: tuple[ScaleValue, ...]
    label: Text | None = None
    dont_know: Text = DEFAULT_DONT_KNOW

    @property
    def min(self) -> int:
        return min(v.value for v in self.values)

    @property
    def max(self) -> int:
        return max(v.value for v in self.values)

    def allowed_values(self) -> list[int]:
        return sorted(v.value for v in self.values)

    def step_of(self, value: float) -> int:
        """Position of ``value`` among the scale's values in ascending order (0-based)."""
        return self.allowed_values().index(int(value))

    def label_of(self, value: int, lang: str = "sv") -> str:
        for v in self.values:
            if v.value == value:
                return v.label.get(lang)
        raise KeyError(value)

    def describe(self) -> str:
        parts = [f"{v.value} ({v.label.sv})" for v in sorted(self.values, key=lambda v: v.value)]
        return ", ".join(parts) + f" or '{DONT_KNOW}' ({self.dont_know.sv})"


@dataclass(frozen=True)
class FieldOption:
    value: str
    label: Text


@dataclass(frozen=True)
class ExtraField:
    """A further recorded field on an item that is not scored (e.g. meeting frequency, "aktuell")."""

    id: str
    label: Text
    options: tuple[FieldOption, ...]


@dataclass(frozen=True)
class Equivalence:
    """Declares that an item's answers compare with ``item`` in instrument version ``version``."""

    version: str
    item: str


@dataclass(frozen=True)
class Item:
    """One question or checklist point, answered on one scale."""

    id: str
    section_id: str
    label: Text
    text: Text
    scale: str
    success_factor: str
    label_status: str | None = None
    discussion: Text | None = None
    evidence: bool = True
    comment: bool = True
    repeatable: bool = False
    fields: tuple[ExtraField, ...] = ()
    equivalent_to: tuple[Equivalence, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    items: tuple[Item, ...]
    description: Text | None = None


@dataclass(frozen=True)
class Factor:
    """A group of items on one scale, scored as the mean of its item medians."""

    id: str
    label: Text
    items: tuple[str, ...]
    discussion: Text | None = None


@dataclass(frozen=True)
class Classification:
    """A class of a derived indicator: applies when value >= ``min`` (highest matching ``min`` wins)."""

    id: str
    label: Text
    min: float


@dataclass(frozen=True)
class DerivedIndicator:
    """A number computed from answers; see definition_schema.md for each ``kind``."""

    id: str
    label: Text
    kind: str
    items: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    classes: tuple[Classification, ...] = ()
    description: Text | None = None

    def classify(self, value: float | None) -> str | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        for c in sorted(self.classes, key=lambda c: c.min, reverse=True):
            if value >= c.min - _EPS:
                return c.id
        return None


@dataclass(frozen=True)
class ScoringRule:
    """How answers are summarised: thresholds per scale, factors, derived indicators, overall index."""

    development_thresholds: dict[str, float] = field(default_factory=dict)
    factors: tuple[Factor, ...] = ()
    indicators: tuple[DerivedIndicator, ...] = ()
    overall_index: str | None = None


@dataclass(frozen=True)
class Instrument:
    """A versioned questionnaire/checklist parsed from its YAML definition."""

    id: str
    version: str
    status: str
    title: Text
    source: str
    scales: tuple[Scale, ...]
    sections: tuple[Section, ...]
    scoring: ScoringRule = field(default_factory=ScoringRule)
    language: str = "sv"
    description: Text | None = None
    unit: Text | None = None
    text: str = field(default="", compare=False, repr=False)
    """The YAML text this instrument was parsed from (empty when built in code)."""

    def __hash__(self) -> int:  # usable as a cache key although scoring holds a dict
        return hash((self.id, self.version, self.to_yaml()))

    # -- look-ups
    def items(self) -> Iterator[Item]:
        for s in self.sections:
            yield from s.items

    def item_ids(self) -> list[str]:
        return [i.id for i in self.items()]

    def item(self, item_id: str) -> Item:
        for i in self.items():
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def scale(self, scale_id: str) -> Scale:
        for s in self.scales:
            if s.id == scale_id:
                return s
        raise KeyError(scale_id)

    def scale_of(self, item_id: str) -> Scale:
        return self.scale(self.item(item_id).scale)

    def factor(self, factor_id: str) -> Factor:
        for f in self.scoring.factors:
            if f.id == factor_id:
                return f
        raise KeyError(factor_id)

    def success_factors(self) -> list[str]:
        """Success-factor slugs in order of first appearance."""
        seen: dict[str, None] = {}
        for i in self.items():
            seen.setdefault(i.success_factor, None)
        return list(seen)

    def development_threshold(self, scale_id: str) -> float | None:
        return self.scoring.development_thresholds.get(scale_id)

    # -- serialisation
    def to_dict(self) -> dict[str, Any]:
        """The canonical dict form; ``parse_definition(yaml of it)`` gives an equal Instrument."""
        return _instrument_to_dict(self)

    def to_yaml(self) -> str:
        """Canonical YAML text (UTF-8 characters kept, keys in schema order)."""
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)


# ---------------------------------------------------------------------------- serialisation


def _opt_text(d: dict[str, Any], key: str, t: Text | None) -> None:
    if t is not None:
        d[key] = t.to_dict()


def _instrument_to_dict(ins: Instrument) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ins.id,
        "version": ins.version,
        "status": ins.status,
        "language": ins.language,
    }
    out["title"] = ins.title.to_dict()
    _opt_text(out, "description", ins.description)
    _opt_text(out, "unit", ins.unit)
    out["source"] = ins.source
    scales = []
    for s in ins.scales:
        sd: dict[str, Any] = {"id": s.id}
        _opt_text(sd, "label", s.label)
        sd["values"] = [{"value": v.value, "sv": v.label.sv, "en": v.label.en} for v in s.values]
        sd["dont_know"] = s.dont_know.to_dict()
        scales.append(sd)
    out["scales"] = scales
    sections = []
    for sec in ins.sections:
        secd: dict[str, Any] = {"id": sec.id, "title": sec.title.to_dict()}
        _opt_text(secd, "description", sec.description)
        items = []
        for it in sec.items:
            d: dict[str, Any] = {"id": it.id, "label": it.label.to_dict(), "text": it.text.to_dict()}
            d["scale"] = it.scale
            d["success_factor"] = it.success_factor
            if it.label_status is not None:
                d["label_status"] = it.label_status
            _opt_text(d, "discussion", it.discussion)
            d["evidence"] = it.evidence
            d["comment"] = it.comment
            if it.repeatable:
                d["repeatable"] = True
            if it.fields:
                d["fields"] = [
                    {
                        "id": f.id,
                        "label": f.label.to_dict(),
                        "options": [
                            {"value": o.value, "sv": o.label.sv, "en": o.label.en} for o in f.options
                        ],
                    }
                    for f in it.fields
                ]
            if it.equivalent_to:
                d["equivalent_to"] = [{"version": e.version, "item": e.item} for e in it.equivalent_to]
            if it.note is not None:
                d["note"] = it.note
            items.append(d)
        secd["items"] = items
        sections.append(secd)
    out["sections"] = sections
    sc = ins.scoring
    scoring: dict[str, Any] = {"development_thresholds": dict(sc.development_thresholds)}
    factors = []
    for f in sc.factors:
        fd: dict[str, Any] = {"id": f.id, "label": f.label.to_dict(), "items": list(f.items)}
        _opt_text(fd, "discussion", f.discussion)
        factors.append(fd)
    scoring["factors"] = factors
    indicators = []
    for ind in sc.indicators:
        idd: dict[str, Any] = {"id": ind.id, "label": ind.label.to_dict(), "kind": ind.kind}
        _opt_text(idd, "description", ind.description)
        if ind.items:
            idd["items"] = list(ind.items)
        if ind.factors:
            idd["factors"] = list(ind.factors)
        if ind.min_value is not None:
            idd["min_value"] = ind.min_value
        if ind.max_value is not None:
            idd["max_value"] = ind.max_value
        if ind.classes:
            idd["classes"] = [{"id": c.id, "label": c.label.to_dict(), "min": c.min} for c in ind.classes]
        indicators.append(idd)
    scoring["indicators"] = indicators
    scoring["overall_index"] = sc.overall_index
    out["scoring"] = scoring
    return out


# ---------------------------------------------------------------------------- parsing


def _kind(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    return type(value).__name__


def _join(where: str, key: object) -> str:
    return f"{where}.{key}" if where else str(key)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


class _Reader:
    """Collects problems while reading a loaded YAML document."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def mapping(
        self, value: object, where: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict | None:
        if not isinstance(value, dict):
            self.add(where or "(document)", f"expected a mapping (key: value), got {_kind(value)}")
            return None
        known = set(required) | set(optional)
        for k in value:
            if k not in known:
                self.add(_join(where, k), f"unknown field; expected one of: {', '.join(required + optional)}")
        for k in required:
            if k not in value:
                self.add(_join(where, k), "required field is missing")
        return value

    def string(self, m: dict, key: str, where: str, *, required: bool = True) -> str | None:
        path = _join(where, key)
        if key not in m:
            return None
        v = m[key]
        if v is None and not required:
            return None
        if isinstance(v, bool):
            self.add(
                path, f"expected text, got {_kind(v)}; YAML reads yes/no/on/off as true/false, so quote it"
            )
            return None
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            self.add(path, f"expected text, got {_kind(v)}; quote it")
            return None
        if not isinstance(v, str) or not v.strip():
            self.add(
                path, f"expected non-empty text, got {_kind(v) if not isinstance(v, str) else 'empty text'}"
            )
            return None
        if find_personal_identity_numbers(v):
            self.add(path, "contains what looks like a Swedish personal identity number; remove it")
            return None
        return v

    def pattern(
        self, m: dict, key: str, where: str, regex: re.Pattern[str], what: str, *, required: bool = True
    ) -> str | None:
        v = self.string(m, key, where, required=required)
        if v is not None and not regex.match(v):
            self.add(_join(where, key), f'"{v}" is not a valid {what}')
            return None
        return v

    def text(self, m: dict, key: str, where: str, *, required: bool = True) -> Text | None:
        if key not in m or (m[key] is None and not required):
            return None
        path = _join(where, key)
        d = self.mapping(m[key], path, ("sv", "en"), ())
        if d is None:
            return None
        sv = self.string(d, "sv", path)
        en = self.string(d, "en", path)
        return Text(sv, en) if sv is not None and en is not None else None

    def flag(self, m: dict, key: str, where: str, default: bool) -> bool:
        if key not in m:
            return default
        v = m[key]
        if not isinstance(v, bool):
            self.add(_join(where, key), f"expected true or false, got {_kind(v)}")
            return default
        return v

    def number(self, m: dict, key: str, where: str) -> float | None:
        if key not in m:
            return None
        v = m[key]
        if not _is_number(v):
            self.add(_join(where, key), f"expected a number, got {_kind(v)}")
            return None
        return float(v)

    def seq(self, m: dict, key: str, where: str, *, nonempty: bool = True) -> list:
        if key not in m:
            return []
        v = m[key]
        if not isinstance(v, list):
            self.add(_join(where, key), f"expected a list, got {_kind(v)}")
            return []
        if nonempty and not v:
            self.add(_join(where, key), "the list is empty; at least one entry is needed")
        return v

    def unique(self, ids: list[tuple[str, str | None]], what: str) -> None:
        seen: dict[str, str] = {}
        for where, ident in ids:
            if ident is None:
                continue
            if ident in seen:
                self.add(where, f'duplicate {what} id "{ident}" (first used at {seen[ident]})')
            else:
                seen[ident] = where

    def id_list(self, m: dict, key: str, where: str, known: set[str], what: str) -> tuple[str, ...]:
        out: list[str] = []
        for j, ref in enumerate(self.seq(m, key, where)):
            p = f"{_join(where, key)}[{j}]"
            if not isinstance(ref, str):
                self.add(p, f"expected a {what} id, got {_kind(ref)}")
            elif ref not in known:
                self.add(p, f'unknown {what} "{ref}"')
            elif ref in out:
                self.add(p, f'{what} "{ref}" is listed twice')
            else:
                out.append(ref)
        return tuple(out)


def _semver_key(v: str) -> tuple[int, int, int]:
    a, b, c = v.split(".")
    return int(a), int(b), int(c)


def _load_yaml(text: str, source: str) -> object:
    if not isinstance(text, str):
        raise ValidationError(Problem("", f"expected YAML text, got {type(text).__name__}"), source=source)
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = exc.problem or exc.context or "invalid YAML"
        raise ValidationError(Problem(where, f"YAML syntax error: {what}"), source=source) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. an impossible date such as 2024-02-30, or nesting too deep to read
        raise ValidationError(Problem("", f"YAML could not be read: {exc}"), source=source) from None


def parse_definition(text: str, source: str = "<text>") -> Instrument:
    """Parse and validate an instrument definition; raise ValidationError listing every problem."""
    data = _load_yaml(text, source)
    r = _Reader()
    top = r.mapping(
        data,
        "",
        ("id", "version", "status", "title", "source", "scales", "sections"),
        ("language", "description", "unit", "scoring"),
    )
    if top is None:
        raise ValidationError(r.problems, source=source)

    ins_id = r.pattern(top, "id", "", _ID, "instrument id (lower-case letters, digits, '-' or '_')")
    version = r.string(top, "version", "")
    if version is not None and not _SEMVER.match(version):
        r.add("version", f'"{version}" is not a semantic version such as "0.1.0"')
        version = None
    elif "version" in top and _is_number(top["version"]):
        r.problems.pop()
        r.add(
            "version", f'expected a semantic version in quotes such as "0.1.0", got {_kind(top["version"])}'
        )
    status = r.string(top, "status", "")
    if status is not None and status not in STATUSES:
        r.add("status", f'"{status}" is not allowed; expected one of: {", ".join(STATUSES)}')
    language = r.string(top, "language", "") if "language" in top else "sv"
    if language is not None and language != "sv":
        r.add(
            "language",
            f'"{language}" is not supported; definitions are written in Swedish ("sv") with English glosses',
        )
    title = r.text(top, "title", "")
    description = r.text(top, "description", "", required=False)
    unit = r.text(top, "unit", "", required=False)
    source_text = r.string(top, "source", "")

    # scales
    scales: list[Scale] = []
    scale_ids: list[tuple[str, str | None]] = []
    for i, raw in enumerate(r.seq(top, "scales", "")):
        p = f"scales[{i}]"
        m = r.mapping(raw, p, ("id", "values"), ("label", "dont_know"))
        if m is None:
            continue
        sid = r.pattern(m, "id", p, _SCALE_ID, "scale id (a letter, then letters, digits, '-' or '_')")
        scale_ids.append((f"{p}.id", sid))
        values: list[ScaleValue] = []
        raw_values = r.seq(m, "values", p)
        if len(raw_values) == 1:
            r.add(f"{p}.values", "a scale needs at least two values")
        for j, rv in enumerate(raw_values):
            vp = f"{p}.values[{j}]"
            vm = r.mapping(rv, vp, ("value", "sv", "en"), ())
            if vm is None:
                continue
            val = vm.get("value")
            ok = True
            if "value" in vm and (not isinstance(val, int) or isinstance(val, bool)):
                r.add(f"{vp}.value", f"expected a whole number, got {_kind(val)}")
                ok = False
            elif isinstance(val, int) and abs(val) > 1000:
                r.add(f"{vp}.value", f"{val} is out of bounds; scale values lie between -1000 and 1000")
                ok = False
            sv = r.string(vm, "sv", vp)
            en = r.string(vm, "en", vp)
            if ok and isinstance(val, int) and sv is not None and en is not None:
                if any(v.value == val for v in values):
                    r.add(f"{vp}.value", f"value {val} appears twice in the scale")
                else:
                    values.append(ScaleValue(int(val), Text(sv, en)))
        label = r.text(m, "label", p, required=False)
        dont_know = r.text(m, "dont_know", p, required=False) if "dont_know" in m else DEFAULT_DONT_KNOW
        if sid is not None and len(values) >= 2:
            scales.append(Scale(sid, tuple(values), label, dont_know or DEFAULT_DONT_KNOW))
    r.unique(scale_ids, "scale")
    scale_by_id = {s.id: s for s in scales}
    declared_scales = {s for _, s in scale_ids if s is not None}

    # sections and items
    sections: list[Section] = []
    section_ids: list[tuple[str, str | None]] = []
    item_ids: list[tuple[str, str | None]] = []
    for i, raw in enumerate(r.seq(top, "sections", "")):
        p = f"sections[{i}]"
        m = r.mapping(raw, p, ("id", "title", "items"), ("description",))
        if m is None:
            continue
        sec_id = r.pattern(m, "id", p, _ID, "section id")
        section_ids.append((f"{p}.id", sec_id))
        sec_title = r.text(m, "title", p)
        sec_desc = r.text(m, "description", p, required=False)
        items: list[Item] = []
        for j, rawi in enumerate(r.seq(m, "items", p)):
            item = _read_item(r, rawi, f"{p}.items[{j}]", sec_id or "", scale_by_id, declared_scales, version)
            if item is not None:
                items.append(item)
                item_ids.append((f"{p}.items[{j}].id", item.id))
            elif isinstance(rawi, dict) and isinstance(rawi.get("id"), str):
                item_ids.append((f"{p}.items[{j}].id", rawi["id"]))
        if sec_id is not None and sec_title is not None:
            sections.append(Section(sec_id, sec_title, tuple(items), sec_desc))
    r.unique(section_ids, "section")
    r.unique(item_ids, "item")
    all_items = {it.id: it for s in sections for it in s.items}
    known_item_ids = {i for _, i in item_ids if i is not None}

    scoring = _read_scoring(r, top, scale_by_id, declared_scales, all_items, known_item_ids)

    if r.problems:
        raise ValidationError(r.problems, source=source)
    assert ins_id and version and status and title and source_text and language
    return Instrument(
        id=ins_id,
        version=version,
        status=status,
        title=title,
        source=source_text,
        scales=tuple(scales),
        sections=tuple(sections),
        scoring=scoring,
        language=language,
        description=description,
        unit=unit,
        text=text,
    )


def _read_item(
    r: _Reader,
    raw: object,
    p: str,
    section_id: str,
    scale_by_id: dict[str, Scale],
    declared_scales: set[str],
    version: str | None,
) -> Item | None:
    before = len(r.problems)
    m = r.mapping(
        raw,
        p,
        ("id", "label", "text", "scale", "success_factor"),
        (
            "label_status",
            "discussion",
            "evidence",
            "comment",
            "repeatable",
            "fields",
            "equivalent_to",
            "note",
        ),
    )
    if m is None:
        return None
    iid = r.pattern(m, "id", p, _ID, "item id (lower-case letters, digits, '-' or '_')")
    label = r.text(m, "label", p)
    text = r.text(m, "text", p)
    scale = r.string(m, "scale", p)
    if scale is not None and scale not in declared_scales:
        r.add(
            f"{p}.scale",
            f'unknown scale "{scale}"; defined scales: {", ".join(sorted(declared_scales)) or "none"}',
        )
    sf = r.pattern(m, "success_factor", p, _SLUG, "success-factor slug (lower-case words joined by '-')")
    label_status = r.string(m, "label_status", p, required=False)
    if label_status is not None and label_status not in STATUSES:
        r.add(f"{p}.label_status", f'"{label_status}" is not allowed; expected one of: {", ".join(STATUSES)}')
    discussion = r.text(m, "discussion", p, required=False)
    evidence = r.flag(m, "evidence", p, True)
    comment = r.flag(m, "comment", p, True)
    repeatable = r.flag(m, "repeatable", p, False)
    note = r.string(m, "note", p, required=False)

    fields: list[ExtraField] = []
    field_ids: list[tuple[str, str | None]] = []
    for k, rf in enumerate(r.seq(m, "fields", p)):
        fp = f"{p}.fields[{k}]"
        fm = r.mapping(rf, fp, ("id", "label", "options"), ())
        if fm is None:
            continue
        fid = r.pattern(fm, "id", fp, _ID, "field id")
        field_ids.append((f"{fp}.id", fid))
        flabel = r.text(fm, "label", fp)
        options: list[FieldOption] = []
        opt_ids: list[tuple[str, str | None]] = []
        for q, ro in enumerate(r.seq(fm, "options", fp)):
            op = f"{fp}.options[{q}]"
            om = r.mapping(ro, op, ("value", "sv", "en"), ())
            if om is None:
                continue
            ov = r.string(om, "value", op)
            opt_ids.append((f"{op}.value", ov))
            osv, oen = r.string(om, "sv", op), r.string(om, "en", op)
            if ov is not None and osv is not None and oen is not None:
                options.append(FieldOption(ov, Text(osv, oen)))
        r.unique(opt_ids, "option")
        if fid is not None and flabel is not None:
            fields.append(ExtraField(fid, flabel, tuple(options)))
    r.unique(field_ids, "field")

    equivalents: list[Equivalence] = []
    if "equivalent_to" in m:
        raw_eq = m["equivalent_to"]
        entries = raw_eq if isinstance(raw_eq, list) else [raw_eq]
        for k, re_ in enumerate(entries):
            ep = f"{p}.equivalent_to[{k}]" if isinstance(raw_eq, list) else f"{p}.equivalent_to"
            em = r.mapping(re_, ep, ("version", "item"), ())
            if em is None:
                continue
            ev = r.string(em, "version", ep)
            if ev is not None and not _SEMVER.match(ev):
                r.add(f"{ep}.version", f'"{ev}" is not a semantic version such as "0.1.0"')
                ev = None
            elif ev is not None and version is not None and _semver_key(ev) >= _semver_key(version):
                r.add(f"{ep}.version", f"must name an earlier version than this definition's {version}")
                ev = None
            eitem = r.pattern(em, "item", ep, _ID, "item id")
            if ev is not None and eitem is not None:
                equivalents.append(Equivalence(ev, eitem))

    if len(r.problems) > before:
        return None
    assert iid and label and text and scale and sf
    return Item(
        id=iid,
        section_id=section_id,
        label=label,
        text=text,
        scale=scale,
        success_factor=sf,
        label_status=label_status,
        discussion=discussion,
        evidence=evidence,
        comment=comment,
        repeatable=repeatable,
        fields=tuple(fields),
        equivalent_to=tuple(equivalents),
        note=note,
    )


def _common_scale(
    r: _Reader, where: str, item_ids: tuple[str, ...], all_items: dict[str, Item], what: str
) -> str | None:
    scales = {all_items[i].scale for i in item_ids if i in all_items}
    if len(scales) > 1:
        r.add(where, f"all {what} must use one scale; found {', '.join(sorted(scales))}")
        return None
    return next(iter(scales), None)


def _read_scoring(
    r: _Reader,
    top: dict,
    scale_by_id: dict[str, Scale],
    declared_scales: set[str],
    all_items: dict[str, Item],
    known_item_ids: set[str],
) -> ScoringRule:
    if "scoring" not in top or top["scoring"] is None:
        return ScoringRule()
    m = r.mapping(
        top["scoring"], "scoring", (), ("development_thresholds", "factors", "indicators", "overall_index")
    )
    if m is None:
        return ScoringRule()

    thresholds: dict[str, float] = {}
    if "development_thresholds" in m:
        tp = "scoring.development_thresholds"
        raw_t = m["development_thresholds"]
        if not isinstance(raw_t, dict):
            r.add(tp, f"expected a mapping of scale id to value, got {_kind(raw_t)}")
        else:
            for sid, val in raw_t.items():
                kp = f"{tp}.{sid}"
                if sid not in declared_scales:
                    r.add(kp, f'unknown scale "{sid}"')
                elif not _is_number(val):
                    r.add(kp, f"expected a number, got {_kind(val)}")
                elif sid in scale_by_id:
                    s = scale_by_id[sid]
                    if not s.min <= val <= s.max:
                        r.add(kp, f"threshold {val} lies outside scale {sid} ({s.min}..{s.max})")
                    else:
                        thresholds[str(sid)] = float(val)

    factors: list[Factor] = []
    factor_ids: list[tuple[str, str | None]] = []
    for i, rf in enumerate(r.seq(m, "factors", "scoring", nonempty=False)):
        p = f"scoring.factors[{i}]"
        fm = r.mapping(rf, p, ("id", "label", "items"), ("discussion",))
        if fm is None:
            continue
        fid = r.pattern(fm, "id", p, _ID, "factor id")
        factor_ids.append((f"{p}.id", fid))
        flabel = r.text(fm, "label", p)
        fdisc = r.text(fm, "discussion", p, required=False)
        fitems = r.id_list(fm, "items", p, known_item_ids, "item")
        _common_scale(r, f"{p}.items", fitems, all_items, "items of a factor")
        if fid is not None and flabel is not None:
            factors.append(Factor(fid, flabel, fitems, fdisc))
    r.unique(factor_ids, "factor")
    factor_by_id = {f.id: f for f in factors}
    known_factor_ids = {f for _, f in factor_ids if f is not None}

    indicators: list[DerivedIndicator] = []
    ind_ids: list[tuple[str, str | None]] = []
    for i, ri in enumerate(r.seq(m, "indicators", "scoring", nonempty=False)):
        p = f"scoring.indicators[{i}]"
        before = len(r.problems)
        im = r.mapping(
            ri,
            p,
            ("id", "label", "kind"),
            ("description", "items", "factors", "min_value", "max_value", "classes"),
        )
        if im is None:
            continue
        iid = r.pattern(im, "id", p, _ID, "indicator id")
        ind_ids.append((f"{p}.id", iid))
        ilabel = r.text(im, "label", p)
        idesc = r.text(im, "description", p, required=False)
        kind = r.string(im, "kind", p)
        if kind is not None and kind not in INDICATOR_KINDS:
            r.add(f"{p}.kind", f'"{kind}" is not a known kind; expected one of: {", ".join(INDICATOR_KINDS)}')
            kind = None
        items: tuple[str, ...] = ()
        factor_refs: tuple[str, ...] = ()
        lo, hi = 0.0, 1.0  # range of the indicator's value, for class thresholds
        scale: Scale | None = None
        if kind in ("share_at_or_above", "normalised_sum"):
            if "factors" in im:
                r.add(f"{p}.factors", f"not used by kind {kind}; list items instead")
            items = r.id_list(im, "items", p, known_item_ids, "item") if "items" in im else tuple(all_items)
            sid = _common_scale(r, f"{p}.items", items, all_items, f"items of a {kind} indicator")
            scale = scale_by_id.get(sid) if sid else None
        elif kind == "count_at_or_below":
            if "items" in im:
                r.add(f"{p}.items", "not used by kind count_at_or_below; list factors instead")
            factor_refs = (
                r.id_list(im, "factors", p, known_factor_ids, "factor")
                if "factors" in im
                else tuple(factor_by_id)
            )
            if not factor_refs and len(r.problems) == before:
                r.add(p, "count_at_or_below needs factors; none are defined")
            fitems = tuple(x for f in factor_refs if f in factor_by_id for x in factor_by_id[f].items)
            sid = _common_scale(
                r, f"{p}.factors", fitems, all_items, "factors of a count_at_or_below indicator"
            )
            scale = scale_by_id.get(sid) if sid else None
            hi = float(len(factor_refs))
        min_value = r.number(im, "min_value", p)
        max_value = r.number(im, "max_value", p)
        if kind == "share_at_or_above" and "min_value" not in im:
            r.add(f"{p}.min_value", "required for kind share_at_or_above")
        if kind != "share_at_or_above" and "min_value" in im:
            r.add(f"{p}.min_value", f"not used by kind {kind}")
        if kind != "count_at_or_below" and "max_value" in im:
            r.add(f"{p}.max_value", f"not used by kind {kind}")
        if scale is not None:
            for key, val in (("min_value", min_value), ("max_value", max_value)):
                if val is not None and not scale.min <= val <= scale.max:
                    r.add(f"{p}.{key}", f"{val:g} lies outside scale {scale.id} ({scale.min}..{scale.max})")
            if kind == "count_at_or_below" and max_value is None and scale.id not in thresholds:
                r.add(
                    f"{p}.max_value",
                    f"required: scale {scale.id} has no development threshold to fall back on",
                )
        classes: list[Classification] = []
        class_ids: list[tuple[str, str | None]] = []
        mins: set[float] = set()
        for k, rc in enumerate(r.seq(im, "classes", p)):
            cp = f"{p}.classes[{k}]"
            cm = r.mapping(rc, cp, ("id", "label", "min"), ())
            if cm is None:
                continue
            cid = r.pattern(cm, "id", cp, _ID, "class id")
            class_ids.append((f"{cp}.id", cid))
            clabel = r.text(cm, "label", cp)
            cmin = r.number(cm, "min", cp)
            if cmin is not None:
                if not lo <= cmin <= hi:
                    r.add(
                        f"{cp}.min", f"threshold {cmin:g} lies outside the indicator's range {lo:g}..{hi:g}"
                    )
                elif cmin in mins:
                    r.add(f"{cp}.min", f"threshold {cmin:g} is used by another class")
                mins.add(cmin)
            if cid is not None and clabel is not None and cmin is not None:
                classes.append(Classification(cid, clabel, cmin))
        r.unique(class_ids, "class")
        if len(r.problems) == before and iid and ilabel and kind:
            indicators.append(
                DerivedIndicator(
                    iid, ilabel, kind, items, factor_refs, min_value, max_value, tuple(classes), idesc
                )
            )
    r.unique(ind_ids, "indicator")

    overall = None
    if m.get("overall_index") is not None:
        overall = r.string(m, "overall_index", "scoring")
        if overall is not None and overall not in {i for _, i in ind_ids}:
            r.add(
                "scoring.overall_index",
                f'unknown indicator "{overall}"; an overall index must be a defined indicator',
            )
    return ScoringRule(thresholds, tuple(factors), tuple(indicators), overall)


# ---------------------------------------------------------------------------- loading and answers


def load_definition_file(path: str | Path) -> Instrument:
    p = Path(path)
    return parse_definition(p.read_text(encoding="utf-8"), source=p.name)


def load_builtin_definitions(directory: str | Path | None = None) -> list[Instrument]:
    """Parse every ``*.yaml`` in instruments/definitions; one error lists the problems of all files."""
    folder = Path(directory) if directory is not None else DEFINITIONS_DIR
    out: list[Instrument] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            out.append(load_definition_file(path))
        except ValidationError as exc:
            problems.extend(
                Problem(f"{path.name}: {p.where}" if p.where else path.name, p.message) for p in exc.problems
            )
    keys: dict[tuple[str, str], int] = {}
    for ins in out:
        key = (ins.id, ins.version)
        keys[key] = keys.get(key, 0) + 1
        if keys[key] == 2:
            problems.append(
                Problem(folder.name, f"instrument {ins.id} version {ins.version} is defined more than once")
            )
    if problems:
        raise ValidationError(problems, source=str(folder))
    return out


def builtin_definition(instrument_id: str, version: str | None = None) -> Instrument:
    """The shipped definition with this id (the highest version unless ``version`` is given)."""
    from pilots.errors import NotFound

    found = [
        i
        for i in load_builtin_definitions()
        if i.id == instrument_id and (version is None or i.version == version)
    ]
    if not found:
        raise NotFound(
            f'no shipped instrument "{instrument_id}"' + (f" version {version}" if version else "")
        )
    return max(found, key=lambda i: _semver_key(i.version))


def is_dont_know(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in DONT_KNOW_SPELLINGS


def validate_answer(instrument: Instrument, item_id: str, value: object) -> tuple[float | None, bool]:
    """Check one answer; return ``(value, dont_know)``. "Vet ej" gives ``(None, True)``.

    Accepts a scale value (int, a float equal to one, or its digits as text) or the "vet ej" marker
    (``DONT_KNOW``). Anything else raises ValidationError naming the item and the allowed values.
    """
    try:
        item = instrument.item(item_id)
    except KeyError:
        raise ValidationError(
            Problem(item_id, f'no item "{item_id}" in instrument {instrument.id} {instrument.version}')
        ) from None
    scale = instrument.scale(item.scale)
    if is_dont_know(value):
        return None, True
    number: float | None = None
    if _is_number(value):
        number = float(value)  # type: ignore[arg-type]
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    if (
        number is not None
        and math.isfinite(number)
        and number.is_integer()
        and int(number) in scale.allowed_values()
    ):
        return float(int(number)), False
    shown = "nothing" if value is None else repr(value)
    raise ValidationError(
        Problem(
            item_id,
            f"{shown} is not an allowed answer to item {item_id} ({item.label.sv}); "
            f"scale {scale.id} allows {scale.describe()}",
        )
    )
