"""Cooperation meetings: actors, forums, meetings with attendance, decisions, actions and follow-up; scoped queries.

Actors are organisations and functions at a site (never named private persons). A forum is a recurring
cooperation group at a site. ``log_meeting`` validates everything (forum, actors of the site, dates inside
the site's period, no second meeting of the same forum on the same date, no personal identity numbers)
and writes nothing unless all of it is right. ``network_frames`` returns the tables that
``cooperation_model.network`` and ``cooperation_model.systematicity`` expect, read with a few set-based
queries whatever the number of meetings.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from pilots.access import CurrentUser, require_site, site_read_clause
from pilots.codes import ACTION_STATUSES, CADENCES, FLOW_KINDS, LEVELS, RATING_LEVELS, SECTORS
from pilots.errors import NotFound, Problem, ValidationError
from pilots.models import (
    Actor,
    ActorFlow,
    ActorRating,
    Forum,
    ForumMember,
    Meeting,
    MeetingAction,
    MeetingAttendance,
    Pilot,
    Site,
)
from pilots.paging import page_of, row_count
from pilots.privacy import problems_in

SECTOR_LABELS: dict[str, tuple[str, str]] = {
    "socialtjänst": ("Socialtjänst", "Social services"),
    "skola": ("Skola", "School"),
    "förskola": ("Förskola", "Preschool"),
    "elevhälsa": ("Elevhälsa", "Pupil health"),
    "fritid": ("Fritid", "Leisure services"),
    "polis": ("Polis", "Police"),
    "bvc_mvc": ("BVC/MVC", "Child and maternal health care"),
    "halso_sjukvard": ("Annan hälso- och sjukvård", "Other health care"),
    "civilsamhalle": ("Civilsamhälle", "Civil society"),
    "trossamfund": ("Trossamfund", "Religious communities"),
    "migrationsverket": ("Migrationsverket", "Swedish Migration Agency"),
    "region": ("Region", "Region"),
    "ovrigt": ("Övrigt", "Other"),
}
LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "strategisk": ("Strategisk", "Strategic"),
    "operativ": ("Operativ", "Operational"),
    "arendeniva": ("Ärendenivå", "Case level"),
}
CADENCE_LABELS: dict[str, tuple[str, str]] = {
    "veckovis": ("Varje vecka", "Weekly"),
    "varannan_vecka": ("Varannan vecka", "Fortnightly"),
    "manadsvis": ("Varje månad", "Monthly"),
    "kvartalsvis": ("Varje kvartal", "Quarterly"),
}

# Words that mark an organisation or function; a name with none of them and the shape "Förnamn Efternamn"
# may be a private person.
_ORG_WORDS = re.compile(
    r"(tjänst|skola|förskola|hälsa|fritid|polis|bvc|mvc|kommun|region|förening|kyrka|kyrkan|församling|"
    r"moské|samfund|verket|myndighet|enhet|avdelning|förvaltning|center|centrum|råd|grupp|nätverk|"
    r"samordnare|chef|rektor|kurator|sköterska|psykolog|handläggare|polisen|röda|rädda|barnen|korset|"
    r"ideell|stiftelse|studieförbund|gård|klubb|\b(?:ab|hb|if|ik|fk|bk|ff)\b)",
    re.IGNORECASE,
)
_PERSON_SHAPE = re.compile(
    r"^[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖÉ][a-zåäöéü]+)?\s+[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖÉ][a-zåäöéü]+)?$"
)


def looks_like_person(name: str) -> bool:
    """True when ``name`` has the shape of a private person's name ("Anna Berg") and no organisation word."""
    text = (name or "").strip()
    return bool(_PERSON_SHAPE.match(text)) and not _ORG_WORDS.search(text)


def person_name_warning(name: str, lang: str = "sv") -> str | None:
    """A warning to show when an actor name looks like a person, else None."""
    if not looks_like_person(name):
        return None
    if lang == "en":
        return (
            f"'{name}' looks like a person's name. Actors are organisations or functions "
            "(e.g. 'Socialtjänsten, barn och unga'), never named persons."
        )
    return (
        f"'{name}' ser ut som ett personnamn. Aktörer är organisationer eller funktioner "
        "(t.ex. 'Socialtjänsten, barn och unga'), aldrig namngivna personer."
    )


@functools.lru_cache(maxsize=8192)
def _norm(name: str) -> str:
    """Name key for matching: trimmed, inner whitespace collapsed, case folded (cached: an import matches
    the same few actor names hundreds of thousands of times)."""
    return " ".join(str(name or "").split()).casefold()


def _choice_problem(value: Any, choices: Sequence[Any], where: str) -> list[Problem]:
    if value in choices:
        return []
    return [
        Problem(where, f"'{value}' är inte ett giltigt värde; välj ett av {', '.join(map(str, choices))}")
    ]


# --- sites ----------------------------------------------------------------------------------------


def site_by_code(
    session: Session, user: CurrentUser, municipality_code: str, pilot_slug: str | None = None
) -> Site:
    """The readable site of a municipality code; ``pilot_slug`` is required when the code is in several pilots."""
    stmt = (
        select(Site, Pilot.slug)
        .join(Pilot, Pilot.id == Site.pilot_id)
        .where(
            Site.municipality_code == str(municipality_code).strip(),
            Site.deleted_at.is_(None),
            Pilot.deleted_at.is_(None),
            site_read_clause(user),
        )
        .order_by(Pilot.slug)
    )
    if pilot_slug:
        stmt = stmt.where(Pilot.slug == pilot_slug)
    rows = session.execute(stmt).all()
    if not rows:
        within = f" i pilotprojektet {pilot_slug!r}" if pilot_slug else ""
        raise NotFound(f"Kommunkod {municipality_code} är ingen plats{within} som du kan se.")
    if len(rows) > 1:
        slugs = ", ".join(slug for _, slug in rows)
        raise ValidationError(
            Problem(
                "--pilot",
                f"kommunkod {municipality_code} är med i flera pilotprojekt ({slugs}); "
                f"ange vilket med --pilot (t.ex. --pilot {rows[0][1]})",
            )
        )
    return rows[0][0]


def site_period(session: Session, site: Site) -> tuple[date, date]:
    """The site's period, falling back to its pilot's."""
    pilot = session.get(Pilot, site.pilot_id)
    assert pilot is not None
    return site.start_date or pilot.start_date, site.end_date or pilot.end_date


# --- actors ---------------------------------------------------------------------------------------


def _site_actor_ids(session: Session, site_id: int) -> set[int]:
    return set(session.scalars(select(Actor.id).where(Actor.site_id == site_id, Actor.deleted_at.is_(None))))


def create_actor(
    session: Session,
    user: CurrentUser,
    site_id: int,
    *,
    name: str,
    sector: str,
    level: str,
    organisation: str = "",
) -> Actor:
    """Add an organisation or function as an actor at a site."""
    require_site(session, user, site_id, write=True)
    problems = _actor_problems(session, site_id, name, sector, level, organisation)
    if problems:
        raise ValidationError(problems)
    actor = Actor(
        site_id=site_id,
        name=" ".join(name.split()),
        organisation=organisation.strip(),
        sector=sector,
        level=level,
    )
    session.add(actor)
    session.flush()
    return actor


def _actor_problems(
    session: Session,
    site_id: int,
    name: str,
    sector: str,
    level: str,
    organisation: str,
    actor_id: int | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    if not (name or "").strip():
        problems.append(Problem("name", "namnet saknas; ange organisation eller funktion"))
    problems += _choice_problem(sector, SECTORS, "sector") + _choice_problem(level, LEVELS, "level")
    problems += problems_in([("name", name), ("organisation", organisation)])
    same = [
        a
        for a in session.execute(
            select(Actor.id, Actor.name).where(Actor.site_id == site_id, Actor.deleted_at.is_(None))
        )
        if _norm(a.name) == _norm(name) and a.id != actor_id
    ]
    if same:
        problems.append(Problem("name", f"aktören '{same[0].name}' finns redan på platsen (id {same[0].id})"))
    return problems


def update_actor(
    session: Session,
    user: CurrentUser,
    actor_id: int,
    *,
    name: str,
    sector: str,
    level: str,
    organisation: str = "",
) -> Actor:
    """Change an actor's name, organisation, sector or level."""
    actor = _get_live(session, Actor, actor_id, "aktör")
    require_site(session, user, actor.site_id, write=True)
    problems = _actor_problems(session, actor.site_id, name, sector, level, organisation, actor_id=actor.id)
    if problems:
        raise ValidationError(problems)
    actor.name, actor.organisation, actor.sector, actor.level = (
        " ".join(name.split()),
        organisation,
        sector,
        level,
    )
    session.flush()
    return actor


def _get_live(session: Session, model: Any, ident: int, what: str) -> Any:
    obj = session.get(model, ident)
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        raise NotFound(f"Det finns ingen {what} med id {ident}.")
    return obj


ACTOR_FRAME_COLUMNS = ["actor_id", "site_id", "name", "organisation", "sector", "level", "version"]


def actors_frame(session: Session, user: CurrentUser, site_id: int) -> pd.DataFrame:
    """The live actors of a site."""
    require_site(session, user, site_id)
    rows = session.execute(
        select(
            Actor.id, Actor.site_id, Actor.name, Actor.organisation, Actor.sector, Actor.level, Actor.version
        )
        .where(Actor.site_id == site_id, Actor.deleted_at.is_(None))
        .order_by(Actor.sector, Actor.name)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=ACTOR_FRAME_COLUMNS)


# --- forums ---------------------------------------------------------------------------------------


def _forum_problems(
    session: Session,
    site_id: int,
    values: dict[str, Any],
    member_ids: Iterable[int],
    forum_id: int | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    name = values.get("name") or ""
    if not name.strip():
        problems.append(Problem("name", "forumets namn saknas"))
    problems += _choice_problem(values.get("level"), LEVELS, "level")
    problems += _choice_problem(values.get("cadence"), CADENCES, "cadence")
    problems += problems_in([("name", name), ("purpose", values.get("purpose"))])
    actors = _site_actor_ids(session, site_id)
    for role in ("convener_actor_id", "documenter_actor_id", "follow_up_actor_id"):
        value = values.get(role)
        if value is not None and value not in actors:
            problems.append(Problem(role, f"aktör {value} är inte en aktör på platsen"))
    strangers = sorted(set(member_ids) - actors)
    if strangers:
        problems.append(
            Problem("members", f"aktör(er) {', '.join(map(str, strangers))} hör inte till platsen")
        )
    same = session.execute(
        select(Forum.id, Forum.name).where(Forum.site_id == site_id, Forum.deleted_at.is_(None))
    ).all()
    clash = [f for f in same if _norm(f.name) == _norm(name) and f.id != forum_id]
    if clash:
        problems.append(
            Problem("name", f"forumet '{clash[0].name}' finns redan på platsen (id {clash[0].id})")
        )
    return problems


def create_forum(
    session: Session,
    user: CurrentUser,
    site_id: int,
    *,
    name: str,
    level: str,
    cadence: str,
    purpose: str = "",
    convener_actor_id: int | None = None,
    documenter_actor_id: int | None = None,
    follow_up_actor_id: int | None = None,
    member_ids: Sequence[int] = (),
) -> Forum:
    """Add a recurring cooperation group at a site, with its roles and usual attendees."""
    require_site(session, user, site_id, write=True)
    values = {
        "name": name,
        "level": level,
        "cadence": cadence,
        "purpose": purpose,
        "convener_actor_id": convener_actor_id,
        "documenter_actor_id": documenter_actor_id,
        "follow_up_actor_id": follow_up_actor_id,
    }
    problems = _forum_problems(session, site_id, values, member_ids)
    if problems:
        raise ValidationError(problems)
    values["name"] = " ".join(name.split())
    forum = Forum(site_id=site_id, **values)
    session.add(forum)
    session.flush()
    _write_members(session, forum.id, member_ids)
    return forum


def update_forum(
    session: Session,
    user: CurrentUser,
    forum_id: int,
    *,
    name: str,
    level: str,
    cadence: str,
    purpose: str = "",
    convener_actor_id: int | None = None,
    documenter_actor_id: int | None = None,
    follow_up_actor_id: int | None = None,
    member_ids: Sequence[int] = (),
) -> Forum:
    """Change a forum's description, roles and usual attendees."""
    forum = _get_live(session, Forum, forum_id, "forum")
    require_site(session, user, forum.site_id, write=True)
    values = {
        "name": " ".join(name.split()),
        "level": level,
        "cadence": cadence,
        "purpose": purpose,
        "convener_actor_id": convener_actor_id,
        "documenter_actor_id": documenter_actor_id,
        "follow_up_actor_id": follow_up_actor_id,
    }
    problems = _forum_problems(session, forum.site_id, values, member_ids, forum_id=forum.id)
    if problems:
        raise ValidationError(problems)
    for key, value in values.items():
        setattr(forum, key, value)
    session.execute(delete(ForumMember).where(ForumMember.forum_id == forum.id))
    _write_members(session, forum.id, member_ids)
    session.flush()
    return forum


def _write_members(session: Session, forum_id: int, member_ids: Iterable[int]) -> None:
    rows = [{"forum_id": forum_id, "actor_id": int(a)} for a in sorted(set(member_ids))]
    if rows:
        session.execute(insert(ForumMember), rows)


FORUM_FRAME_COLUMNS = [
    "forum_id",
    "site_id",
    "name",
    "purpose",
    "level",
    "cadence",
    "convener_actor_id",
    "documenter_actor_id",
    "follow_up_actor_id",
    "member_ids",
    "version",
]


def forums_frame(session: Session, user: CurrentUser, site_id: int) -> pd.DataFrame:
    """The live forums of a site with their roles and usual attendees (member_ids, a list)."""
    require_site(session, user, site_id)
    forums = session.scalars(
        select(Forum).where(Forum.site_id == site_id, Forum.deleted_at.is_(None)).order_by(Forum.name)
    ).all()
    members: dict[int, list[int]] = {}
    for forum_id, actor_id in session.execute(
        select(ForumMember.forum_id, ForumMember.actor_id)
        .join(Forum, Forum.id == ForumMember.forum_id)
        .where(Forum.site_id == site_id)
        .order_by(ForumMember.actor_id)
    ):
        members.setdefault(forum_id, []).append(actor_id)
    rows = [
        {
            "forum_id": f.id,
            "site_id": f.site_id,
            "name": f.name,
            "purpose": f.purpose,
            "level": f.level,
            "cadence": f.cadence,
            "convener_actor_id": f.convener_actor_id,
            "documenter_actor_id": f.documenter_actor_id,
            "follow_up_actor_id": f.follow_up_actor_id,
            "member_ids": members.get(f.id, []),
            "version": f.version,
        }
        for f in forums
    ]
    return pd.DataFrame(rows, columns=FORUM_FRAME_COLUMNS)


# --- meetings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    """An action agreed at a meeting: what, which actor owns it, by when, and its status."""

    description: str
    owner_actor_id: int
    due_date: date | None = None
    status: str = "open"


@dataclass(frozen=True)
class FlowInput:
    """A directed information or referral flow between two actors (recorded at a meeting)."""

    from_actor_id: int
    to_actor_id: int
    kind: str = "referral"


@dataclass(frozen=True)
class RatingInput:
    """A pairwise rating on the Levels of Collaboration scale, 0 none … 5 collaboration."""

    actor_a_id: int
    actor_b_id: int
    level: int


@dataclass
class MeetingInput:
    """Everything ``log_meeting`` records for one meeting."""

    forum_id: int
    meeting_date: date
    attended: Sequence[int]
    invited_absent: Sequence[int] = ()
    convened_by: int | None = None
    documented_by: int | None = None
    purpose: str = ""
    agenda: str = ""
    decisions: str = ""
    notes: str = ""
    actions: Sequence[ActionInput] = ()
    followed_up_action_ids: Sequence[int] = ()
    flows: Sequence[FlowInput] = ()
    ratings: Sequence[RatingInput] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def existing_meeting(session: Session, forum_id: int, meeting_date: date) -> int | None:
    """Id of the live meeting of ``forum_id`` on ``meeting_date``, if there is one."""
    return session.scalar(
        select(Meeting.id).where(
            Meeting.forum_id == forum_id, Meeting.meeting_date == meeting_date, Meeting.deleted_at.is_(None)
        )
    )


def _meeting_problems(
    session: Session, forum: Forum, data: MeetingInput, period: tuple[date, date], actors: set[int]
) -> list[Problem]:
    problems: list[Problem] = []
    lo, hi = period
    if not isinstance(data.meeting_date, date):
        problems.append(Problem("meeting_date", f"'{data.meeting_date}' är inget datum; skriv ÅÅÅÅ-MM-DD"))
        return problems
    if not lo <= data.meeting_date <= hi:
        problems.append(
            Problem("meeting_date", f"mötet {data.meeting_date} ligger utanför platsens period {lo}–{hi}")
        )
    same = existing_meeting(session, forum.id, data.meeting_date)
    if same is not None:
        problems.append(
            Problem(
                "meeting_date",
                f"forumet '{forum.name}' har redan ett möte {data.meeting_date} "
                f"(möte id {same}); samma möte loggas inte två gånger",
            )
        )

    def strangers(ids: Iterable[int | None]) -> list[int]:
        return sorted({int(i) for i in ids if i is not None} - actors)

    for where, ids in (
        ("attended", data.attended),
        ("invited_absent", data.invited_absent),
        ("convened_by", [data.convened_by]),
        ("documented_by", [data.documented_by]),
    ):
        bad = strangers(ids)
        if bad:
            problems.append(
                Problem(where, f"aktör(er) {', '.join(map(str, bad))} hör inte till forumets plats")
            )
    both = sorted(set(data.attended) & set(data.invited_absent))
    if both:
        problems.append(
            Problem(
                "invited_absent", f"aktör(er) {', '.join(map(str, both))} är både närvarande och frånvarande"
            )
        )
    texts = [
        ("purpose", data.purpose),
        ("agenda", data.agenda),
        ("decisions", data.decisions),
        ("notes", data.notes),
    ]
    for i, action in enumerate(data.actions, start=1):
        where = f"actions[{i}]"
        if not (action.description or "").strip():
            problems.append(Problem(f"{where}.description", "beskrivningen saknas"))
        texts.append((f"{where}.description", action.description))
        if action.owner_actor_id not in actors:
            problems.append(
                Problem(
                    f"{where}.owner_actor_id",
                    f"ägaren (aktör {action.owner_actor_id}) är inte en aktör på platsen",
                )
            )
        problems += _choice_problem(action.status, ACTION_STATUSES, f"{where}.status")
    problems += problems_in(texts)
    if data.followed_up_action_ids:
        wanted = {int(a) for a in data.followed_up_action_ids}
        earlier = set(
            session.scalars(
                select(MeetingAction.id)
                .join(Meeting, Meeting.id == MeetingAction.meeting_id)
                .where(
                    MeetingAction.id.in_(sorted(wanted)),
                    MeetingAction.deleted_at.is_(None),
                    Meeting.forum_id == forum.id,
                    Meeting.deleted_at.is_(None),
                    Meeting.meeting_date < data.meeting_date,
                )
            )
        )
        if wanted - earlier:
            problems.append(
                Problem(
                    "followed_up_action_ids",
                    f"åtgärd(er) {', '.join(map(str, sorted(wanted - earlier)))} kommer inte från "
                    "ett tidigare möte i samma forum",
                )
            )
    for i, flow in enumerate(data.flows, start=1):
        problems += _choice_problem(flow.kind, FLOW_KINDS, f"flows[{i}].kind")
        bad = strangers([flow.from_actor_id, flow.to_actor_id])
        if bad:
            problems.append(
                Problem(f"flows[{i}]", f"aktör(er) {', '.join(map(str, bad))} hör inte till platsen")
            )
        if flow.from_actor_id == flow.to_actor_id:
            problems.append(Problem(f"flows[{i}]", "avsändare och mottagare är samma aktör"))
    for i, rating in enumerate(data.ratings, start=1):
        problems += _choice_problem(rating.level, RATING_LEVELS, f"ratings[{i}].level")
        bad = strangers([rating.actor_a_id, rating.actor_b_id])
        if bad:
            problems.append(
                Problem(f"ratings[{i}]", f"aktör(er) {', '.join(map(str, bad))} hör inte till platsen")
            )
        if rating.actor_a_id == rating.actor_b_id:
            problems.append(Problem(f"ratings[{i}]", "en aktör kan inte skatta samverkan med sig själv"))
    return problems


def log_meeting(session: Session, user: CurrentUser, data: MeetingInput) -> Meeting:
    """Record one meeting with its attendance, actions, follow-ups, flows and ratings; all or nothing.

    ``followed_up_action_ids`` are actions of earlier meetings of the same forum that were reviewed at
    this meeting; they are marked as followed up here (status unchanged unless it was set elsewhere).
    """
    forum = _get_live(session, Forum, data.forum_id, "forum")
    site = require_site(session, user, forum.site_id, write=True)
    period = site_period(session, site)
    actors = _site_actor_ids(session, site.id)
    problems = _meeting_problems(session, forum, data, period, actors)
    if problems:
        raise ValidationError(problems)
    meeting = Meeting(
        forum_id=forum.id,
        meeting_date=data.meeting_date,
        purpose=data.purpose.strip(),
        agenda=data.agenda.strip(),
        convened_by_actor_id=data.convened_by,
        documented_by_actor_id=data.documented_by,
        decisions=data.decisions.strip(),
        notes=data.notes.strip(),
    )
    session.add(meeting)
    session.flush()
    attendance = [
        {"meeting_id": meeting.id, "actor_id": int(a), "invited": True, "attended": True}
        for a in sorted(set(data.attended))
    ]
    attendance += [
        {"meeting_id": meeting.id, "actor_id": int(a), "invited": True, "attended": False}
        for a in sorted(set(data.invited_absent))
    ]
    if attendance:
        session.execute(insert(MeetingAttendance), attendance)
    for action in data.actions:
        session.add(
            MeetingAction(
                meeting_id=meeting.id,
                description=action.description.strip(),
                owner_actor_id=action.owner_actor_id,
                due_date=action.due_date,
                status=action.status,
            )
        )
    if data.followed_up_action_ids:
        for action_obj in session.scalars(
            select(MeetingAction).where(
                MeetingAction.id.in_(sorted({int(a) for a in data.followed_up_action_ids}))
            )
        ):
            action_obj.followed_up_at_meeting_id = meeting.id
    for flow in data.flows:
        session.add(
            ActorFlow(
                site_id=site.id,
                meeting_id=meeting.id,
                flow_date=data.meeting_date,
                from_actor_id=flow.from_actor_id,
                to_actor_id=flow.to_actor_id,
                kind=flow.kind,
            )
        )
    for rating in data.ratings:
        a, b = sorted((rating.actor_a_id, rating.actor_b_id))
        session.add(
            ActorRating(
                site_id=site.id,
                meeting_id=meeting.id,
                rated_on=data.meeting_date,
                actor_a_id=a,
                actor_b_id=b,
                level=int(rating.level),
            )
        )
    session.flush()
    return meeting


def set_action_status(session: Session, user: CurrentUser, action_id: int, status: str) -> MeetingAction:
    """Mark an action open, done or cancelled."""
    action = _get_live(session, MeetingAction, action_id, "åtgärd")
    meeting = _get_live(session, Meeting, action.meeting_id, "möte")
    forum = _get_live(session, Forum, meeting.forum_id, "forum")
    require_site(session, user, forum.site_id, write=True)
    if status not in ACTION_STATUSES:
        raise ValidationError(_choice_problem(status, ACTION_STATUSES, "status"))
    action.status = status
    session.flush()
    return action


def delete_meeting(session: Session, user: CurrentUser, meeting_id: int) -> None:
    """Soft-delete a meeting (an admin can restore it); its date becomes free for a corrected entry."""
    from pilots.models import utcnow

    meeting = _get_live(session, Meeting, meeting_id, "möte")
    forum = _get_live(session, Forum, meeting.forum_id, "forum")
    require_site(session, user, forum.site_id, write=True)
    meeting.deleted_at = utcnow()
    session.flush()


OPEN_ACTION_COLUMNS = [
    "action_id",
    "meeting_id",
    "meeting_date",
    "description",
    "owner_actor_id",
    "owner",
    "due_date",
    "status",
]


def open_actions(
    session: Session, user: CurrentUser, forum_id: int, before: date | None = None
) -> pd.DataFrame:
    """Actions of the forum's latest meeting before ``before`` that were not yet followed up (for the next meeting)."""
    forum = _get_live(session, Forum, forum_id, "forum")
    require_site(session, user, forum.site_id)
    last = select(func.max(Meeting.meeting_date)).where(
        Meeting.forum_id == forum_id, _live(Meeting.deleted_at)
    )
    if before is not None:
        last = last.where(Meeting.meeting_date < before)
    last_date = session.scalar(last)
    if last_date is None:
        return pd.DataFrame(columns=OPEN_ACTION_COLUMNS)
    rows = session.execute(
        select(
            MeetingAction.id,
            MeetingAction.meeting_id,
            Meeting.meeting_date,
            MeetingAction.description,
            MeetingAction.owner_actor_id,
            Actor.name,
            MeetingAction.due_date,
            MeetingAction.status,
        )
        .join(Meeting, Meeting.id == MeetingAction.meeting_id)
        .join(Actor, Actor.id == MeetingAction.owner_actor_id)
        .where(
            Meeting.forum_id == forum_id,
            Meeting.meeting_date == last_date,
            _live(Meeting.deleted_at),
            _live(MeetingAction.deleted_at),
            MeetingAction.followed_up_at_meeting_id.is_(None),
        )
        .order_by(MeetingAction.id)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=OPEN_ACTION_COLUMNS)


MEETING_LIST_COLUMNS = [
    "meeting_id",
    "forum_id",
    "forum",
    "date",
    "purpose",
    "convened_by",
    "documented_by",
    "decisions",
    "n_attended",
    "n_actions",
]


def meetings_frame(
    session: Session,
    user: CurrentUser,
    site_id: int,
    start: date | None = None,
    end: date | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """The site's live meetings, newest first, with forum name and counts of attendees and actions.

    ``limit`` and ``offset`` read one page; ``meetings_count`` gives the total.
    """
    require_site(session, user, site_id)
    # Correlated counts: the cost follows the rows read, not every attendance row in the country.
    attended = (
        select(func.count())
        .where(MeetingAttendance.meeting_id == Meeting.id, MeetingAttendance.attended.is_(True))
        .correlate(Meeting)
        .scalar_subquery()
    )
    actions = (
        select(func.count())
        .where(MeetingAction.meeting_id == Meeting.id, _live(MeetingAction.deleted_at))
        .correlate(Meeting)
        .scalar_subquery()
    )
    stmt = (
        select(
            Meeting.id,
            Meeting.forum_id,
            Forum.name,
            Meeting.meeting_date,
            Meeting.purpose,
            Meeting.convened_by_actor_id,
            Meeting.documented_by_actor_id,
            Meeting.decisions,
            attended,
            actions,
        )
        .join(Forum, Forum.id == Meeting.forum_id)
        .where(*_meeting_filters(site_id, start, end))
        .order_by(Meeting.meeting_date.desc(), Forum.name, Meeting.id.desc())
    )
    rows = session.execute(page_of(stmt, limit, offset))
    return pd.DataFrame([tuple(r) for r in rows], columns=MEETING_LIST_COLUMNS)


def meetings_count(
    session: Session, user: CurrentUser, site_id: int, start: date | None = None, end: date | None = None
) -> int:
    """How many live meetings the site has (in the period, when given), counted by the database."""
    require_site(session, user, site_id)
    stmt = select(Meeting.id).join(Forum, Forum.id == Meeting.forum_id).where(
        *_meeting_filters(site_id, start, end)
    )
    return row_count(session, stmt)


def _live(deleted_at: Any) -> Any:
    """``deleted_at IS NULL``, written so that SQLite does not choose the index on ``deleted_at``.

    Without planner statistics SQLite takes ``IS NULL`` on an indexed column for a selective match and
    walks every live meeting (or action) in the country instead of the site's forum index.
    """
    return func.coalesce(deleted_at, None).is_(None)


def _meeting_filters(site_id: int, start: date | None, end: date | None) -> list[Any]:
    clauses: list[Any] = [Forum.site_id == site_id, Forum.deleted_at.is_(None), _live(Meeting.deleted_at)]
    if start is not None:
        clauses.append(Meeting.meeting_date >= start)
    if end is not None:
        clauses.append(Meeting.meeting_date <= end)
    return clauses


# --- frames for the network analysis ----------------------------------------------------------------


@dataclass(frozen=True)
class NetworkFrames:
    """The tables cooperation_model.network and .systematicity take, for one site and window."""

    site_id: int
    actors: pd.DataFrame
    forums: pd.DataFrame
    meetings: pd.DataFrame
    attendance: pd.DataFrame
    actions: pd.DataFrame
    flows: pd.DataFrame
    ratings: pd.DataFrame


NF_ACTORS = ["actor_id", "name", "organisation", "sector", "level"]
NF_FORUMS = [
    "forum_id",
    "site_id",
    "name",
    "purpose",
    "level",
    "cadence",
    "convener_actor_id",
    "documenter_actor_id",
    "follow_up_actor_id",
]
NF_MEETINGS = [
    "meeting_id",
    "forum_id",
    "date",
    "purpose",
    "convened_by",
    "documented_by",
    "decisions",
    "agenda",
]
NF_ATTENDANCE = ["meeting_id", "actor_id", "invited", "attended"]
NF_ACTIONS = [
    "action_id",
    "meeting_id",
    "owner_actor_id",
    "due_date",
    "status",
    "followed_up_at_meeting_id",
    "description",
]
NF_FLOWS = ["meeting_id", "date", "from_actor_id", "to_actor_id", "kind"]
NF_RATINGS = ["date", "actor_a", "actor_b", "level"]


def _typed(
    actors: pd.DataFrame, meetings: pd.DataFrame, attendance: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The column types the analysis expects, whichever reader (and driver) gave the rows: meeting dates as
    datetime64, attendance flags as booleans, and an empty organisation as "not stated" (None), so it is
    left out of node attributes and every export format agrees."""
    actors["organisation"] = actors["organisation"].map(lambda v: v if isinstance(v, str) and v.strip() else None)
    meetings["date"] = pd.to_datetime(meetings["date"])
    attendance["invited"] = attendance["invited"].astype(bool)
    attendance["attended"] = attendance["attended"].astype(bool)
    return actors, meetings, attendance


def _driver_frame(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    """Like ``_frame`` for hundreds of thousands of plain rows: the driver's own tuples, without
    SQLAlchemy's per-row processing. Values come as the driver gives them (SQLite: dates as ISO text,
    booleans as 0/1): callers convert date and boolean columns."""
    result = session.connection().execute(stmt)
    try:
        return pd.DataFrame(result.cursor.fetchall(), columns=columns)
    finally:
        result.close()


def _frame(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    # Plain column reads: the Core result on the session's connection (no ORM row processing).
    return pd.DataFrame([tuple(r) for r in session.connection().execute(stmt)], columns=columns)


def _nullable_ids(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Id columns that may be empty as objects holding int or None (not floats)."""
    for column in columns:
        frame[column] = pd.Series(
            [None if pd.isna(v) else int(v) for v in frame[column]], index=frame.index, dtype=object
        )
    return frame


def network_frames(
    session: Session, user: CurrentUser, site_id: int, start: date | None = None, end: date | None = None
) -> NetworkFrames:
    """The site's actors, forums, meetings in [start, end], their attendance and actions, flows and ratings.

    Seven set-based queries (joins and filters on site and dates), however many meetings there are.
    Dates are datetime64; the window applies to meetings (and through them attendance and actions), to
    flows by flow date and ratings by rating date. Actors and forums are all live ones of the site.
    """
    require_site(session, user, site_id)
    actors = _frame(
        session,
        select(Actor.id, Actor.name, Actor.organisation, Actor.sector, Actor.level)
        .where(Actor.site_id == site_id, Actor.deleted_at.is_(None))
        .order_by(Actor.id),
        NF_ACTORS,
    )
    forums = _frame(
        session,
        select(
            Forum.id,
            Forum.site_id,
            Forum.name,
            Forum.purpose,
            Forum.level,
            Forum.cadence,
            Forum.convener_actor_id,
            Forum.documenter_actor_id,
            Forum.follow_up_actor_id,
        )
        .where(Forum.site_id == site_id, Forum.deleted_at.is_(None))
        .order_by(Forum.id),
        NF_FORUMS,
    )
    window = _meeting_filters(site_id, start, end)
    meetings = _frame(
        session,
        select(
            Meeting.id,
            Meeting.forum_id,
            Meeting.meeting_date,
            Meeting.purpose,
            Meeting.convened_by_actor_id,
            Meeting.documented_by_actor_id,
            Meeting.decisions,
            Meeting.agenda,
        )
        .join(Forum, Forum.id == Meeting.forum_id)
        .where(*window)
        .order_by(Meeting.meeting_date, Meeting.id),
        NF_MEETINGS,
    )
    attendance = _frame(
        session,
        select(
            MeetingAttendance.meeting_id,
            MeetingAttendance.actor_id,
            MeetingAttendance.invited,
            MeetingAttendance.attended,
        )
        .join(Meeting, Meeting.id == MeetingAttendance.meeting_id)
        .join(Forum, Forum.id == Meeting.forum_id)
        .where(*window)
        .order_by(MeetingAttendance.meeting_id, MeetingAttendance.actor_id),
        NF_ATTENDANCE,
    )
    actions = _frame(
        session,
        select(
            MeetingAction.id,
            MeetingAction.meeting_id,
            MeetingAction.owner_actor_id,
            MeetingAction.due_date,
            MeetingAction.status,
            MeetingAction.followed_up_at_meeting_id,
            MeetingAction.description,
        )
        .join(Meeting, Meeting.id == MeetingAction.meeting_id)
        .join(Forum, Forum.id == Meeting.forum_id)
        .where(*window, _live(MeetingAction.deleted_at))
        .order_by(MeetingAction.id),
        NF_ACTIONS,
    )
    flow_stmt = (
        select(
            ActorFlow.meeting_id,
            ActorFlow.flow_date,
            ActorFlow.from_actor_id,
            ActorFlow.to_actor_id,
            ActorFlow.kind,
        )
        .where(ActorFlow.site_id == site_id)
        .order_by(ActorFlow.id)
    )
    rating_stmt = (
        select(ActorRating.rated_on, ActorRating.actor_a_id, ActorRating.actor_b_id, ActorRating.level)
        .where(ActorRating.site_id == site_id)
        .order_by(ActorRating.id)
    )
    if start is not None:
        flow_stmt = flow_stmt.where(ActorFlow.flow_date >= start)
        rating_stmt = rating_stmt.where(ActorRating.rated_on >= start)
    if end is not None:
        flow_stmt = flow_stmt.where(ActorFlow.flow_date <= end)
        rating_stmt = rating_stmt.where(ActorRating.rated_on <= end)
    flows = _frame(session, flow_stmt, NF_FLOWS)
    ratings = _frame(session, rating_stmt, NF_RATINGS)

    actors, meetings, attendance = _typed(actors, meetings, attendance)
    forums = _nullable_ids(forums, ["convener_actor_id", "documenter_actor_id", "follow_up_actor_id"])
    meetings = _nullable_ids(meetings, ["convened_by", "documented_by"])
    actions = _nullable_ids(actions, ["followed_up_at_meeting_id"])
    flows = _nullable_ids(flows, ["meeting_id"])
    actions["due_date"] = pd.to_datetime(actions["due_date"])
    flows["date"] = pd.to_datetime(flows["date"])
    ratings["date"] = pd.to_datetime(ratings["date"])
    return NetworkFrames(site_id, actors, forums, meetings, attendance, actions, flows, ratings)


def attendance_frames(
    session: Session, user: CurrentUser, site_id: int, start: date | None = None, end: date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Only what co-attendance metrics need: the site's actors, its meetings in [start, end] (meeting_id,
    forum_id, date) and their attendance; three set-based queries, no text columns (see network_frames)."""
    require_site(session, user, site_id)
    actors = _frame(session, select(Actor.id, Actor.name, Actor.organisation, Actor.sector, Actor.level)
                    .where(Actor.site_id == site_id, Actor.deleted_at.is_(None)).order_by(Actor.id), NF_ACTORS)
    window = _meeting_filters(site_id, start, end)
    meetings = _frame(session, select(Meeting.id, Meeting.forum_id, Meeting.meeting_date)
                      .join(Forum, Forum.id == Meeting.forum_id).where(*window)
                      .order_by(Meeting.meeting_date, Meeting.id), ["meeting_id", "forum_id", "date"])
    attendance = _frame(session, select(MeetingAttendance.meeting_id, MeetingAttendance.actor_id,
                                        MeetingAttendance.invited, MeetingAttendance.attended)
                        .join(Meeting, Meeting.id == MeetingAttendance.meeting_id)
                        .join(Forum, Forum.id == Meeting.forum_id).where(*window)
                        .order_by(MeetingAttendance.meeting_id, MeetingAttendance.actor_id), NF_ATTENDANCE)
    return _typed(actors, meetings, attendance)


def sites_attendance_frames(
    session: Session, user: CurrentUser, pilot_id: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``attendance_frames`` for every site ``user`` may read (of one pilot, or all), in three set-based
    queries: actors (with ``site_id``), meetings (meeting_id, forum_id, site_id, date) and attendance.
    Each site's meetings are those in its own period (all when the site has no period)."""
    from pilots.access import site_read_clause

    readable = [Site.deleted_at.is_(None), site_read_clause(user)]
    if pilot_id is not None:
        readable.append(Site.pilot_id == pilot_id)
    in_period = or_(Site.start_date.is_(None), Meeting.meeting_date >= Site.start_date)
    until_end = or_(Site.end_date.is_(None), Meeting.meeting_date <= Site.end_date)
    live = [Forum.deleted_at.is_(None), _live(Meeting.deleted_at), in_period, until_end, *readable]
    actors = _frame(session, select(Actor.id, Actor.name, Actor.organisation, Actor.sector, Actor.level, Actor.site_id)
                    .join(Site, Site.id == Actor.site_id)
                    .where(Actor.deleted_at.is_(None), *readable).order_by(Actor.id), [*NF_ACTORS, "site_id"])
    meetings = _driver_frame(session, select(Meeting.id, Meeting.forum_id, Forum.site_id, Meeting.meeting_date)
                      .join(Forum, Forum.id == Meeting.forum_id).join(Site, Site.id == Forum.site_id)
                      .where(*live).order_by(Meeting.meeting_date, Meeting.id),
                      ["meeting_id", "forum_id", "site_id", "date"])
    attendance = _driver_frame(session, select(MeetingAttendance.meeting_id, MeetingAttendance.actor_id,
                                        MeetingAttendance.invited, MeetingAttendance.attended)
                        .join(Meeting, Meeting.id == MeetingAttendance.meeting_id)
                        .join(Forum, Forum.id == Meeting.forum_id).join(Site, Site.id == Forum.site_id)
                        .where(*live), NF_ATTENDANCE)
    return _typed(actors, meetings, attendance)


__all__ = [
    "ACTION_STATUSES",
    "CADENCES",
    "FLOW_KINDS",
    "LEVELS",
    "RATING_LEVELS",
    "SECTORS",
    "ActionInput",
    "FlowInput",
    "MeetingInput",
    "NetworkFrames",
    "RatingInput",
    "actors_frame",
    "attendance_frames",
    "create_actor",
    "create_forum",
    "delete_meeting",
    "existing_meeting",
    "forums_frame",
    "log_meeting",
    "looks_like_person",
    "meetings_count",
    "meetings_frame",
    "network_frames",
    "open_actions",
    "person_name_warning",
    "set_action_status",
    "site_by_code",
    "site_period",
    "sites_attendance_frames",
    "update_actor",
    "update_forum",
]
