"""Phases, milestones and the timeline states a researcher reads off the timeline view."""

from __future__ import annotations

from datetime import date

import pytest

from pilots.access import SYSTEM_USER
from pilots.errors import AccessDenied, ValidationError
from pilots.importing import run_import
from pilots.models import Milestone, Phase
from pilots.plans import MILESTONES_IMPORTER, add_milestone, milestone_state, timeline_frame, timeline_summary
from tests.pilots.records_helpers import count, researcher, setup_pilot

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize(
    ("planned", "actual", "status", "expected"),
    [
        (date(2025, 5, 1), date(2025, 5, 20), "planned", "done"),  # an actual date means done, even if late
        (date(2025, 5, 1), None, "done", "done"),
        (date(2025, 6, 14), None, "in_progress", "late"),  # yesterday, not done
        (date(2025, 6, 15), None, "in_progress", "on_time"),  # due today, started
        (date(2025, 9, 1), None, "planned", "upcoming"),
        (date(2025, 1, 1), None, "cancelled", "cancelled"),
    ],
)
def test_milestone_state(planned: date, actual: date | None, status: str, expected: str) -> None:
    assert milestone_state(planned, actual, status, TODAY) == expected


def test_timeline_frame_states_and_delays(session) -> None:
    _, site, _ = setup_pilot(session)
    add_milestone(session, SYSTEM_USER, site, "Kartläggning klar", date(2025, 3, 31), actual_date=date(2025, 4, 10),
                  today=TODAY)
    add_milestone(session, SYSTEM_USER, site, "Beslut i styrgrupp", date(2025, 5, 31), today=TODAY)
    add_milestone(session, SYSTEM_USER, site, "Föräldraträffar", date(2025, 10, 1), today=TODAY)
    frame = timeline_frame(session, SYSTEM_USER, site_id=site, today=TODAY)
    by_name = frame.set_index("name")
    assert by_name.loc["Kartläggning klar", "state"] == "done"
    assert by_name.loc["Kartläggning klar", "delay_days"] == 10
    assert by_name.loc["Beslut i styrgrupp", "state"] == "late"
    assert by_name.loc["Beslut i styrgrupp", "delay_days"] == 15  # 31 May → 15 June
    assert by_name.loc["Föräldraträffar", "state"] == "upcoming"
    summary = timeline_summary(frame).iloc[0]
    assert (summary["done"], summary["late"], summary["upcoming"]) == (1, 1, 1)


def test_milestone_outside_site_period_is_refused(session) -> None:
    _, site, _ = setup_pilot(session)  # Skellefteå starts 1 March
    with pytest.raises(ValidationError, match="utanför platsens period"):
        add_milestone(session, SYSTEM_USER, site, "Tidigt", date(2025, 2, 1), today=TODAY)


def test_researcher_not_assigned_cannot_write(session) -> None:
    pilot, site, _ = setup_pilot(session)
    with pytest.raises(AccessDenied):
        add_milestone(session, researcher(pilot + 99), site, "X", date(2025, 4, 1), today=TODAY)
    add_milestone(session, researcher(pilot), site, "X", date(2025, 4, 1), today=TODAY)


def test_milestone_import_creates_phases_and_updates_on_reimport(session) -> None:
    setup_pilot(session)
    text = ("pilot;kommunkod;fas;milstolpe;planerat_datum;faktiskt_datum;status\r\n"
            "tryggvaxt;2482;Kartläggning;Kartläggning klar;2025-03-31;2025-04-02;klar\r\n"
            "tryggvaxt;2482;Kartläggning;Enkät skickad;2025-04-15;;pågår\r\n")
    result = run_import(session, SYSTEM_USER, MILESTONES_IMPORTER, text.encode("cp1252"), "plan.csv")
    assert (result.created, result.updated) == (2, 0)
    assert count(session, Phase) == 1
    again = run_import(session, SYSTEM_USER, MILESTONES_IMPORTER, text.replace("pågår", "klar").encode("cp1252"),
                       "plan.csv")
    assert (again.created, again.updated) == (0, 2)


def test_milestone_import_lists_every_problem_and_writes_nothing(session) -> None:
    setup_pilot(session)
    text = ("pilot;kommunkod;milstolpe;planerat_datum\n"
            "tryggvaxt;2482;Före start;2025-02-01\n"  # before the site's period
            "tryggvaxt;0180;Fel kommun;2025-04-01\n"  # not a site of the pilot
            "okand;2482;Fel pilot;2025-04-01\n"
            "tryggvaxt;2482;Bra rad;2025-04-01\n")
    with pytest.raises(ValidationError) as err:
        run_import(session, SYSTEM_USER, MILESTONES_IMPORTER, text.encode(), "plan.csv")
    wheres = [p.where for p in err.value.problems]
    assert wheres == ["plan.csv, rad 2, kolumn planerat_datum", "plan.csv, rad 3, kolumn kommunkod",
                      "plan.csv, rad 4, kolumn pilot"]
    assert count(session, Milestone) == 0
