"""Import and export of sites (one municipality in one pilot); a new pilot can be created from the same file."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from pilots.access import CurrentUser, require_role
from pilots.errors import Problem, ValidationError
from pilots.importing import ImportFile, ImportResult, SimpleImporter
from pilots.models import Municipality, Pilot, Site
from pilots.sites import (
    PILOT_KINDS,
    SiteResolver,
    add_site,
    create_pilot,
    site_period_problems,
    sites_frame,
)
from pilots.tabular import Column, RecordSpec

SITES_SPEC = RecordSpec(
    kind="sites",
    title_sv="Platser (kommuner i pilotprojekt)",
    title_en="Sites (municipalities in pilots)",
    columns=(
        Column("pilot", "text", True, doc_sv="Pilotprojektets id (kortnamn), t.ex. tryggvaxt.",
               doc_en="The pilot's id (short name), e.g. tryggvaxt.", example="tryggvaxt", max_length=60),
        Column("kommunkod", "municipality_code", True, doc_sv="Kommunkod enligt SCB, fyra siffror.",
               doc_en="SCB municipality code, four digits.", example="2482", aliases=("kommun_kod", "kod")),
        Column("kontaktroll", "text", doc_sv="Kontaktpersonens roll eller funktion (inget namn).",
               doc_en="The contact's role or function (no name).", example="Samordnare, socialtjänsten"),
        Column("projektorganisation", "free_text", doc_sv="Lokal projektorganisation: styrgrupp, arbetsgrupper.",
               doc_en="Local project organisation: steering group, working groups.",
               example="Styrgrupp, operativ grupp"),
        Column("startdatum", "date", doc_sv="Platsens start; tomt = pilotens start.",
               doc_en="Site start; empty = the pilot's start.", example="2025-01-01"),
        Column("slutdatum", "date", doc_sv="Platsens slut; tomt = pilotens slut.",
               doc_en="Site end; empty = the pilot's end.", example="2025-12-31"),
        Column("kontext", "free_text", doc_sv="Fria anteckningar om lokala förutsättningar.",
               doc_en="Free notes on local conditions.", example="Två utsatta områden enligt polisen"),
        Column("pilotnamn", "text", doc_sv="Bara för ett nytt pilotprojekt: dess namn.",
               doc_en="Only for a new pilot: its name.", example="TryggVäxt"),
        Column("pilottyp", "choice", choices=PILOT_KINDS, doc_sv="Bara för ett nytt pilotprojekt: typ.",
               doc_en="Only for a new pilot: kind.", example="pilot"),
        Column("syfte", "free_text", doc_sv="Bara för ett nytt pilotprojekt: syfte.",
               doc_en="Only for a new pilot: purpose.", example=""),
        Column("pilotstart", "date", doc_sv="Bara för ett nytt pilotprojekt: startdatum.",
               doc_en="Only for a new pilot: start date.", example="2025-01-01"),
        Column("pilotslut", "date", doc_sv="Bara för ett nytt pilotprojekt: slutdatum.",
               doc_en="Only for a new pilot: end date.", example="2025-12-31"),
    ),
    key=("pilot", "kommunkod"),
)

_NEW_PILOT = ("pilotnamn", "pilotstart", "pilotslut")


def _new_pilots(session: Session, data: ImportFile, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    """Pilots the file creates: unknown slugs whose rows give name, start and end (consistent across rows)."""
    out: dict[str, dict[str, Any]] = {}
    for row in data.rows:
        v = row.values
        slug = v["pilot"]
        if not slug or not any(v.get(c) for c in _NEW_PILOT):
            continue
        if session.scalar(select(Pilot.id).where(Pilot.slug == slug)) is not None:
            continue
        missing = [c for c in _NEW_PILOT if not v.get(c)]
        if missing:
            problems.append(Problem(data.where(row, missing[0]), "ett nytt pilotprojekt behöver pilotnamn, "
                                    "pilotstart och pilotslut (new pilot needs name, start and end)"))
            continue
        spec = {"name": v["pilotnamn"], "kind": v.get("pilottyp") or "pilot", "purpose": v.get("syfte") or "",
                "start_date": v["pilotstart"], "end_date": v["pilotslut"]}
        if spec["end_date"] < spec["start_date"]:
            problems.append(Problem(data.where(row, "pilotslut"), f"pilotslut {spec['end_date']} ligger före "
                                    f"pilotstart {spec['start_date']}"))
        if slug in out and out[slug] != spec:
            problems.append(Problem(data.where(row, "pilotnamn"), f"uppgifterna om det nya pilotprojektet '{slug}' "
                                    "skiljer sig från en tidigare rad (new pilot described differently)"))
        out.setdefault(slug, spec)
    return out


def _apply(session: Session, user: CurrentUser, data: ImportFile) -> ImportResult:
    require_role(user, "admin", "researcher")
    problems: list[Problem] = []
    new_pilots = _new_pilots(session, data, problems)
    resolver = SiteResolver(session, user)
    plan: list[tuple[str, Any, dict[str, Any]]] = []
    for row in data.rows:
        v = row.values
        code = v["kommunkod"]
        if code and session.get(Municipality, code) is None:
            problems.append(Problem(data.where(row, "kommunkod"), f"det finns ingen kommun med kod {code} "
                                    "(unknown municipality code)"))
        fields = {"contact_role": v["kontaktroll"] or "", "project_organisation": v["projektorganisation"] or "",
                  "start_date": v["startdatum"], "end_date": v["slutdatum"], "context_notes": v["kontext"] or ""}
        if v["pilot"] in new_pilots:
            spec = new_pilots[v["pilot"]]
            fake = Pilot(start_date=spec["start_date"], end_date=spec["end_date"])
            problems += site_period_problems(fake, fields["start_date"], fields["end_date"],
                                             data.where(row, "startdatum/slutdatum"))
            plan.append(("new", v["pilot"], {"code": code, **fields}))
            continue
        pilot = resolver.pilot(v["pilot"], data.where(row, "pilot"), problems)
        if pilot is None:
            continue
        problems += site_period_problems(pilot, fields["start_date"], fields["end_date"],
                                         data.where(row, "startdatum/slutdatum"))
        existing = session.scalar(select(Site).where(Site.pilot_id == pilot.id, Site.municipality_code == code))
        if existing is not None and existing.deleted_at is not None:
            problems.append(Problem(data.where(row, "kommunkod"), f"platsen {code} i '{pilot.slug}' är borttagen; "
                                    "be en administratör återställa den (site is deleted)"))
            continue
        plan.append(("update" if existing else "add", pilot if existing is None else existing,
                     {"code": code, **fields}))
    if problems:
        raise ValidationError(problems, source=data.filename)

    result = ImportResult("sites", data.filename)
    created_pilots: dict[str, Pilot] = {}
    for slug, spec in new_pilots.items():
        created_pilots[slug] = create_pilot(session, user, slug=slug, **spec)
        result.notes.append(f"nytt pilotprojekt {slug}")
    for action, target, f in plan:
        code = f.pop("code")
        if action == "update":
            for key, value in f.items():
                if key in ("start_date", "end_date") and value is None:
                    continue
                setattr(target, key, value)
            result.updated += 1
            continue
        pilot = created_pilots[target] if action == "new" else target
        if action == "new" and user.role == "researcher" and pilot.id not in user.pilot_ids:
            user = CurrentUser(id=user.id, username=user.username, role=user.role,
                               municipality_code=user.municipality_code,
                               pilot_ids=user.pilot_ids | {pilot.id}, display_name=user.display_name)
        add_site(session, user, pilot, code, **f)
        result.created += 1
    session.flush()
    return result


def export_sites(session: Session, user: CurrentUser) -> pd.DataFrame:
    """Every readable site in the template's columns."""
    frame = sites_frame(session, user)
    return pd.DataFrame({
        "pilot": frame["pilot_slug"], "kommunkod": frame["municipality_code"],
        "kontaktroll": frame["contact_role"], "projektorganisation": frame["project_organisation"],
        "startdatum": frame["start_date"], "slutdatum": frame["end_date"], "kontext": frame["context_notes"],
    })


SITES_IMPORTER = SimpleImporter("sites", SITES_SPEC, _apply, export_fn=export_sites)
