"""Meetings import: a coordinator's file is read, checked in full and written in bulk, or refused with row/column."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from pilots.access import SYSTEM_USER
from pilots.errors import ValidationError
from pilots.importing import run_import
from pilots.meetings import ActionInput, MeetingInput, create_actor, create_forum, log_meeting
from pilots.meetings_import import MEETINGS_IMPORTER, parse_actions, split_names
from pilots.models import AuditEvent, Meeting, MeetingAction, MeetingAttendance
from pilots.sites import add_site, create_pilot

HEADER = [
    "Kommunkod",
    "Forum",
    "Datum",
    "Syfte",
    "Sammankallande",
    "Dokumenterande",
    "Deltagare",
    "Inbjudna ej närvarande",
    "Beslut",
    "Åtgärder",
    "Föregående uppföljda",
]


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    """A semicolon CSV as Excel saves it: cells holding ';' are quoted."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows: list[list[str]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def site(session):
    pilot = create_pilot(
        session,
        SYSTEM_USER,
        slug="tv",
        name="TryggVäxt",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    s = add_site(session, SYSTEM_USER, pilot, "2482")
    ids = {}
    for name, sector in (
        ("Socialtjänsten, förebyggande", "socialtjänst"),
        ("Elevhälsan", "elevhälsa"),
        ("Polisen", "polis"),
        ("Fritidsgården Möjligheten", "fritid"),
    ):
        ids[name] = create_actor(session, SYSTEM_USER, s.id, name=name, sector=sector, level="operativ").id
    forum = create_forum(
        session,
        SYSTEM_USER,
        s.id,
        name="TryggVäxt operativ grupp",
        level="operativ",
        cadence="varannan_vecka",
    )
    return {"site": s, "actors": ids, "forum": forum}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_helpers_split_names_and_actions():
    assert split_names(" A ; B;;\nC ") == ["A", "B", "C"]
    assert parse_actions("Elevhälsan: boka lokal (klart 2025-04-01); Polisen: lägesbild") == [
        ("Elevhälsan", "boka lokal", "2025-04-01"),
        ("Polisen", "lägesbild", None),
    ]
    with pytest.raises(ValueError, match="saknar ägare"):
        parse_actions("bara text")


def test_real_world_file_is_imported_with_follow_up(session, site):
    a = site["actors"]
    rows = [
        [
            "2482",
            "TryggVäxt operativ grupp",
            "2025-03-04",
            "Lägesbild",
            "Socialtjänsten, förebyggande",
            "Elevhälsan",
            "Socialtjänsten, förebyggande; elevhälsan ;Polisen",
            "Fritidsgården Möjligheten",
            "Två föräldraträffar",
            "Elevhälsan: boka lokal (klart 2025-03-15)\nPolisen: ta fram lägesbild",
            "nej",
        ],
        [
            "2482",
            "tryggväxt operativ grupp",
            "2025-03-18",
            "Uppföljning",
            "Socialtjänsten, förebyggande",
            "",
            "Socialtjänsten, förebyggande;Elevhälsan",
            "",
            "",
            "",
            "ja",
        ],
    ]
    result = run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _xlsx(rows), "moten.xlsx")
    assert result.created == 2
    meetings = session.scalars(select(Meeting).order_by(Meeting.meeting_date)).all()
    assert [m.meeting_date for m in meetings] == [date(2025, 3, 4), date(2025, 3, 18)]
    assert meetings[0].convened_by_actor_id == a["Socialtjänsten, förebyggande"]
    assert meetings[0].documented_by_actor_id == a["Elevhälsan"]
    assert meetings[1].documented_by_actor_id is None
    attendance = session.execute(
        select(MeetingAttendance.actor_id, MeetingAttendance.attended).where(
            MeetingAttendance.meeting_id == meetings[0].id
        )
    ).all()
    assert sorted(attendance) == sorted(
        [
            (a["Socialtjänsten, förebyggande"], True),
            (a["Elevhälsan"], True),
            (a["Polisen"], True),
            (a["Fritidsgården Möjligheten"], False),
        ]
    )
    actions = session.scalars(select(MeetingAction).order_by(MeetingAction.id)).all()
    assert [(x.owner_actor_id, x.description, x.due_date) for x in actions] == [
        (a["Elevhälsan"], "boka lokal", date(2025, 3, 15)),
        (a["Polisen"], "ta fram lägesbild", None),
    ]
    # "ja" on the second row: the first meeting's two actions were followed up there.
    assert {x.followed_up_at_meeting_id for x in actions} == {meetings[1].id}
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity == "meetings", AuditEvent.action == "import")
        )
        == 1
    )


def test_follow_up_of_a_meeting_already_in_the_database(session, site):
    a = site["actors"]
    log_meeting(
        session,
        SYSTEM_USER,
        MeetingInput(
            forum_id=site["forum"].id,
            meeting_date=date(2025, 2, 4),
            attended=[a["Polisen"]],
            actions=[ActionInput("Ring skolan", a["Polisen"])],
        ),
    )
    rows = [["2482", "TryggVäxt operativ grupp", "2025-02-18", "", "", "", "Polisen", "", "", "", "ja"]]
    run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv(rows), "m.csv")
    new_id = session.scalar(select(Meeting.id).where(Meeting.meeting_date == date(2025, 2, 18)))
    assert session.scalar(select(MeetingAction.followed_up_at_meeting_id)) == new_id


def test_every_problem_is_named_by_row_and_column_and_nothing_written(session, site):
    log_meeting(
        session,
        SYSTEM_USER,
        MeetingInput(
            forum_id=site["forum"].id, meeting_date=date(2025, 5, 6), attended=[site["actors"]["Polisen"]]
        ),
    )
    f = "TryggVäxt operativ grupp"
    rows = [
        ["2482", "Styrgruppen", "2025-04-01", "", "", "", "Polisen", "", "", "", ""],  # row 2: unknown forum
        ["2482", f, "2026-04-01", "", "", "", "Polisen", "", "", "", ""],  # row 3: outside the period
        [
            "2482",
            f,
            "2025-04-15",
            "",
            "Okänd aktör",
            "",
            "Polisen; Kalle",
            "",
            "",
            "Rektorn: ring",
            "",
        ],  # row 4
        ["2482", f, "2025-05-06", "", "", "", "Polisen", "", "", "", ""],  # row 5: already logged
        ["9999", f, "2025-04-22", "", "", "", "Polisen", "", "", "", ""],  # row 6: no such site
    ]
    # A personal identity number is refused when the file is read, before any database check.
    with pytest.raises(ValidationError) as err:
        run_import(
            session,
            SYSTEM_USER,
            MEETINGS_IMPORTER,
            _csv(
                [*rows, ["2482", f, "2025-04-29", "", "", "", "Polisen", "", "Utred 19811218-9876", "", ""]]
            ),
            "moten.csv",
        )
    assert "moten.csv, rad 7, kolumn Beslut" in str(err.value) and "personnummer" in str(err.value)
    with pytest.raises(ValidationError) as err:
        run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv(rows), "moten.csv")
    text = str(err.value)
    assert "moten.csv, rad 2, kolumn forum" in text and "Styrgruppen" in text
    assert "rad 3, kolumn datum" in text and "2025-01-01–2025-12-31" in text
    assert "rad 4, kolumn sammankallande" in text and "'Okänd aktör'" in text
    assert "rad 4, kolumn deltagare" in text and "'Kalle'" in text
    assert "rad 4, kolumn atgarder" in text and "'Rektorn'" in text
    assert "rad 5, kolumn datum" in text and "möte id" in text
    assert "rad 6, kolumn kommunkod" in text
    assert _count(session, Meeting) == 1 and _count(session, MeetingAttendance) == 1


def test_ambiguous_municipality_needs_the_pilot_column(session, site):
    other = create_pilot(
        session,
        SYSTEM_USER,
        slug="bra",
        name="Brå",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    add_site(session, SYSTEM_USER, other, "2482")
    row = ["2482", "TryggVäxt operativ grupp", "2025-04-01", "", "", "", "Polisen", "", "", "", ""]
    with pytest.raises(ValidationError, match="kolumn pilot"):
        run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv([row]), "m.csv")
    with_pilot = _csv([["tv", *row]], header=["Pilot", *HEADER])
    assert run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, with_pilot, "m.csv").created == 1


def test_same_meeting_twice_in_one_file(session, site):
    rows = [
        ["2482", "TryggVäxt operativ grupp", "2025-04-01", "", "", "", "Polisen", "", "", "", ""],
        ["2482", "TRYGGVÄXT OPERATIV GRUPP", "2025-04-01", "", "", "", "Elevhälsan", "", "", "", ""],
    ]
    with pytest.raises(ValidationError, match="rad 3, kolumn datum.*rad 2"):
        run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv(rows), "m.csv")
    assert _count(session, Meeting) == 0


def _problems(err: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(p.where, p.message) for p in err.value.problems]


def test_a_repeated_attendance_list_with_a_personal_identity_number_is_refused_on_every_row(session, site):
    f = "TryggVäxt operativ grupp"
    listed = "Polisen; Elevhälsan 19811218-9876"
    rows = [
        ["2482", f, "2025-04-01", "", "", "", listed, "", "", "", ""],
        ["2482", f, "2025-04-08", "", "", "", "Polisen", "", "", "", ""],
        ["2482", f, "2025-04-15", "", "", "", listed, listed, "", "", ""],
    ]
    with pytest.raises(ValidationError) as err:
        run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv(rows), "m.csv")
    assert [where for where, message in _problems(err) if "personnummer" in message] == [
        "m.csv, rad 2, kolumn Deltagare",
        "m.csv, rad 4, kolumn Deltagare",
        "m.csv, rad 4, kolumn Inbjudna ej närvarande",
    ]
    assert _count(session, Meeting) == 0


def test_repeated_bad_values_are_reported_on_every_row_they_stand_on(session, site):
    f = "TryggVäxt operativ grupp"
    both = "Polisen; Elevhälsan"
    rows = [
        ["2482", f, "2025-04-01", "", "Kalle", "", "Polisen; Kalle", "", "", "Rektorn: ring (klart 2025-13-01)", ""],
        ["2482", f, "2025-04-08", "", "", "", both, "Elevhälsan", "", "bara text; Polisen: ring", ""],
        ["2482", f, "2025-04-15", "", "Kalle", "", "Polisen; Kalle", "", "", "Rektorn: ring (klart 2025-13-01)", ""],
        ["2482", f, "2025-04-22", "", "", "", both, "Elevhälsan", "", "bara text; Polisen: ring", ""],
        ["2482", f, "2025-04-29", "", both, "", both, "", "", "", ""],
    ]
    unknown = "; lägg till dem i arbetsbänken eller rätta stavningen"
    with pytest.raises(ValidationError) as err:
        run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv(rows), "m.csv")
    per_row = [
        ("m.csv, rad {n}, kolumn deltagare", "okänd(a) aktör(er) på platsen: 'Kalle'" + unknown),
        ("m.csv, rad {n}, kolumn sammankallande", "okänd(a) aktör(er) på platsen: 'Kalle'" + unknown),
        ("m.csv, rad {n}, kolumn atgarder", "okänd(a) aktör(er) på platsen: 'Rektorn'" + unknown),
        ("m.csv, rad {n}, kolumn atgarder", "'2025-13-01' är inget datum; skriv ÅÅÅÅ-MM-DD"),
    ]
    absent = [
        ("m.csv, rad {n}, kolumn inbjudna_ej_narvarande", "samma aktör står både som närvarande och frånvarande"),
        ("m.csv, rad {n}, kolumn atgarder",
         "'bara text' saknar ägare; skriv 'Ägaraktör: vad ska göras (klart ÅÅÅÅ-MM-DD)'"),
    ]
    # A convener is one actor: a cell naming two is not split, even where the same text is an attendance list.
    one_convener = [("m.csv, rad 6, kolumn sammankallande", f"okänd(a) aktör(er) på platsen: '{both}'" + unknown)]
    expected = [(w.format(n=n), m) for n, group in ((2, per_row), (3, absent), (4, per_row), (5, absent))
                for w, m in group]
    assert _problems(err) == expected + one_convener


def test_the_same_attendance_list_is_matched_at_each_site_on_its_own(session, site):
    from pilots.models import Pilot

    pilot = session.get(Pilot, site["site"].pilot_id)
    other = add_site(session, SYSTEM_USER, pilot, "0180")
    create_actor(session, SYSTEM_USER, other.id, name="Polisen", sector="polis", level="operativ")
    create_forum(session, SYSTEM_USER, other.id, name="TryggVäxt operativ grupp", level="operativ",
                 cadence="varannan_vecka")
    f = "TryggVäxt operativ grupp"
    rows = [
        ["2482", f, "2025-04-01", "", "", "", "Polisen; Elevhälsan", "", "", "Elevhälsan: ring", ""],
        ["0180", f, "2025-04-01", "", "", "", "Polisen; Elevhälsan", "", "", "Elevhälsan: ring", ""],
    ]
    with pytest.raises(ValidationError) as err:
        run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv(rows), "m.csv")
    assert [where for where, _ in _problems(err)] == ["m.csv, rad 3, kolumn deltagare", "m.csv, rad 3, kolumn atgarder"]
    result = run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv(rows[:1] + [
        ["0180", f, "2025-04-01", "", "", "", "Polisen", "", "", "Polisen: ring", ""]]), "m.csv")
    assert result.created == 2
    assert _count(session, MeetingAttendance) == 3 and _count(session, MeetingAction) == 2


def test_an_import_pauses_the_cycle_collector_only_while_it_runs(session, site, monkeypatch):
    import gc

    from pilots import importing

    seen = []
    original = importing.read_import_file

    def reading(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "read_import_file", reading)
    row = ["2482", "TryggVäxt operativ grupp", "2025-04-01", "", "", "", "Polisen", "", "", "", ""]
    assert gc.isenabled()
    assert run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv([row]), "m.csv").created == 1
    with pytest.raises(ValidationError):  # a refused file resumes it too
        run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv([row]), "m.csv")
    assert seen == [False, False] and gc.isenabled()
    gc.disable()  # a caller that paused it itself keeps it paused
    try:
        run_import(session, SYSTEM_USER, MEETINGS_IMPORTER, _csv([[*row[:2], "2025-04-08", *row[3:]]]), "m.csv")
        assert not gc.isenabled()
    finally:
        gc.enable()
