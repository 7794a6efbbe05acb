"""A tiny logged site: graphs, metrics and systematicity read from the database equal values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from cooperation_model.graph_export import read_graph, write_graph
from cooperation_model.site_network import (
    site_metrics_by_period,
    site_network,
    site_systematicity,
    site_systematicity_evidence,
)
from pilots.access import SYSTEM_USER
from pilots.errors import ValidationError
from pilots.meetings import ActionInput, FlowInput, MeetingInput, create_actor, create_forum, log_meeting
from pilots.sites import add_site, create_pilot


@pytest.fixture
def logged(session):
    """Actors A (socialtjänst), B (skola), C (polis), D (fritid, never attends); one monthly forum.

    M1 2025-01-10: A, B, C attend, D invited but absent; convened A, documented B, purpose, decisions;
                   action owned by B.
    M2 2025-02-10: A, B; convened A, no documenter, no purpose, decisions; B's action followed up;
                   B refers to A.
    M3 2025-04-15: A, C; no convener, no documenter, purpose, no decisions.
    """
    pilot = create_pilot(
        session,
        SYSTEM_USER,
        slug="tv",
        name="TryggVäxt",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    site = add_site(session, SYSTEM_USER, pilot, "2482")
    ids = {}
    for key, name, sector in (
        ("A", "Socialtjänsten", "socialtjänst"),
        ("B", "Skolan Älvdal", "skola"),
        ("C", "Polisen", "polis"),
        ("D", "Fritidsgården", "fritid"),
    ):
        ids[key] = create_actor(session, SYSTEM_USER, site.id, name=name, sector=sector, level="operativ").id
    forum = create_forum(
        session,
        SYSTEM_USER,
        site.id,
        name="Operativ grupp",
        level="operativ",
        cadence="manadsvis",
        convener_actor_id=ids["A"],
    )
    m1 = log_meeting(
        session,
        SYSTEM_USER,
        MeetingInput(
            forum.id,
            date(2025, 1, 10),
            attended=[ids["A"], ids["B"], ids["C"]],
            invited_absent=[ids["D"]],
            convened_by=ids["A"],
            documented_by=ids["B"],
            purpose="Lägesbild",
            decisions="Träffar i vår",
            actions=[ActionInput("Boka lokal", ids["B"])],
        ),
    )
    m2 = log_meeting(
        session,
        SYSTEM_USER,
        MeetingInput(
            forum.id,
            date(2025, 2, 10),
            attended=[ids["A"], ids["B"]],
            convened_by=ids["A"],
            decisions="Klart",
            followed_up_action_ids=[_action_id(session)],
            flows=[FlowInput(ids["B"], ids["A"], "referral")],
        ),
    )
    m3 = log_meeting(
        session,
        SYSTEM_USER,
        MeetingInput(forum.id, date(2025, 4, 15), attended=[ids["A"], ids["C"]], purpose="Uppföljning"),
    )
    return {"site": site, "ids": ids, "forum": forum, "meetings": (m1.id, m2.id, m3.id)}


def _action_id(session) -> int:
    from sqlalchemy import select

    from pilots.models import MeetingAction

    return session.scalar(select(MeetingAction.id))


def test_whole_year_network(session, logged):
    a, b, c = (logged["ids"][k] for k in "ABC")
    net = site_network(session, SYSTEM_USER, logged["site"].id)
    G = net.co_attendance
    assert {frozenset(e): w for *e, w in [(u, v, d["weight"]) for u, v, d in G.edges(data=True)]} == {
        frozenset({a, b}): 2,
        frozenset({a, c}): 2,
        frozenset({b, c}): 1,
    }
    assert G.nodes[b] == {"name": "Skolan Älvdal", "sector": "skola", "level": "operativ"}
    assert net.metrics["n_actors"] == 3 and net.metrics["density"] == 1.0
    assert net.metrics["degree_centralisation"] == 0.0
    assert net.metrics["n_meetings"] == 3
    assert net.bipartite.number_of_edges() == 3 + 2 + 2
    flows = {(u, v): (d["referral"], d["actions"]) for u, v, d in net.flows.edges(data=True)}
    assert flows == {(b, a): (1, 0), (a, b): (0, 1)}  # B refers to A; A (convener of M1) hands B an action


def test_window_february_to_april_makes_a_a_broker(session, logged):
    a, b, c = (logged["ids"][k] for k in "ABC")
    net = site_network(session, SYSTEM_USER, logged["site"].id, date(2025, 2, 1), date(2025, 4, 30))
    assert sorted(tuple(sorted(e)) for e in net.co_attendance.edges()) == sorted(
        [tuple(sorted((a, b))), tuple(sorted((a, c)))]
    )
    assert net.metrics["density"] == pytest.approx(2 / 3)
    assert net.metrics["degree_centralisation"] == pytest.approx(1.0)  # (0 + 1 + 1) / ((3-1)(3-2))
    row = net.actors.set_index("actor_id").loc[a]
    assert row["betweenness"] == pytest.approx(1.0) and row["brokerage"] == pytest.approx(1.0)
    assert set(net.ego(b).nodes) == {a, b}
    with pytest.raises(ValidationError):
        site_network(session, SYSTEM_USER, logged["site"].id, date(2025, 5, 1), date(2025, 4, 1))


def test_metrics_by_quarter(session, logged):
    frame = site_metrics_by_period(session, SYSTEM_USER, logged["site"].id, "quarter")
    rows = frame.set_index("period")
    assert list(rows.index) == ["2025Q1", "2025Q2"]
    assert rows.loc["2025Q1", ["n_meetings", "n_actors", "n_edges"]].tolist() == [2, 3, 3]
    assert rows.loc["2025Q2", ["n_meetings", "n_actors", "n_edges"]].tolist() == [1, 2, 1]
    assert rows.loc["2025Q2", "share_socialtjänst"] == 0.5 and rows.loc["2025Q2", "share_skola"] == 0.0


def test_systematicity_from_the_database(session, logged):
    m1, m2, m3 = logged["meetings"]
    table = site_systematicity(session, SYSTEM_USER, logged["site"].id, date(2025, 1, 1), date(2025, 4, 30))
    row = table.iloc[0]
    assert row["n_meetings"] == 3
    assert row["share_purpose"] == pytest.approx(2 / 3)
    assert row["share_convener"] == pytest.approx(2 / 3)
    assert row["share_documenter"] == pytest.approx(1 / 3)
    assert row["share_decisions"] == pytest.approx(2 / 3)
    assert row["share_followed_up"] == 1.0
    # Gaps 31 and 64 days against 1.5 × 30.4375: one of two on time. Coverage 3 / (120 / 30.4375).
    regularity = (0.5 + 3 / (120 / 30.4375)) / 2
    assert row["regularity"] == pytest.approx(regularity)
    expected_score = (regularity + 2 / 3 + 2 / 3 + 1 / 3 + 2 / 3 + 1.0) / 6
    assert row["score"] == pytest.approx(expected_score)
    assert row["classification"] == "delvis systematisk"
    assert row["convener"] == "Socialtjänsten" and row["documenter"] is None
    evidence = site_systematicity_evidence(
        session, SYSTEM_USER, logged["site"].id, date(2025, 1, 1), date(2025, 4, 30)
    )
    lacking = sorted(zip(evidence["meeting_id"], evidence["missing"], strict=True))
    assert lacking == sorted(
        [(m2, "purpose"), (m2, "documenter"), (m3, "convener"), (m3, "documenter"), (m3, "decisions")]
    )
    assert set(evidence["forum"]) == {"Operativ grupp"}


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
def test_export_loads_back_identical(session, logged, tmp_path, fmt):
    for kind in ("co_attendance", "flows"):
        G = site_network(session, SYSTEM_USER, logged["site"].id).graph(kind)
        path = write_graph(G, tmp_path / f"{kind}.{fmt}", fmt)
        H = read_graph(path, fmt)
        assert sorted(H.nodes(data=True)) == sorted(G.nodes(data=True))
        assert H.is_directed() == G.is_directed()
        norm = (lambda e: (e[0], e[1])) if G.is_directed() else (lambda e: tuple(sorted(e[:2])))
        assert {norm(e): e[2] for e in H.edges(data=True)} == {norm(e): e[2] for e in G.edges(data=True)}


def test_all_sites_metrics_by_period_equal_each_sites_own_and_respect_scoping(session, logged):
    from cooperation_model.site_network import sites_metrics_by_period
    from pilots.access import CurrentUser

    other_pilot = create_pilot(session, SYSTEM_USER, slug="bra", name="Brå", purpose="",
                               start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    other = add_site(session, SYSTEM_USER, other_pilot, "1880")
    a = create_actor(session, SYSTEM_USER, other.id, name="Polisen Örebro", sector="polis", level="operativ").id
    b = create_actor(session, SYSTEM_USER, other.id, name="Skolan", sector="skola", level="operativ").id
    forum = create_forum(session, SYSTEM_USER, other.id, name="Grupp", level="operativ", cadence="manadsvis")
    log_meeting(session, SYSTEM_USER, MeetingInput(forum_id=forum.id, meeting_date=date(2025, 5, 5), attended=[a, b]))

    every = sites_metrics_by_period(session, SYSTEM_USER, "quarter")
    assert sorted(every["site_id"].unique()) == sorted([logged["site"].id, other.id])
    for site_id in (logged["site"].id, other.id):
        own = site_metrics_by_period(session, SYSTEM_USER, site_id, "quarter").set_index("period")
        mine = every[every["site_id"] == site_id].set_index("period").loc[own.index]
        for column in ("n_meetings", "n_actors", "n_edges", "density"):
            assert mine[column].tolist() == pytest.approx(own[column].tolist(), nan_ok=True), column
    orebro = CurrentUser(id=9, username="orebro", role="municipality", municipality_code="1880")
    assert set(sites_metrics_by_period(session, orebro, "quarter")["site_id"]) == {other.id}
