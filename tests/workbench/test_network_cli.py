"""`workbench network ...` and `workbench forums ...` on a small logged database (CliRunner)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from cooperation_model.graph_export import read_graph
from pilots import db
from pilots.access import SYSTEM_USER
from pilots.maintenance import prepare_database
from pilots.meetings import MeetingInput, create_actor, create_forum, log_meeting
from pilots.sites import add_site, create_pilot
from workbench.cli import cli


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'wb.db'}"
    monkeypatch.setenv(db.ENV_URL, url)
    engine = db.make_engine(url)
    prepare_database(engine)
    with db.session_scope(engine, user=SYSTEM_USER) as session:
        p1 = create_pilot(
            session,
            SYSTEM_USER,
            slug="tv",
            name="TryggVäxt",
            purpose="",
            start_date=date(2025, 1, 1),
            end_date=date(2025, 12, 31),
        )
        site = add_site(session, SYSTEM_USER, p1, "2482")
        p2 = create_pilot(
            session,
            SYSTEM_USER,
            slug="bra",
            name="Brå",
            purpose="",
            start_date=date(2025, 1, 1),
            end_date=date(2025, 12, 31),
        )
        add_site(session, SYSTEM_USER, p2, "1880")
        add_site(session, SYSTEM_USER, p2, "2482")
        a = create_actor(
            session, SYSTEM_USER, site.id, name="Socialtjänsten", sector="socialtjänst", level="operativ"
        ).id
        b = create_actor(
            session, SYSTEM_USER, site.id, name="Skolan Åsen", sector="skola", level="operativ"
        ).id
        c = create_actor(session, SYSTEM_USER, site.id, name="Polisen", sector="polis", level="operativ").id
        forum = create_forum(
            session,
            SYSTEM_USER,
            site.id,
            name="Operativ grupp",
            level="operativ",
            cadence="manadsvis",
            purpose="Samordna",
        )
        log_meeting(
            session,
            SYSTEM_USER,
            MeetingInput(
                forum.id,
                date(2025, 1, 14),
                attended=[a, b, c],
                convened_by=a,
                documented_by=b,
                purpose="x",
                decisions="y",
            ),
        )
        log_meeting(session, SYSTEM_USER, MeetingInput(forum.id, date(2025, 4, 8), attended=[a, b]))
    engine.dispose()
    db._ENGINES.clear()
    yield url
    db._ENGINES.clear()


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_ambiguous_site_asks_for_pilot(database):
    result = run("network", "metrics", "--site", "2482")
    assert result.exit_code == 1
    assert "--pilot" in result.output and "bra, tv" in result.output


def test_metrics_json(database):
    result = run("network", "metrics", "--site", "2482", "--pilot", "tv", "--format", "json")
    assert result.exit_code == 0, result.output
    values = {row["metric"]: row["value"] for row in json.loads(result.output)}
    assert values["n_actors"] == 3 and values["n_edges"] == 3 and values["density"] == 1.0
    assert values["n_meetings"] == 2


def test_metrics_window_and_period(database):
    result = run(
        "network",
        "metrics",
        "--site",
        "2482",
        "--pilot",
        "tv",
        "--from",
        "2025-04-01",
        "--to",
        "2025-06-30",
        "--format",
        "json",
    )
    values = {row["metric"]: row["value"] for row in json.loads(result.output)}
    assert values["n_actors"] == 2 and values["n_edges"] == 1
    result = run(
        "network", "metrics", "--site", "2482", "--pilot", "tv", "--by-period", "quarter", "--format", "csv"
    )
    lines = result.output.splitlines()
    assert lines[0].startswith("period,period_start,n_meetings,n_actors,n_edges")
    assert [line.split(",")[:5] for line in lines[1:]] == [
        ["2025Q1", "2025-01-01", "1", "3", "3"],
        ["2025Q2", "2025-04-01", "1", "2", "1"],
    ]


def test_trends_list_every_site_by_quarter_with_its_municipality(database):
    result = run("network", "trends", "--pilot", "tv", "--by-period", "quarter", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("municipality_code,municipality_name,period,period_start,n_meetings,n_actors")
    assert [line.split(",")[:6] for line in lines[1:]] == [
        ["2482", "Skellefteå", "2025Q1", "2025-01-01", "1", "3"],
        ["2482", "Skellefteå", "2025Q2", "2025-04-01", "1", "2"],
    ]


def test_export_gexf_opens_with_attributes(database, tmp_path):
    out = tmp_path / "nät.gexf"
    result = run(
        "network", "export", "--site", "2482", "--pilot", "tv", "--format", "gexf", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    G = read_graph(out, "gexf")
    assert sorted(d["name"] for _, d in G.nodes(data=True)) == ["Polisen", "Skolan Åsen", "Socialtjänsten"]
    assert sorted(w for *_, w in G.edges(data="weight")) == [1, 1, 2]


def test_forums_commands(database):
    result = run("forums", "list", "--site", "2482", "--pilot", "tv", "--format", "csv")
    assert "Operativ grupp" in result.output
    result = run("forums", "systematicity", "--site", "2482", "--pilot", "tv", "--format", "json")
    row = json.loads(result.output)[0]
    assert row["n_meetings"] == 2 and row["share_documenter"] == 0.5
    result = run(
        "forums", "systematicity", "--site", "2482", "--pilot", "tv", "--evidence", "--format", "csv"
    )
    # The April meeting states nothing: no purpose, convener, documenter or decisions.
    assert sorted(line.split(",")[4] for line in result.output.splitlines()[1:]) == [
        "convener",
        "decisions",
        "documenter",
        "purpose",
    ]


def test_bad_dates_are_clear(database):
    result = run(
        "network", "metrics", "--site", "2482", "--pilot", "tv", "--from", "2025-06-01", "--to", "2025-01-01"
    )
    assert result.exit_code == 1 and "2025-06-01" in result.output
    result = run("network", "metrics", "--site", "9999")
    assert result.exit_code == 1 and "9999" in result.output
