"""Site measures through the database: scoping, small-n refusal, the dashboard and the CLI."""

from __future__ import annotations

import math
from datetime import date

import pytest
from click.testing import CliRunner

from cooperation_model.dashboard import apply_filters, dashboard_frame, pilots_overview
from cooperation_model.measures import compare_measure, group_summary, measure_catalogue, site_measures
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.models import Forum, Meeting, Milestone, Municipality, Phase
from pilots.sites import add_site, create_pilot

TODAY = date(2025, 6, 30)
# code -> (population, SKR group 2017): three sites of 50 000–200 000, two of 15 000–50 000
PLACES = {
    "2482": (76542, "C6"),
    "1880": (159348, "B3"),
    "2281": (99213, "B3"),
    "2480": (30000, "B4"),
    "1281": (40000, "B4"),
}
MEETINGS = {"2482": 4, "1880": 2, "2281": 0, "2480": 1, "1281": 3}


@pytest.fixture
def small_db(session):
    pilot = create_pilot(
        session,
        SYSTEM_USER,
        slug="p",
        name="Pilot P",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    ids = {}
    for code, (population, group) in PLACES.items():
        m = session.get(Municipality, code)
        m.population, m.skr_group_2017_code = population, group
        site = add_site(session, SYSTEM_USER, pilot, code)
        ids[code] = site.id
        forum = Forum(site_id=site.id, name="Styrgrupp", level="strategisk", cadence="manadsvis")
        session.add(forum)
        session.flush()
        for i in range(MEETINGS[code]):
            # one meeting in early February, the rest in June (within 90 days of TODAY)
            session.add(
                Meeting(forum_id=forum.id, meeting_date=date(2025, 2, 3) if i == 0 else date(2025, 6, 2 + i))
            )
    session.add(
        Phase(site_id=ids["2482"], name="Bygga strukturer", position=1, actual_start=date(2025, 3, 1))
    )
    session.add(Milestone(site_id=ids["2482"], name="Kartläggning klar", planned_date=date(2025, 4, 1)))
    session.add(
        Milestone(
            site_id=ids["2482"],
            name="Beslut",
            planned_date=date(2025, 5, 1),
            actual_date=date(2025, 5, 2),
            status="done",
        )
    )
    session.flush()
    return pilot, ids


def test_measures_count_meetings_per_site(session, small_db):
    _, ids = small_db
    frame = site_measures(session, SYSTEM_USER, today=TODAY).set_index("municipality_code")
    assert frame.loc["2482", "meeting_count"] == 4
    assert frame.loc["2482", "meetings_last_90_days"] == 3  # February is more than 90 days before 30 June
    assert frame.loc["2281", "meetings_last_90_days"] == 0
    assert frame.loc["2482", "size_class"] == "50k-200k" and frame.loc["2480", "size_class"] == "15k-50k"
    catalogue = measure_catalogue(site_measures(session, SYSTEM_USER, today=TODAY))
    assert {"meeting_count", "meetings_last_90_days"} <= set(catalogue["key"])
    assert all(catalogue["provenance"].str.len() > 0)


def test_comparison_refuses_groups_below_five_and_names_the_empty_ones(session, small_db):
    frame = site_measures(session, SYSTEM_USER, today=TODAY)
    result = compare_measure(frame, "meeting_count", "size_class")
    assert result.status == "too_few"
    assert math.isnan(result.test.p_value)
    groups = result.groups.set_index("group")
    assert groups.loc["50k-200k", "n"] == 3 and groups.loc["15k-50k", "n"] == 2
    assert groups.loc["50k-200k", "median"] == 2  # 4, 2, 0
    assert groups.loc["lt15k", "note"] == "tom grupp" and groups.loc["gt200k", "n"] == 0
    assert math.isnan(groups.loc["50k-200k", "ci_low"])  # no interval when too few
    assert len(result.points) == 5  # every site is a point


def test_municipality_user_sees_only_its_own_site_and_presenter_none(session, small_db):
    own = CurrentUser(id=3, username="k", role="municipality", municipality_code="2482")
    frame = site_measures(session, own, today=TODAY)
    assert frame["municipality_code"].tolist() == ["2482"]
    presenter = CurrentUser(id=4, username="p", role="presenter")
    assert site_measures(session, presenter).empty
    assert dashboard_frame(session, presenter).empty
    table, rule = group_summary(session, presenter, "meeting_count", "size_class")
    # 3 and 2 sites: both under 5, so neither count nor median is shown
    assert table["n"].tolist() == ["..", ".."] and table["median"].tolist() == ["..", ".."]
    assert "Antal under 5" in rule


def test_dashboard_overview_on_a_hand_built_database(session, small_db):
    overview = dashboard_frame(session, SYSTEM_USER, today=TODAY).set_index("municipality_code")
    assert overview.loc["2482", "phase"] == "Bygga strukturer"
    assert overview.loc["2482", "overdue_milestones"] == 1  # April passed undone; May done
    assert overview.loc["1880", "overdue_milestones"] == 0
    assert overview.loc["2482", "meetings_last_90_days"] == 3
    per_pilot = pilots_overview(overview.reset_index()).iloc[0]
    assert per_pilot["sites"] == 5 and per_pilot["meetings_last_90_days"] == 3 + 1 + 0 + 0 + 2
    only_b3 = apply_filters(overview.reset_index(), {"skr_groups": ["B3"]})
    assert sorted(only_b3["municipality_code"]) == ["1880", "2281"]


def test_cli_compare_and_survey_summary(engine, session, small_db, monkeypatch):
    if engine.dialect.name != "sqlite":
        pytest.skip("the CLI test reads the SQLite file")
    session.commit()
    from pilots import db
    from workbench.cli import cli

    monkeypatch.setenv("WORKBENCH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    db.dispose_engines()
    runner = CliRunner()
    result = runner.invoke(
        cli, ["compare", "--measure", "meeting_count", "--by", "size_class", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert "50k-200k" in result.output and "tom grupp" in result.output
    assert "För få för att jämföra" in result.output  # message on stderr, mixed into output by CliRunner

    csv = (
        "kommunkod;verksamhet;beslut;rutiner_forebyggande;kartlaggning_3ar;utbildningsplan;samordnare;"
        "rutiner_samverkan\n2482;förskola;ja;;;;;\n1880;grundskola;nej;;;;;\n"
    )
    path = engine.url.database.rsplit("/", 1)[0] + "/enkat-2022.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(csv)
    from pilots.importing import run_import
    from pilots.survey_store import SURVEY_IMPORTER

    with db.session_scope(engine, user=SYSTEM_USER, face="cli") as s:
        run_import(s, SYSTEM_USER, SURVEY_IMPORTER, open(path, "rb").read(), "enkat-2022.csv")
    result = runner.invoke(cli, ["survey", "summary", "--by", "skr_group_2017", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = lines[0].split(",")
    rows = {line.split(",")[header.index("group")]: line.split(",") for line in lines[1:]}
    c6 = rows["C6"]
    assert c6[header.index("beslut_num")] == "1" and c6[header.index("beslut_den")] == "1"
    b3 = rows["B3"]  # Örebro answered nej, Sundsvall did not answer
    assert b3[header.index("response_num")] == "1" and b3[header.index("response_den")] == "2"
    assert b3[header.index("beslut_num")] == "0" and b3[header.index("beslut_den")] == "1"
    assert "okänd" in rows  # the 285 municipalities without an SKR group are kept, not dropped
    assert rows["okänd"][header.index("response_den")] == "285"
