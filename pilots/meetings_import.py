"""Import of cooperation meetings from a spreadsheet: one row per meeting, validated in full, then bulk-inserted.

A coordinator fills in one row per meeting: the municipality code (and pilot when the municipality is in
several), the forum's name, the date, purpose, convener and documenter, the attending actors separated
by ";", decisions, actions as "Ägare: vad (klart ÅÅÅÅ-MM-DD)" separated by ";", and whether the previous
meeting's actions were followed up. Actors and forums must already exist at the site (created in the app).
Every row is checked against the database in memory (sets and dicts, a handful of queries) before anything
is written; then meetings, attendance and actions are inserted in chunks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from pilots import db
from pilots.access import CurrentUser, may_write_pilot, site_read_clause
from pilots.errors import Problem, ValidationError
from pilots.importing import ImportFile, ImportResult, ImportRow, SimpleImporter
from pilots.meetings import _norm
from pilots.models import Actor, Forum, Meeting, MeetingAction, MeetingAttendance, Pilot, Site, utcnow
from pilots.tabular import Column, RecordSpec, parse_date

CHUNK = 5000
SEPARATOR = re.compile(r"[;\n]+")
_ACTION = re.compile(
    r"^(?P<owner>[^:]+?)\s*:\s*(?P<what>.+?)\s*(?:\(\s*(?:klart|senast|till|due|by)?\s*(?P<due>[^()]*?)\s*\))?$",
    re.IGNORECASE | re.DOTALL,
)

MEETINGS_SPEC = RecordSpec(
    kind="meetings",
    title_sv="Samverkansmöten (en rad per möte)",
    title_en="Cooperation meetings (one row per meeting)",
    columns=(
        Column(
            "kommunkod",
            "municipality_code",
            required=True,
            example="2482",
            doc_sv="Kommunkod med fyra siffror (platsens kommun).",
            doc_en="Four-digit municipality code of the site.",
        ),
        Column(
            "pilot",
            "text",
            example="tryggvaxt",
            aliases=("pilotprojekt",),
            doc_sv="Pilotprojektets id; behövs bara när kommunen är med i flera pilotprojekt.",
            doc_en="Pilot id (slug); needed only when the municipality is in several pilots.",
        ),
        Column(
            "forum",
            "text",
            required=True,
            example="TryggVäxt operativ grupp",
            aliases=("forumnamn",),
            doc_sv="Forumets namn, som det står i arbetsbänken.",
            doc_en="The forum's name as in the workbench.",
        ),
        Column(
            "datum",
            "date",
            required=True,
            example="2025-03-12",
            aliases=("motesdatum",),
            doc_sv="Mötets datum, ÅÅÅÅ-MM-DD.",
            doc_en="Meeting date, YYYY-MM-DD.",
        ),
        Column(
            "syfte",
            "free_text",
            example="Lägesbild och planering av föräldraträffar",
            doc_sv="Mötets syfte.",
            doc_en="Purpose of the meeting.",
        ),
        Column(
            "dagordning",
            "free_text",
            example="Lägesbild; föräldraträffar; övrigt",
            doc_sv="Punkter på dagordningen.",
            doc_en="Agenda items.",
        ),
        Column(
            "sammankallande",
            "text",
            example="Socialtjänsten, förebyggande enheten",
            doc_sv="Aktören som kallade till mötet.",
            doc_en="The actor who convened the meeting.",
        ),
        Column(
            "dokumenterande",
            "text",
            example="Elevhälsan",
            doc_sv="Aktören som förde anteckningar.",
            doc_en="The actor who documented the meeting.",
        ),
        Column(
            "deltagare",
            "free_text",
            required=True,
            example="Socialtjänsten, förebyggande enheten; Elevhälsan; Polisen, lokalpolisområde",
            aliases=("narvarande",),
            doc_sv="Närvarande aktörer (organisationer/funktioner, aldrig personnamn), åtskilda med semikolon.",
            doc_en="Attending actors (organisations/functions, never names of persons), separated by ';'.",
        ),
        Column(
            "inbjudna_ej_narvarande",
            "free_text",
            example="Fritidsgården",
            aliases=("inbjudna_men_ej_narvarande", "franvarande"),
            doc_sv="Inbjudna aktörer som inte kom, åtskilda med semikolon.",
            doc_en="Invited actors who did not attend, separated by ';'.",
        ),
        Column(
            "beslut",
            "free_text",
            example="Två föräldraträffar i april",
            doc_sv="Beslut som fattades.",
            doc_en="Decisions taken.",
        ),
        Column(
            "atgarder",
            "free_text",
            example="Elevhälsan: boka lokal (klart 2025-04-01); Polisen: lägesbild",
            aliases=("åtgärder",),
            doc_sv="Åtgärder som 'Ägaraktör: vad ska göras (klart ÅÅÅÅ-MM-DD)', flera åtskilda med semikolon; "
            "datumet kan utelämnas.",
            doc_en="Actions as 'Owner actor: what to do (klart YYYY-MM-DD)', several separated by ';'; the "
            "date is optional.",
        ),
        Column(
            "foregaende_uppfoljda",
            "bool",
            example="ja",
            aliases=("foregaende_atgarder_uppfoljda", "uppfoljning"),
            doc_sv="ja = föregående mötes åtgärder (samma forum) följdes upp på detta möte.",
            doc_en="yes = the previous meeting's actions (same forum) were followed up at this meeting.",
        ),
    ),
    key=("kommunkod", "pilot", "forum", "datum"),
)


@dataclass
class _SiteInfo:
    site_id: int
    pilot_slug: str
    start: date
    end: date
    writable: bool


@dataclass
class _Planned:
    row: ImportRow
    site_id: int
    forum_id: int
    when: date
    values: dict[str, Any]
    attended: tuple[int, ...] = ()  # sorted, each actor once
    absent: tuple[int, ...] = ()
    actions: list[tuple[str, int, date | None]] = field(default_factory=list)  # description, owner, due


def split_names(text: str | None) -> list[str]:
    """Actor names from a ';'- or line-separated cell, trimmed, empty parts dropped."""
    return list(_split_list(text or ""))


def _split_names(text: str) -> tuple[str, ...]:
    return tuple(stripped for part in SEPARATOR.split(text) if (stripped := part.strip()))


# Attendance lists repeat across a file's meetings (a few hundred distinct lists on tens of thousands of
# rows); action cells hardly repeat (their dates differ) and are split uncached, so they do not evict them.
_split_list = functools.lru_cache(maxsize=8192)(_split_names)


def parse_actions(text: str | None) -> list[tuple[str, str, str | None]]:
    """(owner name, description, due text or None) per action in a cell; ValueError naming a bad item."""
    out = []
    for item in _split_names(text or ""):
        parts = _action_parts(item)
        if parts is None:
            raise ValueError(f"'{item}' saknar ägare; skriv 'Ägaraktör: vad ska göras (klart ÅÅÅÅ-MM-DD)'")
        out.append(parts)
    return out


@functools.lru_cache(maxsize=16384)
def _action_parts(item: str) -> tuple[str, str, str | None] | None:
    # Cached: a forum's meetings repeat the same actions ("Polisen: lägesbild"), often with the same date.
    m = _ACTION.match(item)
    if m is None:
        return None
    return m.group("owner").strip(), m.group("what").strip(), (m.group("due") or "").strip() or None


class _SiteNames:
    """One site's actors and forums by the text a file names them with (each distinct text matched once:
    a forum's attendance lists and owners repeat from meeting to meeting)."""

    def __init__(self) -> None:
        self.actors: dict[str, int] = {}  # by _norm(name)
        self.forums: dict[str, int] = {}
        self._actor_of: dict[str, int | None] = {}
        self._forum_of: dict[str, int | None] = {}
        self._list_of: dict[str | None, tuple[tuple[int, ...], tuple[str, ...]]] = {}

    def actor(self, name: str) -> int | None:
        """The actor named ``name`` (one name, not split), or None."""
        return _matched(self._actor_of, self.actors, name)

    def forum(self, name: str) -> int | None:
        return _matched(self._forum_of, self.forums, name)

    def actor_list(self, text: str | None) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """A list cell's known actors (ids sorted, each once) and unknown names (in the cell's order)."""
        found = self._list_of.get(text)
        if found is None:
            ids: set[int] = set()
            unknown: list[str] = []
            for name in _split_list(text or ""):
                aid = self.actor(name)
                if aid is None:
                    unknown.append(name)
                else:
                    ids.add(aid)
            found = self._list_of[text] = (tuple(sorted(ids)), tuple(unknown))
        return found


def _matched(seen: dict[str, int | None], by_norm: Mapping[str, int], name: str) -> int | None:
    try:
        return seen[name]
    except KeyError:
        found = seen[name] = by_norm.get(_norm(name))
        return found


def _unknown_actors(where: str, names: Sequence[str]) -> Problem:
    return Problem(
        where,
        "okänd(a) aktör(er) på platsen: "
        + ", ".join(f"'{n}'" for n in names)
        + "; lägg till dem i arbetsbänken eller rätta stavningen",
    )


def _sites(session: Session, user: CurrentUser, codes: set[str]) -> dict[str, list[_SiteInfo]]:
    rows = session.execute(
        select(
            Site.id,
            Site.municipality_code,
            Site.pilot_id,
            Pilot.slug,
            Site.start_date,
            Site.end_date,
            Pilot.start_date,
            Pilot.end_date,
        )
        .join(Pilot, Pilot.id == Site.pilot_id)
        .where(
            Site.municipality_code.in_(sorted(codes)),
            Site.deleted_at.is_(None),
            Pilot.deleted_at.is_(None),
            site_read_clause(user),
        )
    ).all()
    out: dict[str, list[_SiteInfo]] = {}
    for sid, code, pilot_id, slug, s, e, ps, pe in rows:
        out.setdefault(code, []).append(
            _SiteInfo(
                sid, slug, s or ps, e or pe, user.sees_site_level_data and may_write_pilot(user, pilot_id)
            )
        )
    return out


def _site_for(
    sites: Mapping[str, list[_SiteInfo]], code: Any, slug: Any
) -> tuple[_SiteInfo | None, str, str]:
    """The site a row's municipality code and pilot name, or None with the problem's column and message."""
    candidates = [s for s in sites.get(str(code), []) if not slug or s.pilot_slug == slug]
    if not candidates:
        within = f" i pilotprojektet '{slug}'" if slug else ""
        return None, "kommunkod", f"kommun {code} är ingen plats{within} som du kan se"
    if len(candidates) > 1:
        return (
            None,
            "pilot",
            f"kommun {code} är med i flera pilotprojekt "
            f"({', '.join(sorted(s.pilot_slug for s in candidates))}); fyll i kolumnen pilot",
        )
    if not candidates[0].writable:
        return None, "kommunkod", f"du får inte registrera möten för kommun {code}"
    return candidates[0], "", ""


def apply_meetings(session: Session, user: CurrentUser, data: ImportFile) -> ImportResult:
    """Validate every row against the database, then insert meetings, attendance, actions and follow-ups."""
    problems: list[Problem] = []
    codes = {str(r.values["kommunkod"]) for r in data.rows if r.values.get("kommunkod")}
    sites = _sites(session, user, codes) if codes else {}
    site_of_row: dict[int, _SiteInfo] = {}
    # A file names a few hundred sites on tens of thousands of rows: each (code, pilot) is resolved once.
    site_of_key: dict[tuple[Any, Any], tuple[_SiteInfo | None, str, str]] = {}
    for row in data.rows:
        code, slug = row.values.get("kommunkod"), row.values.get("pilot")
        outcome = site_of_key.get((code, slug))
        if outcome is None:
            outcome = site_of_key[(code, slug)] = _site_for(sites, code, slug)
        site, column, message = outcome
        if site is None:
            problems.append(Problem(data.where(row, column), message))
        else:
            site_of_row[row.number] = site

    site_ids = sorted({s.site_id for s in site_of_row.values()})
    names_at: dict[int, _SiteNames] = {sid: _SiteNames() for sid in site_ids}
    existing: dict[tuple[int, date], int] = {}
    if site_ids:
        for aid, sid, name in session.execute(
            select(Actor.id, Actor.site_id, Actor.name).where(
                Actor.site_id.in_(site_ids), Actor.deleted_at.is_(None)
            )
        ):
            names_at[sid].actors[_norm(name)] = aid
        for fid, sid, name in session.execute(
            select(Forum.id, Forum.site_id, Forum.name).where(
                Forum.site_id.in_(site_ids), Forum.deleted_at.is_(None)
            )
        ):
            names_at[sid].forums[_norm(name)] = fid
        for mid, fid, held_on in session.execute(
            select(Meeting.id, Meeting.forum_id, Meeting.meeting_date)
            .join(Forum, Forum.id == Meeting.forum_id)
            .where(Forum.site_id.in_(site_ids), Meeting.deleted_at.is_(None))
        ):
            existing[(fid, held_on)] = mid

    planned: list[_Planned] = []
    in_file: dict[tuple[int, date], int] = {}
    for row in data.rows:
        site = site_of_row.get(row.number)
        if site is None:
            continue
        v = row.values
        names = names_at[site.site_id]
        forum_id = names.forum(v["forum"])
        when: date = v["datum"]
        if forum_id is None:
            problems.append(
                Problem(
                    data.where(row, "forum"),
                    f"forumet '{v['forum']}' finns inte på platsen; lägg till det i arbetsbänken först",
                )
            )
        if not site.start <= when <= site.end:
            problems.append(
                Problem(
                    data.where(row, "datum"), f"{when} ligger utanför platsens period {site.start}–{site.end}"
                )
            )
        if forum_id is not None:
            if (forum_id, when) in existing:
                problems.append(
                    Problem(
                        data.where(row, "datum"),
                        f"mötet finns redan: '{v['forum']}' {when} (möte id {existing[(forum_id, when)]})",
                    )
                )
            elif (forum_id, when) in in_file:
                problems.append(
                    Problem(
                        data.where(row, "datum"),
                        f"samma möte ('{v['forum']}' {when}) står redan på rad {in_file[(forum_id, when)]}",
                    )
                )
            else:
                in_file[(forum_id, when)] = row.number

        item = _Planned(row, site.site_id, forum_id or 0, when, v)
        item.attended, unknown_attending = names.actor_list(v.get("deltagare"))
        if unknown_attending:
            problems.append(_unknown_actors(data.where(row, "deltagare"), unknown_attending))
        item.absent, unknown_absent = names.actor_list(v.get("inbjudna_ej_narvarande"))
        if unknown_absent:
            problems.append(_unknown_actors(data.where(row, "inbjudna_ej_narvarande"), unknown_absent))
        if not item.attended and not unknown_attending:  # the cell names no one
            problems.append(Problem(data.where(row, "deltagare"), "ange minst en närvarande aktör"))
        if item.absent and not set(item.attended).isdisjoint(item.absent):
            problems.append(
                Problem(
                    data.where(row, "inbjudna_ej_narvarande"),
                    "samma aktör står både som närvarande och frånvarande",
                )
            )
        for column in ("sammankallande", "dokumenterande"):
            if v.get(column):
                named = names.actor(v[column])
                if named is None:
                    problems.append(_unknown_actors(data.where(row, column), [v[column]]))
                v[f"_{column}"] = named
        try:
            parsed_actions = parse_actions(v.get("atgarder"))
        except ValueError as err:
            problems.append(Problem(data.where(row, "atgarder"), str(err)))
            parsed_actions = []
        for owner, what, due_text in parsed_actions:
            owner_id = names.actor(owner)
            if owner_id is None:
                problems.append(_unknown_actors(data.where(row, "atgarder"), [owner]))
            due = None
            if due_text:
                try:
                    due = parse_date(due_text)
                except Exception:  # noqa: BLE001 - CellError or ValueError: report and go on
                    problems.append(
                        Problem(data.where(row, "atgarder"), f"'{due_text}' är inget datum; skriv ÅÅÅÅ-MM-DD")
                    )
            if owner_id is not None:
                item.actions.append((what, owner_id, due))
        planned.append(item)
    if problems:
        raise ValidationError(problems, source=data.filename)
    return _write(session, data, planned, existing)


def _chunks(rows: Sequence[Any]) -> list[Sequence[Any]]:
    return [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]


MEETING_COLUMNS = (
    "forum_id", "meeting_date", "purpose", "agenda", "decisions", "notes", "convened_by_actor_id",
    "documented_by_actor_id", "created_at", "updated_at",
)  # fmt: skip
ATTENDANCE_COLUMNS = ("meeting_id", "actor_id", "invited", "attended")
ACTION_COLUMNS = ("meeting_id", "description", "owner_actor_id", "due_date")


def _write(
    session: Session, data: ImportFile, planned: list[_Planned], existing: dict[tuple[int, date], int]
) -> ImportResult:
    # Rows go straight to the driver as value tuples (pilots.db.insert_rows): they are validated above, and
    # SQLAlchemy's per-row statement processing cost several times the database's own work. Meetings are
    # then found by their key (forum, date), unique among live meetings (checked above against the file and
    # the database), instead of RETURNING, which SQLite can only give one row at a time in parameter order.
    conn = session.connection()
    now = utcnow()
    meeting_rows = [
        (
            p.forum_id,
            p.when,
            p.values.get("syfte") or "",
            p.values.get("dagordning") or "",
            p.values.get("beslut") or "",
            "",
            p.values.get("_sammankallande"),
            p.values.get("_dokumenterande"),
            now,
            now,
        )
        for p in planned
    ]
    for chunk in _chunks(meeting_rows):
        db.insert_rows(conn, Meeting.__table__, chunk, MEETING_COLUMNS)  # type: ignore[arg-type]
    id_of: dict[tuple[int, date], int] = {}
    forum_ids = sorted({p.forum_id for p in planned})
    if planned:
        first, last = min(p.when for p in planned), max(p.when for p in planned)
        for part in range(0, len(forum_ids), 500):
            rows = conn.execute(
                select(Meeting.id, Meeting.forum_id, Meeting.meeting_date).where(
                    Meeting.forum_id.in_(forum_ids[part : part + 500]),
                    Meeting.meeting_date.between(first, last),
                    Meeting.deleted_at.is_(None),
                )
            )
            id_of.update({(int(fid), when): int(mid) for mid, fid, when in rows})
    ids = [id_of[(p.forum_id, p.when)] for p in planned]
    attendance: list[tuple[int, int, bool, bool]] = []
    actions: list[tuple[int, str, int, date | None]] = []
    for p, mid in zip(planned, ids, strict=True):
        attendance += [(mid, a, True, True) for a in p.attended]
        attendance += [(mid, a, True, False) for a in p.absent]
        actions += [(mid, what, owner, due) for what, owner, due in p.actions]
    for chunk in _chunks(attendance):
        db.insert_rows(conn, MeetingAttendance.__table__, chunk, ATTENDANCE_COLUMNS)  # type: ignore[arg-type]
    for chunk in _chunks(actions):
        db.insert_rows(conn, MeetingAction.__table__, chunk, ACTION_COLUMNS)  # type: ignore[arg-type]

    # The previous meeting of each forum, over the database and the file together.
    by_forum: dict[int, list[tuple[date, int]]] = {}
    for (fid, when), mid in existing.items():
        by_forum.setdefault(fid, []).append((when, mid))
    for p, mid in zip(planned, ids, strict=True):
        by_forum.setdefault(p.forum_id, []).append((p.when, mid))
    previous: dict[int, int] = {}
    for dated in by_forum.values():
        dated.sort()
        previous.update({mid: dated[i - 1][1] for i, (_, mid) in enumerate(dated) if i > 0})
    follow = [
        {"prev_id": previous[mid], "this_id": mid}
        for p, mid in zip(planned, ids, strict=True)
        if p.values.get("foregaende_uppfoljda") and mid in previous
    ]
    table = MeetingAction.__table__  # a Table; the mapped class would make update() an ORM bulk update
    stmt = (
        update(table)  # type: ignore[arg-type]
        .where(
            table.c.meeting_id == bindparam("prev_id"),
            table.c.followed_up_at_meeting_id.is_(None),
            table.c.deleted_at.is_(None),
        )
        .values(followed_up_at_meeting_id=bindparam("this_id"), version=table.c.version + 1)
    )
    for chunk in _chunks(follow):
        session.connection().execute(stmt, list(chunk))
    session.flush()
    result = ImportResult("meetings", data.filename, created=len(ids))
    result.notes.append(f"{len(attendance)} närvarorader, {len(actions)} åtgärder")
    return result


def meeting_choices(session: Session, user: CurrentUser) -> Mapping[str, Sequence[str]]:
    """Drop-down values for the template: the pilots and forums the user can see."""
    rows = session.execute(
        select(Pilot.slug, Forum.name)
        .join(Site, Site.pilot_id == Pilot.id)
        .join(Forum, Forum.site_id == Site.id)
        .where(site_read_clause(user), Site.deleted_at.is_(None), Forum.deleted_at.is_(None))
    ).all()
    return {"pilot": sorted({r[0] for r in rows}), "forum": sorted({r[1] for r in rows})}


MEETINGS_IMPORTER = SimpleImporter(
    kind="meetings", spec=MEETINGS_SPEC, apply_fn=apply_meetings, choices_fn=meeting_choices,
    tables=("meeting", "meeting_attendance", "meeting_action"),
)
