"""Actors, forums and meetings: validation (all problems, nothing written), follow-up, scoping, frames."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from cooperation_model.systematicity import CADENCE_DAYS
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.errors import AccessDenied, ValidationError
from pilots.meetings import (
    CADENCES,
    ActionInput,
    FlowInput,
    MeetingInput,
    RatingInput,
    actors_frame,
    create_actor,
    create_forum,
    forums_frame,
    log_meeting,
    looks_like_person,
    meetings_count,
    meetings_frame,
    network_frames,
    open_actions,
    site_by_code,
)
from pilots.models import Meeting, MeetingAction, MeetingAttendance
from pilots.sites import add_site, create_pilot

PNR = "19811218-9876"  # Luhn-valid test personnummer


def _user(role: str, *, municipality: str | None = None, pilots: frozenset[int] = frozenset()) -> CurrentUser:
    return CurrentUser(
        id=7, username=f"{role}-7", role=role, municipality_code=municipality, pilot_ids=pilots
    )


@pytest.fixture
def site(session):
    pilot = create_pilot(
        session,
        SYSTEM_USER,
        slug="p1",
        name="Pilot 1",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    s = add_site(session, SYSTEM_USER, pilot, "2482")
    other_pilot = create_pilot(
        session,
        SYSTEM_USER,
        slug="p2",
        name="Pilot 2",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    other = add_site(session, SYSTEM_USER, other_pilot, "1880")
    ids = {}
    for name, sector in (("Socialtjänsten", "socialtjänst"), ("Skolan", "skola"), ("Polisen", "polis")):
        ids[name] = create_actor(session, SYSTEM_USER, s.id, name=name, sector=sector, level="operativ").id
    stranger = create_actor(
        session, SYSTEM_USER, other.id, name="Socialtjänsten Örebro", sector="socialtjänst", level="operativ"
    ).id
    forum = create_forum(
        session,
        SYSTEM_USER,
        s.id,
        name="Operativ grupp",
        level="operativ",
        cadence="manadsvis",
        purpose="Samordna",
        convener_actor_id=ids["Socialtjänsten"],
        documenter_actor_id=ids["Skolan"],
        member_ids=list(ids.values()),
    )
    return {"site": s, "pilot": pilot, "other": other, "actors": ids, "stranger": stranger, "forum": forum}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_coded_lists_match_the_analysis():
    assert set(CADENCES) == set(CADENCE_DAYS)


def test_log_meeting_writes_attendance_actions_and_follow_up(session, site):
    a = site["actors"]
    first = log_meeting(
        session,
        SYSTEM_USER,
        MeetingInput(
            forum_id=site["forum"].id,
            meeting_date=date(2025, 2, 3),
            attended=[a["Socialtjänsten"], a["Skolan"]],
            invited_absent=[a["Polisen"]],
            convened_by=a["Socialtjänsten"],
            purpose="Lägesbild",
            actions=[ActionInput("Boka lokal", a["Skolan"], date(2025, 2, 20))],
        ),
    )
    pending = open_actions(session, SYSTEM_USER, site["forum"].id)
    assert pending["description"].tolist() == ["Boka lokal"]
    second = log_meeting(
        session,
        SYSTEM_USER,
        MeetingInput(
            forum_id=site["forum"].id,
            meeting_date=date(2025, 3, 3),
            attended=[a["Skolan"], a["Polisen"]],
            followed_up_action_ids=pending["action_id"].tolist(),
            flows=[FlowInput(a["Skolan"], a["Socialtjänsten"], "referral")],
            ratings=[RatingInput(a["Polisen"], a["Skolan"], 3)],
        ),
    )
    action = session.scalar(select(MeetingAction))
    assert action.followed_up_at_meeting_id == second.id
    assert open_actions(session, SYSTEM_USER, site["forum"].id).empty
    f = network_frames(session, SYSTEM_USER, site["site"].id)
    assert sorted(f.meetings["meeting_id"]) == [first.id, second.id]
    assert len(f.attendance) == 5
    absent = f.attendance[~f.attendance["attended"]]
    assert absent[["meeting_id", "actor_id"]].values.tolist() == [[first.id, a["Polisen"]]]
    assert f.actions.iloc[0]["followed_up_at_meeting_id"] == second.id
    assert f.flows[["from_actor_id", "to_actor_id", "kind"]].values.tolist() == [
        [a["Skolan"], a["Socialtjänsten"], "referral"]
    ]
    assert f.ratings["level"].tolist() == [3]
    first_row = f.meetings.set_index("meeting_id").loc[first.id]
    assert first_row["convened_by"] == a["Socialtjänsten"] and first_row["documented_by"] is None
    # The window keeps only the March meeting and its attendance.
    march = network_frames(session, SYSTEM_USER, site["site"].id, date(2025, 3, 1), date(2025, 3, 31))
    assert march.meetings["meeting_id"].tolist() == [second.id]
    assert sorted(march.attendance["actor_id"]) == sorted([a["Skolan"], a["Polisen"]])
    listed = meetings_frame(session, SYSTEM_USER, site["site"].id)
    assert listed["n_attended"].tolist() == [2, 2] and listed["n_actions"].tolist() == [0, 1]


def test_every_bad_input_is_reported_and_nothing_written(session, site):
    a = site["actors"]
    with pytest.raises(ValidationError) as err:
        log_meeting(
            session,
            SYSTEM_USER,
            MeetingInput(
                forum_id=site["forum"].id,
                meeting_date=date(2026, 2, 1),
                attended=[a["Skolan"], site["stranger"]],
                decisions=f"Barnet {PNR} ska utredas",
                actions=[ActionInput("Ring", 999_999), ActionInput("Skriv", a["Skolan"], status="klar")],
            ),
        )
    text = str(err.value)
    wheres = {p.where for p in err.value.problems}
    assert {
        "meeting_date",
        "attended",
        "actions[1].owner_actor_id",
        "actions[2].status",
        "decisions",
    } <= wheres
    assert "2025-01-01–2025-12-31" in text
    assert str(site["stranger"]) in text
    assert _count(session, Meeting) == 0 and _count(session, MeetingAttendance) == 0


def test_same_meeting_twice_is_refused_naming_the_existing_one(session, site):
    a = site["actors"]
    data = MeetingInput(forum_id=site["forum"].id, meeting_date=date(2025, 5, 6), attended=[a["Skolan"]])
    first = log_meeting(session, SYSTEM_USER, data)
    with pytest.raises(ValidationError) as err:
        log_meeting(session, SYSTEM_USER, data)
    assert f"möte id {first.id}" in str(err.value) and "2025-05-06" in str(err.value)
    assert _count(session, Meeting) == 1


def test_follow_up_must_be_an_earlier_action_of_the_same_forum(session, site):
    a = site["actors"]
    log_meeting(
        session,
        SYSTEM_USER,
        MeetingInput(
            forum_id=site["forum"].id,
            meeting_date=date(2025, 5, 6),
            attended=[a["Skolan"]],
            actions=[ActionInput("Ring", a["Skolan"])],
        ),
    )
    action_id = session.scalar(select(MeetingAction.id))
    with pytest.raises(ValidationError, match="tidigare möte"):
        log_meeting(
            session,
            SYSTEM_USER,
            MeetingInput(
                forum_id=site["forum"].id,
                meeting_date=date(2025, 4, 1),
                attended=[a["Skolan"]],
                followed_up_action_ids=[action_id],
            ),
        )


def test_actor_and_forum_validation(session, site):
    s = site["site"].id
    with pytest.raises(ValidationError) as err:
        create_actor(session, SYSTEM_USER, s, name="Skolan", sector="skolor", level="hög")
    wheres = {p.where for p in err.value.problems}
    assert wheres == {"name", "sector", "level"}
    with pytest.raises(ValidationError, match="personnummer"):
        create_actor(session, SYSTEM_USER, s, name=f"Kurator {PNR}", sector="skola", level="operativ")
    with pytest.raises(ValidationError) as err:
        create_forum(
            session,
            SYSTEM_USER,
            s,
            name="Operativ  grupp",
            level="operativ",
            cadence="dagligen",
            convener_actor_id=site["stranger"],
            member_ids=[site["stranger"]],
        )
    wheres = {p.where for p in err.value.problems}
    assert wheres == {"name", "cadence", "convener_actor_id", "members"}
    forum = forums_frame(session, SYSTEM_USER, s).iloc[0]
    assert sorted(forum["member_ids"]) == sorted(site["actors"].values())


def test_person_shaped_names_are_flagged():
    assert looks_like_person("Anna Berg")
    assert looks_like_person("Karl-Erik Öberg")
    assert not looks_like_person("Socialtjänsten")
    assert not looks_like_person("Röda Korset")
    assert not looks_like_person("Rektor Norrskolan")


def test_scoping(session, site):
    a = site["actors"]
    log_meeting(
        session,
        SYSTEM_USER,
        MeetingInput(forum_id=site["forum"].id, meeting_date=date(2025, 5, 6), attended=[a["Skolan"]]),
    )
    outsider = _user("municipality", municipality="1880")
    with pytest.raises(AccessDenied):
        network_frames(session, outsider, site["site"].id)
    with pytest.raises(AccessDenied):
        network_frames(session, _user("presenter"), site["site"].id)
    reader = _user("municipality", municipality="2482")
    assert len(actors_frame(session, reader, site["site"].id)) == 3
    with pytest.raises(AccessDenied):
        log_meeting(
            session,
            reader,
            MeetingInput(forum_id=site["forum"].id, meeting_date=date(2025, 6, 6), attended=[a["Skolan"]]),
        )
    researcher = _user("researcher", pilots=frozenset({site["pilot"].id}))
    log_meeting(
        session,
        researcher,
        MeetingInput(forum_id=site["forum"].id, meeting_date=date(2025, 6, 6), attended=[a["Skolan"]]),
    )
    assert _count(session, Meeting) == 2


def test_site_by_code_requires_pilot_when_ambiguous(session, site):
    pilot3 = create_pilot(
        session,
        SYSTEM_USER,
        slug="p3",
        name="Pilot 3",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    add_site(session, SYSTEM_USER, pilot3, "2482")
    with pytest.raises(ValidationError, match="--pilot"):
        site_by_code(session, SYSTEM_USER, "2482")
    assert site_by_code(session, SYSTEM_USER, "2482", "p1").id == site["site"].id
    assert site_by_code(session, SYSTEM_USER, "1880").id == site["other"].id


def test_meeting_list_pages_newest_first_with_a_database_count(session, site):
    a = site["actors"]
    for month in range(1, 8):
        log_meeting(
            session,
            SYSTEM_USER,
            MeetingInput(
                forum_id=site["forum"].id,
                meeting_date=date(2025, month, 10),
                attended=[a["Socialtjänsten"], a["Skolan"]] if month % 2 else [a["Skolan"]],
            ),
        )
    site_id = site["site"].id
    assert meetings_count(session, SYSTEM_USER, site_id) == 7
    assert meetings_count(session, SYSTEM_USER, site_id, date(2025, 3, 1), date(2025, 4, 30)) == 2
    assert meetings_count(session, SYSTEM_USER, site["other"].id) == 0
    first = meetings_frame(session, SYSTEM_USER, site_id, limit=3)
    second = meetings_frame(session, SYSTEM_USER, site_id, limit=3, offset=3)
    assert [d.month for d in first["date"]] == [7, 6, 5]
    assert [d.month for d in second["date"]] == [4, 3, 2]
    assert first["n_attended"].tolist() == [2, 1, 2]  # counted per meeting on the page
    assert len(meetings_frame(session, SYSTEM_USER, site_id, limit=3, offset=6)) == 1
    with pytest.raises(AccessDenied):
        meetings_count(session, _user("municipality", municipality="1880"), site_id)
