"""The follow-research log: what was observed, heard, read, decided or reflected on at a site, tagged to the instruments.

Tags link an entry to a success factor (``tydligt-syfte``) or an instrument item
(``samverkan-systematik:c02-tydligt-syfte``). The vocabulary comes from the instrument definitions,
which live above this package: faces pass it in as ``known_tags`` (see ``tags_from_instruments``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from pilots.access import CurrentUser, require_site, site_read_clause
from pilots.errors import AccessDenied, NotFound, Problem, ValidationError
from pilots.importing import ImportFile, ImportResult, SimpleImporter
from pilots.models import LogEntry, LogTag, Municipality, Pilot, Site, UserAccount, utcnow
from pilots.paging import AnySelect, page_of, row_count
from pilots.privacy import check_fields
from pilots.sites import SiteResolver, date_in_site_period
from pilots.tabular import Column, RecordSpec

LOG_KINDS = ("observation", "interview", "document_analysis", "workshop", "decision", "reflection")
KIND_LABELS = {
    "observation": ("observation", "observation"),
    "interview": ("intervju", "interview"),
    "document_analysis": ("dokumentanalys", "document analysis"),
    "workshop": ("workshop", "workshop"),
    "decision": ("beslut", "decision"),
    "reflection": ("reflektion", "reflection"),
}
SOURCE_TYPE_SUGGESTIONS = ("mötesanteckningar", "protokoll", "styrdokument", "handlingsplan", "gruppintervju",
                           "intervju med funktion", "workshopdokumentation", "egen reflektion", "e-post")
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]*(:[a-z0-9][a-z0-9_.\-]*)?$")
MAX_TAGS = 20


def kind_label(kind: str, lang: str = "sv") -> str:
    sv, en = KIND_LABELS.get(kind, (kind, kind))
    return en if lang == "en" else sv


def tags_from_instruments(instruments: Iterable[Any], lang: str = "sv") -> dict[str, str]:
    """Tag → label for every success factor and item of the given instrument definitions.

    Items become ``<instrument id>:<item id>``, success factors their own id. Duck-typed on
    ``instruments.schema.Instrument`` (``id``, ``title``, ``sections[].items[]`` with ``id``, ``label``,
    ``success_factor``) so this package does not import the instruments package.
    """
    out: dict[str, str] = {}
    for ins in instruments:
        title = getattr(ins.title, lang, "") or ins.id
        for section in ins.sections:
            for item in section.items:
                label = getattr(item.label, lang, "") or item.id
                out[f"{ins.id}:{item.id}"] = f"{title}: {label}"
                if item.success_factor:
                    factor = "framgångsfaktor" if lang == "sv" else "success factor"
                    out.setdefault(item.success_factor, f"{factor}: {label}")
    return dict(sorted(out.items()))


def parse_tags(value: str | Sequence[str] | None) -> list[str]:
    """Tags from a cell or a list: split on comma or semicolon, trimmed, lower-case, without repeats."""
    if value is None:
        return []
    parts = re.split(r"[;,]", value) if isinstance(value, str) else list(value)
    return list(dict.fromkeys(p.strip().lower() for p in parts if p and p.strip()))


def tag_problems(tags: Sequence[str], known_tags: set[str] | None, where: str) -> list[Problem]:
    """Problems with tags: malformed, too many, or not in the instruments' vocabulary (when given)."""
    problems = []
    if len(tags) > MAX_TAGS:
        problems.append(Problem(where, f"högst {MAX_TAGS} taggar per anteckning, fick {len(tags)}"))
    for tag in tags:
        if not TAG_PATTERN.match(tag):
            problems.append(Problem(where, f"taggen '{tag}' har fel form; skriv t.ex. 'tydligt-syfte' eller "
                                           "'samverkan-systematik:c02-tydligt-syfte' (malformed tag)"))
        elif known_tags is not None and tag not in known_tags:
            problems.append(Problem(where, f"okänd tagg '{tag}'; taggar kommer från instrumentens "
                                           "framgångsfaktorer och frågor (unknown tag)"))
    return problems


def _entry_problems(site: Site, pilot: Pilot, entry_date: date, kind: str, text: str, tags: Sequence[str],
                    known_tags: set[str] | None, today: date) -> list[Problem]:
    problems: list[Problem] = []
    if kind not in LOG_KINDS:
        problems.append(Problem("kind", f"okänd typ {kind!r}; välj {', '.join(LOG_KINDS)}"))
    if not text or not text.strip():
        problems.append(Problem("text", "anteckningen är tom"))
    date_in_site_period(site, pilot, entry_date, "entry_date", problems)
    if entry_date > today:
        problems.append(Problem("entry_date", f"{entry_date} ligger i framtiden; loggen beskriver det som hänt"))
    problems += tag_problems(tags, known_tags, "tags")
    return problems


def add_log_entry(session: Session, user: CurrentUser, site_id: int, entry_date: date, kind: str, text: str, *,
                  source_type: str = "", tags: Sequence[str] = (), known_tags: set[str] | None = None,
                  today: date | None = None) -> LogEntry:
    """Write a log entry (researchers of the pilot and admins); text passes the personal-data guard."""
    site = require_site(session, user, site_id, write=True)
    pilot = session.get(Pilot, site.pilot_id)
    assert pilot is not None
    tags = parse_tags(tags)
    problems = _entry_problems(site, pilot, entry_date, kind, text, tags, known_tags, today or date.today())
    if problems:
        raise ValidationError(problems)
    check_fields({"text": text, "source_type": source_type})
    entry = LogEntry(site_id=site.id, entry_date=entry_date, kind=kind, source_type=source_type.strip(),
                     text=text.strip(), author_user_id=user.id, tags=[LogTag(tag=t) for t in tags])
    session.add(entry)
    session.flush()
    return entry


def update_log_entry(session: Session, user: CurrentUser, entry_id: int, expected_version: int,
                     changes: dict[str, Any], known_tags: set[str] | None = None,
                     today: date | None = None) -> LogEntry:
    """Change an entry's date, kind, source type, text or tags; refused on a version conflict."""
    from pilots.editing import update_record

    entry = session.get(LogEntry, entry_id)
    if entry is None or entry.deleted_at is not None:
        raise NotFound(f"Det finns ingen loggpost {entry_id}.")
    site = require_site(session, user, entry.site_id, write=True)
    pilot = session.get(Pilot, site.pilot_id)
    assert pilot is not None
    changes = dict(changes)
    new_tags = parse_tags(changes.pop("tags")) if "tags" in changes else None
    problems = _entry_problems(site, pilot, changes.get("entry_date", entry.entry_date),
                               changes.get("kind", entry.kind), changes.get("text", entry.text),
                               new_tags or [], known_tags, today or date.today())
    if "source_type" in changes:
        check_fields({"source_type": changes["source_type"]})
    if problems:
        raise ValidationError(problems)
    updated: LogEntry = update_record(session, user, LogEntry, entry_id, expected_version, changes)
    if new_tags is not None and set(new_tags) != {t.tag for t in updated.tags}:
        updated.tags = [LogTag(tag=t) for t in new_tags]
        updated.updated_at = utcnow()
        session.flush()
    return updated


LOG_COLUMNS = ["entry_id", "site_id", "site_label", "municipality_code", "municipality_name", "pilot_slug",
               "is_demo", "entry_date", "kind", "kind_label", "source_type", "text", "tags", "author", "version"]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _log_statement(
    user: CurrentUser,
    *,
    site_id: int | None = None,
    pilot_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    kinds: Sequence[str] | None = None,
    tag: str | None = None,
    text: str | None = None,
) -> AnySelect:
    """The readable, filtered entries, newest first (one row per entry; tags are read separately)."""
    if not user.sees_site_level_data:
        raise AccessDenied("Rollen presentatör ser inte enskilda loggposter.")
    stmt = (select(LogEntry.id, Site.id, Municipality.name, Municipality.code, Pilot.name, Pilot.slug, Pilot.is_demo,
                   LogEntry.entry_date, LogEntry.kind, LogEntry.source_type, LogEntry.text, UserAccount.username,
                   LogEntry.version)
            .join(Site, Site.id == LogEntry.site_id).join(Pilot, Pilot.id == Site.pilot_id)
            .join(Municipality, Municipality.code == Site.municipality_code)
            .outerjoin(UserAccount, UserAccount.id == LogEntry.author_user_id)
            .where(LogEntry.deleted_at.is_(None), Site.deleted_at.is_(None), Pilot.deleted_at.is_(None),
                   site_read_clause(user))
            .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc()))
    if site_id is not None:
        stmt = stmt.where(LogEntry.site_id == site_id)
    if pilot_id is not None:
        stmt = stmt.where(Site.pilot_id == pilot_id)
    if date_from is not None:
        stmt = stmt.where(LogEntry.entry_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(LogEntry.entry_date <= date_to)
    if kinds:
        stmt = stmt.where(LogEntry.kind.in_(list(kinds)))
    if tag and tag.strip():
        wanted = tag.strip().lower()
        stmt = stmt.where(exists().where(and_(
            LogTag.entry_id == LogEntry.id,
            or_(LogTag.tag == wanted, LogTag.tag.like(_escape_like(wanted) + ":%", escape="\\")))))
    if text and text.strip():
        pattern = f"%{_escape_like(text.strip())}%"
        stmt = stmt.where(or_(LogEntry.text.ilike(pattern, escape="\\"),
                              LogEntry.source_type.ilike(pattern, escape="\\")))
    return stmt


def log_count(
    session: Session,
    user: CurrentUser,
    *,
    site_id: int | None = None,
    pilot_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    kinds: Sequence[str] | None = None,
    tag: str | None = None,
    text: str | None = None,
) -> int:
    """How many readable entries match the filters of ``log_frame`` (counted by the database)."""
    stmt = _log_statement(user, site_id=site_id, pilot_id=pilot_id, date_from=date_from, date_to=date_to,
                          kinds=kinds, tag=tag, text=text)
    return row_count(session, stmt.with_only_columns(LogEntry.id))


def log_frame(
    session: Session,
    user: CurrentUser,
    *,
    site_id: int | None = None,
    pilot_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    kinds: Sequence[str] | None = None,
    tag: str | None = None,
    text: str | None = None,
    lang: str = "sv",
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """Readable log entries, newest first, filtered by site, pilot, period, kinds, tag and free text.

    ``tag`` matches exactly, or every item of an instrument when given the instrument id
    (``samverkan-systematik`` matches ``samverkan-systematik:c01-…``). ``text`` searches the text and
    the source type, case-insensitively. ``limit`` and ``offset`` read one page; ``log_count`` gives the
    total.
    """
    # Plain columns (no ORM objects) and the tags in one second query: one row per entry, no query per entry.
    filtered = _log_statement(user, site_id=site_id, pilot_id=pilot_id, date_from=date_from, date_to=date_to,
                              kinds=kinds, tag=tag, text=text)
    stmt = page_of(filtered, limit, offset)
    found = session.execute(stmt).all()
    tags: dict[int, list[str]] = {}
    if found:
        # A page's ids are few; a whole export's are too many to bind as parameters.
        ids: Any = ([r[0] for r in found] if limit is not None
                    else select(stmt.with_only_columns(LogEntry.id).subquery().c.id))
        for entry_id, tag in session.execute(
                select(LogTag.entry_id, LogTag.tag).where(LogTag.entry_id.in_(ids))):
            tags.setdefault(entry_id, []).append(tag)
    rows = []
    for (entry_id, site_id, m_name, m_code, p_name, p_slug, p_demo, entry_date, kind, source_type, entry_text,
         author, version) in found:
        rows.append({"entry_id": entry_id, "site_id": site_id, "site_label": f"{m_name} ({p_name})",
                     "municipality_code": m_code, "municipality_name": m_name, "pilot_slug": p_slug,
                     "is_demo": p_demo, "entry_date": entry_date, "kind": kind,
                     "kind_label": kind_label(kind, lang), "source_type": source_type,
                     "text": entry_text, "tags": ", ".join(sorted(tags.get(entry_id, []))),
                     "author": author or "", "version": version})
    return pd.DataFrame(rows, columns=LOG_COLUMNS)


def tag_counts(log: pd.DataFrame) -> pd.DataFrame:
    """How many entries carry each tag (from a ``log_frame``), most used first."""
    tags = [t.strip() for cell in log.get("tags", pd.Series(dtype=str)) for t in str(cell).split(",") if t.strip()]
    counts = pd.Series(tags, dtype=str).value_counts()
    return pd.DataFrame({"tag": counts.index, "entries": counts.to_numpy()})


# --- import / export ------------------------------------------------------------------------------

_KIND_SV = tuple(sv for sv, _ in KIND_LABELS.values())
_KIND_FROM_SV = {sv: code for code, (sv, _) in KIND_LABELS.items()}

LOG_SPEC = RecordSpec(
    kind="log",
    title_sv="Följeforskningslogg",
    title_en="Follow-research log",
    columns=(
        Column("pilot", "text", True, doc_sv="Pilotprojektets id, t.ex. tryggvaxt.", doc_en="The pilot's id.",
               example="tryggvaxt", max_length=60),
        Column("kommunkod", "municipality_code", True, doc_sv="Platsens kommunkod.",
               doc_en="The site's municipality code.", example="2482"),
        Column("datum", "date", True, doc_sv="Dag då det hände (inom platsens period, inte i framtiden).",
               doc_en="Day it happened (within the site period, not in the future).", example="2025-03-12"),
        Column("typ", "choice", True, choices=_KIND_SV,
               doc_sv="observation, intervju, dokumentanalys, workshop, beslut eller reflektion.",
               doc_en="Kind: observation, intervju (interview), dokumentanalys (document analysis), workshop, "
                      "beslut (decision), reflektion (reflection).", example="observation"),
        Column("kalltyp", "text", doc_sv="Källa, t.ex. mötesanteckningar, protokoll, styrdokument.",
               doc_en="Source type, e.g. meeting notes, minutes, policy document.", example="mötesanteckningar",
               max_length=100, aliases=("källtyp", "kalla")),
        Column("text", "free_text", True, doc_sv="Anteckningen. Om organisationer och funktioner, aldrig om "
               "enskilda personer; inga namn eller personnummer.",
               doc_en="The note. About organisations and functions, never individuals; no names or ID numbers.",
               example="Styrgruppen beslutade att socialtjänsten sammankallar det operativa nätverket."),
        Column("taggar", "text", doc_sv="Framgångsfaktorer och instrumentfrågor, åtskilda med komma eller "
               "semikolon, t.ex. 'tydligt-syfte; samverkan-systematik:c02-tydligt-syfte'.",
               doc_en="Success factors and instrument items separated by comma or semicolon.",
               example="namngiven-sammankallande", max_length=1000),
    ),
    key=("pilot", "kommunkod", "datum", "typ", "text"),
)


def log_importer(known_tags: set[str] | None = None) -> SimpleImporter:
    """The log importer; with ``known_tags`` every tag must be one of them (faces pass the instruments' tags)."""

    def apply(session: Session, user: CurrentUser, data: ImportFile) -> ImportResult:
        today = date.today()
        problems: list[Problem] = []
        resolver = SiteResolver(session, user)
        plan: list[tuple[Site, dict[str, Any], list[str]]] = []
        for row in data.rows:
            v = row.values
            pilot = resolver.pilot(v["pilot"], data.where(row, "pilot"), problems)
            site = resolver.site(pilot, v["kommunkod"], data.where(row, "kommunkod"), problems)
            tags = parse_tags(v["taggar"])
            problems += tag_problems(tags, known_tags, data.where(row, "taggar"))
            if site is None or pilot is None or v["datum"] is None:
                continue
            date_in_site_period(site, pilot, v["datum"], data.where(row, "datum"), problems)
            if v["datum"] > today:
                problems.append(Problem(data.where(row, "datum"), f"{v['datum']} ligger i framtiden"))
            kind = _KIND_FROM_SV.get(v["typ"] or "", "observation")
            if v["text"] and session.scalar(select(LogEntry.id).where(
                    LogEntry.site_id == site.id, LogEntry.entry_date == v["datum"], LogEntry.kind == kind,
                    LogEntry.text == v["text"].strip(), LogEntry.deleted_at.is_(None))) is not None:
                problems.append(Problem(f"{data.filename}, rad {row.number}", "samma anteckning (plats, datum, typ "
                                        "och text) finns redan i loggen (duplicate of an existing entry)"))
            plan.append((site, {**v, "typ": kind}, tags))
        if problems:
            raise ValidationError(problems, source=data.filename)
        for site, v, tags in plan:
            session.add(LogEntry(site_id=site.id, entry_date=v["datum"], kind=v["typ"],
                                 source_type=(v["kalltyp"] or "").strip(), text=v["text"].strip(),
                                 author_user_id=user.id, tags=[LogTag(tag=t) for t in tags]))
        session.flush()
        return ImportResult("log", data.filename, created=len(plan))

    return SimpleImporter("log", LOG_SPEC, apply, export_fn=export_log)


def export_log(session: Session, user: CurrentUser) -> pd.DataFrame:
    """Every readable log entry in the template's columns (oldest first)."""
    frame = log_frame(session, user).iloc[::-1]
    pilots = frame["pilot_slug"]
    return pd.DataFrame({
        "pilot": pilots, "kommunkod": frame["municipality_code"], "datum": frame["entry_date"],
        "typ": frame["kind_label"], "kalltyp": frame["source_type"], "text": frame["text"],
        "taggar": frame["tags"].str.replace(", ", "; "),
    }).reset_index(drop=True)


LOG_IMPORTER = log_importer()
