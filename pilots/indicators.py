"""Indicators: defined as data (pilots/indicator_definitions/*.yaml), valued per site and period, checked by unit.

A definition has a code, Swedish and English name and definition, a unit (antal, andel_procent, timmar,
ja_nej), an optional min/max, a source and a status. ``sync_indicator_definitions`` loads the files into
the database; values are refused when they do not fit the unit ("andel must be 0–100 %, got 135").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from pilots.access import CurrentUser, require_site, site_read_clause
from pilots.errors import AccessDenied, NotFound, Problem, ValidationError
from pilots.importing import ImportFile, ImportResult, SimpleImporter
from pilots.models import IndicatorDefinition, IndicatorValue, Municipality, Pilot, Site
from pilots.privacy import check_fields
from pilots.sites import SiteResolver, date_in_site_period
from pilots.tabular import CellError, Column, RecordSpec, parse_bool, parse_decimal

DEFINITIONS_DIR = Path(__file__).parent / "indicator_definitions"
UNITS = {
    "antal": ("antal", "count"),
    "andel_procent": ("procent", "percent"),
    "timmar": ("timmar", "hours"),
    "ja_nej": ("ja/nej", "yes/no"),
}
STATUSES = ("provisional", "verified")


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator definition as read from its YAML file."""

    code: str
    name_sv: str
    name_en: str
    definition_sv: str
    definition_en: str
    unit: str
    source: str
    min_value: float | None = None
    max_value: float | None = None
    status: str = "provisional"

    def name(self, lang: str = "sv") -> str:
        return self.name_en if lang == "en" else self.name_sv


def unit_label(unit: str, lang: str = "sv") -> str:
    sv, en = UNITS.get(unit, (unit, unit))
    return en if lang == "en" else sv


def _text(data: dict[str, Any], key: str, where: str, problems: list[Problem]) -> tuple[str, str]:
    value = data.get(key)
    if not isinstance(value, dict) or not isinstance(value.get("sv"), str) or not isinstance(value.get("en"), str):
        problems.append(Problem(f"{where}: {key}", "behöver sv och en som text (needs sv and en)"))
        return "", ""
    return value["sv"].strip(), value["en"].strip()


def parse_indicator_definition(text: str, source: str = "<text>") -> IndicatorSpec:
    """Read one YAML definition; every problem is listed with its file and field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError(Problem(source, f"ogiltig YAML: {exc}")) from None
    if not isinstance(data, dict):
        raise ValidationError(Problem(source, "filen ska innehålla en mappning (code, name, unit ...)"))
    problems: list[Problem] = []
    code = data.get("code")
    if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]{1,59}", code):
        problems.append(Problem(f"{source}: code", f"{code!r} ska vara gemener, siffror och _ (t.ex. foraldrar_nadda)"))
    name_sv, name_en = _text(data, "name", source, problems)
    def_sv, def_en = _text(data, "definition", source, problems)
    unit = data.get("unit")
    if unit not in UNITS:
        problems.append(Problem(f"{source}: unit", f"okänd enhet {unit!r}; välj {', '.join(UNITS)}"))
    bounds: dict[str, float | None] = {}
    for key in ("min", "max"):
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(Problem(f"{source}: {key}", f"ska vara ett tal, inte {value!r}"))
            value = None
        bounds[key] = float(value) if value is not None else None
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        problems.append(Problem(f"{source}: min/max", "min är större än max"))
    status = data.get("status", "provisional")
    if status not in STATUSES:
        problems.append(Problem(f"{source}: status", f"välj {' eller '.join(STATUSES)}"))
    source_text = data.get("source")
    if not isinstance(source_text, str) or not source_text.strip():
        problems.append(Problem(f"{source}: source", "varje indikator behöver en källa (source)"))
    if problems:
        raise ValidationError(problems)
    return IndicatorSpec(code=str(code), name_sv=name_sv, name_en=name_en, definition_sv=def_sv,
                         definition_en=def_en, unit=str(unit), source=str(source_text).strip(),
                         min_value=bounds["min"], max_value=bounds["max"], status=str(status))


def load_indicator_definitions(directory: Path | None = None) -> list[IndicatorSpec]:
    """Every definition in ``directory`` (default: the built-in ones), sorted by code; codes must be unique."""
    directory = Path(directory or DEFINITIONS_DIR)
    specs: list[IndicatorSpec] = []
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            specs.append(parse_indicator_definition(path.read_text(encoding="utf-8"), path.name))
        except ValidationError as err:
            problems.extend(err.problems)
    seen: set[str] = set()
    for spec in specs:
        if spec.code in seen:
            problems.append(Problem(spec.code, "koden finns i två filer (duplicate code)"))
        seen.add(spec.code)
    if problems:
        raise ValidationError(problems)
    return sorted(specs, key=lambda s: s.code)


def sync_indicator_definitions(session: Session, directory: Path | None = None) -> int:
    """Create or update the database definitions from the YAML files; returns how many rows changed."""
    changed = 0
    for spec in load_indicator_definitions(directory):
        row = session.scalar(select(IndicatorDefinition).where(IndicatorDefinition.code == spec.code))
        values = {"name_sv": spec.name_sv, "name_en": spec.name_en, "definition_sv": spec.definition_sv,
                  "definition_en": spec.definition_en, "unit": spec.unit, "source": spec.source,
                  "min_value": spec.min_value, "max_value": spec.max_value, "status": spec.status}
        if row is None:
            session.add(IndicatorDefinition(code=spec.code, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed += 1
    session.flush()
    return changed


def check_value(raw: Any, unit: str, min_value: float | None = None, max_value: float | None = None) -> float:
    """The value of a cell or form input in ``unit``; raises CellError saying what was expected.

    antal: whole number ≥ 0; andel_procent: 0–100 (a trailing % is allowed); timmar: ≥ 0;
    ja_nej: ja/nej (also 1/0); then the definition's own min/max.
    """
    if isinstance(raw, str) and unit == "andel_procent":
        raw = raw.strip().removesuffix("%").strip()
    if unit == "ja_nej":
        flag = parse_bool(raw)
        if flag is None:
            raise CellError("värde saknas; skriv ja eller nej (value missing)")
        return 1.0 if flag else 0.0
    value = parse_decimal(raw) if not isinstance(raw, int | float) else float(raw)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise CellError("värde saknas (value missing)")
    if unit == "antal" and (value < 0 or not float(value).is_integer()):
        raise CellError(f"antal måste vara ett heltal 0 eller större, fick {_shown(value)} (count must be a whole "
                        "number ≥ 0)")
    if unit == "andel_procent" and not 0 <= value <= 100:
        raise CellError(f"andel måste vara 0–100 %, fick {_shown(value)} (share must be 0–100 %)")
    if unit == "timmar" and value < 0:
        raise CellError(f"timmar kan inte vara negativt, fick {_shown(value)} (hours cannot be negative)")
    if min_value is not None and value < min_value:
        raise CellError(f"värdet {_shown(value)} är mindre än minsta tillåtna {_shown(min_value)}")
    if max_value is not None and value > max_value:
        raise CellError(f"värdet {_shown(value)} är större än största tillåtna {_shown(max_value)}")
    return float(value)


def _shown(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def _definition(session: Session, code: str) -> IndicatorDefinition:
    row = session.scalar(select(IndicatorDefinition).where(IndicatorDefinition.code == code))
    if row is None:
        raise NotFound(f"Det finns ingen indikator {code!r}.")
    return row


def _period_problems(site: Site, pilot: Pilot, start: date, end: date | None) -> list[Problem]:
    problems: list[Problem] = []
    date_in_site_period(site, pilot, start, "period_start", problems)
    date_in_site_period(site, pilot, end, "period_end", problems)
    if end is not None and end < start:
        problems.append(Problem("period_end", f"periodens slut {end} ligger före dess start {start}"))
    return problems


def add_indicator_value(session: Session, user: CurrentUser, site_id: int, code: str, period_start: date,
                        value: Any, *, period_end: date | None = None, note: str = "") -> IndicatorValue:
    """Record one indicator value for a site and period (refused when it does not fit the unit or exists)."""
    site = require_site(session, user, site_id, write=True)
    pilot = session.get(Pilot, site.pilot_id)
    assert pilot is not None
    definition = _definition(session, code)
    problems = _period_problems(site, pilot, period_start, period_end)
    try:
        number = check_value(value, definition.unit, definition.min_value, definition.max_value)
    except CellError as err:
        problems.append(Problem("value", str(err)))
        number = 0.0
    if session.scalar(select(IndicatorValue.id).where(
            IndicatorValue.site_id == site.id, IndicatorValue.indicator_code == code,
            IndicatorValue.period_start == period_start, IndicatorValue.deleted_at.is_(None))) is not None:
        problems.append(Problem("period_start", f"det finns redan ett värde för {code} från {period_start}; "
                                                "ändra det i stället (value exists)"))
    if problems:
        raise ValidationError(problems)
    check_fields({"note": note})
    row = IndicatorValue(site_id=site.id, indicator_code=code, period_start=period_start, period_end=period_end,
                         value=number, note=note)
    session.add(row)
    session.flush()
    return row


def update_indicator_value(session: Session, user: CurrentUser, value_id: int, expected_version: int,
                           changes: dict[str, Any]) -> IndicatorValue:
    """Change a value (checked against the unit) or its note/period; refused on a version conflict."""
    from pilots.editing import update_record

    row = session.get(IndicatorValue, value_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(f"Det finns inget indikatorvärde {value_id}.")
    site = require_site(session, user, row.site_id, write=True)
    pilot = session.get(Pilot, site.pilot_id)
    assert pilot is not None
    definition = _definition(session, row.indicator_code)
    changes = dict(changes)
    problems = _period_problems(site, pilot, changes.get("period_start", row.period_start),
                                changes.get("period_end", row.period_end))
    if "value" in changes:
        try:
            changes["value"] = check_value(changes["value"], definition.unit, definition.min_value,
                                           definition.max_value)
        except CellError as err:
            problems.append(Problem("value", str(err)))
    if problems:
        raise ValidationError(problems)
    return update_record(session, user, IndicatorValue, value_id, expected_version, changes)  # type: ignore[no-any-return]


def indicator_definitions_frame(session: Session, lang: str = "sv") -> pd.DataFrame:
    """The indicator definitions in the database (name, definition and unit in ``lang``)."""
    rows = session.scalars(select(IndicatorDefinition).order_by(IndicatorDefinition.code)).all()
    cols = ["code", "name", "definition", "unit", "unit_label", "min_value", "max_value", "source", "status"]
    return pd.DataFrame([{
        "code": r.code, "name": r.name_en if lang == "en" else r.name_sv,
        "definition": r.definition_en if lang == "en" else r.definition_sv, "unit": r.unit,
        "unit_label": unit_label(r.unit, lang), "min_value": r.min_value, "max_value": r.max_value,
        "source": r.source, "status": r.status} for r in rows], columns=cols)


VALUE_COLUMNS = ["value_id", "site_id", "site_label", "municipality_code", "municipality_name", "pilot_slug",
                 "is_demo", "indicator_code", "indicator_name", "unit", "period_start", "period_end", "value",
                 "note", "version"]


def indicator_values_frame(session: Session, user: CurrentUser, *, code: str | None = None,
                           site_id: int | None = None, pilot_id: int | None = None, lang: str = "sv") -> pd.DataFrame:
    """Readable indicator values, by indicator, site and period."""
    if not user.sees_site_level_data:
        raise AccessDenied("Rollen presentatör ser inte enskilda kommuners indikatorvärden.")
    stmt = (select(IndicatorValue, IndicatorDefinition, Site, Municipality, Pilot)
            .join(IndicatorDefinition, IndicatorDefinition.code == IndicatorValue.indicator_code)
            .join(Site, Site.id == IndicatorValue.site_id).join(Pilot, Pilot.id == Site.pilot_id)
            .join(Municipality, Municipality.code == Site.municipality_code)
            .where(IndicatorValue.deleted_at.is_(None), Site.deleted_at.is_(None), Pilot.deleted_at.is_(None),
                   site_read_clause(user))
            .order_by(IndicatorValue.indicator_code, Pilot.slug, Municipality.name, IndicatorValue.period_start))
    if code is not None:
        stmt = stmt.where(IndicatorValue.indicator_code == code)
    if site_id is not None:
        stmt = stmt.where(IndicatorValue.site_id == site_id)
    if pilot_id is not None:
        stmt = stmt.where(Site.pilot_id == pilot_id)
    rows = [{"value_id": v.id, "site_id": s.id, "site_label": f"{m.name} ({p.name})", "municipality_code": m.code,
             "municipality_name": m.name, "pilot_slug": p.slug, "is_demo": p.is_demo, "indicator_code": d.code,
             "indicator_name": d.name_en if lang == "en" else d.name_sv, "unit": d.unit,
             "period_start": v.period_start, "period_end": v.period_end, "value": v.value, "note": v.note,
             "version": v.version} for v, d, s, m, p in session.execute(stmt)]
    return pd.DataFrame(rows, columns=VALUE_COLUMNS)


# --- import / export ------------------------------------------------------------------------------

def _codes() -> tuple[str, ...]:
    try:
        return tuple(s.code for s in load_indicator_definitions())
    except ValidationError:
        return ()


INDICATORS_SPEC = RecordSpec(
    kind="indicators",
    title_sv="Indikatorvärden",
    title_en="Indicator values",
    columns=(
        Column("pilot", "text", True, doc_sv="Pilotprojektets id, t.ex. tryggvaxt.", doc_en="The pilot's id.",
               example="tryggvaxt", max_length=60),
        Column("kommunkod", "municipality_code", True, doc_sv="Platsens kommunkod.",
               doc_en="The site's municipality code.", example="2482"),
        Column("indikator", "choice", True, choices=_codes() or ("foraldrar_nadda",),
               doc_sv="Indikatorns kod (se indikatordefinitionerna).", doc_en="The indicator's code.",
               example="foraldrar_nadda"),
        Column("periodstart", "date", True, doc_sv="Periodens första dag, t.ex. kvartalets.",
               doc_en="First day of the period, e.g. of the quarter.", example="2025-01-01"),
        Column("periodslut", "date", doc_sv="Periodens sista dag.", doc_en="Last day of the period.",
               example="2025-03-31"),
        Column("varde", "text", True, doc_sv="Värdet i indikatorns enhet: antal (heltal), andel i procent 0–100 "
               "(decimalkomma går bra), timmar, eller ja/nej.",
               doc_en="Value in the indicator's unit: count, share in percent 0–100, hours, or ja/nej.",
               example="42", max_length=40, aliases=("värde", "value")),
        Column("anteckning", "free_text", doc_sv="Kort anteckning om underlaget.", doc_en="Short note on the source.",
               example=""),
    ),
    key=("pilot", "kommunkod", "indikator", "periodstart"),
)


def _apply_indicators(session: Session, user: CurrentUser, data: ImportFile) -> ImportResult:
    sync_indicator_definitions(session)
    definitions = {d.code: d for d in session.scalars(select(IndicatorDefinition))}
    problems: list[Problem] = []
    resolver = SiteResolver(session, user)
    plan: list[tuple[Site, dict[str, Any], float, IndicatorValue | None]] = []
    for row in data.rows:
        v = row.values
        definition = definitions.get(v["indikator"] or "")
        number = 0.0
        if definition is None:
            problems.append(Problem(data.where(row, "indikator"), f"okänd indikator '{v['indikator']}'"))
        else:
            try:
                number = check_value(v["varde"], definition.unit, definition.min_value, definition.max_value)
            except CellError as err:
                problems.append(Problem(data.where(row, "varde"), f"{definition.code}: {err}"))
        pilot = resolver.pilot(v["pilot"], data.where(row, "pilot"), problems)
        site = resolver.site(pilot, v["kommunkod"], data.where(row, "kommunkod"), problems)
        if site is None or pilot is None or v["periodstart"] is None:
            continue
        date_in_site_period(site, pilot, v["periodstart"], data.where(row, "periodstart"), problems)
        date_in_site_period(site, pilot, v["periodslut"], data.where(row, "periodslut"), problems)
        if v["periodslut"] is not None and v["periodslut"] < v["periodstart"]:
            problems.append(Problem(data.where(row, "periodslut"), "periodslut ligger före periodstart"))
        existing = session.scalar(select(IndicatorValue).where(
            IndicatorValue.site_id == site.id, IndicatorValue.indicator_code == v["indikator"],
            IndicatorValue.period_start == v["periodstart"], IndicatorValue.deleted_at.is_(None)))
        plan.append((site, v, number, existing))
    if problems:
        raise ValidationError(problems, source=data.filename)
    result = ImportResult("indicators", data.filename)
    for site, v, number, existing in plan:
        if existing is None:
            session.add(IndicatorValue(site_id=site.id, indicator_code=v["indikator"], period_start=v["periodstart"],
                                       period_end=v["periodslut"], value=number, note=v["anteckning"] or ""))
            result.created += 1
        else:
            existing.value, existing.period_end, existing.note = number, v["periodslut"], v["anteckning"] or ""
            result.updated += 1
    session.flush()
    return result


def _format_value(value: float, unit: str) -> str:
    if unit == "ja_nej":
        return "ja" if value >= 0.5 else "nej"
    return _shown(value)


def export_indicators(session: Session, user: CurrentUser) -> pd.DataFrame:
    """Every readable indicator value in the template's columns."""
    frame = indicator_values_frame(session, user)
    return pd.DataFrame({
        "pilot": frame["pilot_slug"], "kommunkod": frame["municipality_code"], "indikator": frame["indicator_code"],
        "periodstart": frame["period_start"], "periodslut": frame["period_end"],
        "varde": [_format_value(v, u) for v, u in zip(frame["value"], frame["unit"], strict=True)],
        "anteckning": frame["note"],
    })


INDICATORS_IMPORTER = SimpleImporter("indicators", INDICATORS_SPEC, _apply_indicators, export_fn=export_indicators)
