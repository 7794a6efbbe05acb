"""Adopting the model at a site (forum templates, baseline round, record) and following its fidelity."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from cooperation_model.adoption import adopt_model, fidelity_table, model_fidelity
from cooperation_model.model import model_to_json, synthesise_model
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.errors import AccessDenied, ValidationError
from pilots.models import AssessmentRound, Forum, ModelAdoption
from pilots.sites import add_site, create_pilot
from tests.cooperation_model.model_evidence import sample_evidence

MODEL = {"forums": [{"name": "Operativ grupp", "level": "operativ", "cadence": "manadsvis"}]}


def _site(session):
    pilot = create_pilot(
        session,
        SYSTEM_USER,
        slug="ny",
        name="Ny kommun",
        purpose="",
        start_date=date(2025, 1, 1),
        end_date=date(2026, 12, 31),
    )
    return pilot, add_site(session, SYSTEM_USER, pilot, "2403")


def test_adopting_creates_forum_templates_a_baseline_round_and_the_record(session) -> None:
    _, site = _site(session)
    text = model_to_json(synthesise_model(sample_evidence()))
    adoption = adopt_model(session, SYSTEM_USER, site.id, text, today=date(2025, 3, 1))
    forums = session.scalars(select(Forum).where(Forum.site_id == site.id).order_by(Forum.name)).all()
    assert [(f.level, f.cadence) for f in forums] == [
        ("operativ", "manadsvis"),
        ("strategisk", "kvartalsvis"),
    ]
    assert all("Roller att namnge" in f.purpose for f in forums)
    rounds = session.scalars(select(AssessmentRound).where(AssessmentRound.site_id == site.id)).all()
    assert len(rounds) == 1 and rounds[0].label.startswith("Baslinje")
    stored = session.scalars(select(ModelAdoption).where(ModelAdoption.site_id == site.id)).one()
    assert stored.model_fingerprint == json.loads(text)["fingerprint"] == adoption.model_fingerprint
    # adopting again keeps the forums that already exist
    adopt_model(session, SYSTEM_USER, site.id, text, today=date(2025, 4, 1))
    assert len(session.scalars(select(Forum).where(Forum.site_id == site.id)).all()) == 2


def test_adoption_refuses_readers_and_bad_templates(session) -> None:
    pilot, site = _site(session)
    mfof = CurrentUser(id=9, username="mfof", role="mfof")
    with pytest.raises(AccessDenied):
        adopt_model(session, mfof, site.id, json.dumps({"schema_version": "1.0", **MODEL}))
    bad = {"schema_version": "1.0", "forums": [{"name": "X", "level": "galaxnivå", "cadence": "manadsvis"}]}
    with pytest.raises(ValidationError) as err:
        adopt_model(session, SYSTEM_USER, site.id, json.dumps(bad), source="m.json")
    assert err.value.problems[0].where == "m.json: forums[0].level"


def test_fidelity_per_quarter_judges_model_forums_at_the_model_cadence() -> None:
    forums = pd.DataFrame(
        [
            {
                "forum_id": 1,
                "site_id": 1,
                "name": "operativ GRUPP",
                "purpose": "p",
                "level": "operativ",
                "cadence": "kvartalsvis",
                "convener_actor_id": 1,
                "documenter_actor_id": None,
                "follow_up_actor_id": None,
            },
            {
                "forum_id": 2,
                "site_id": 1,
                "name": "Annat",
                "purpose": "",
                "level": "operativ",
                "cadence": "manadsvis",
                "convener_actor_id": None,
                "documenter_actor_id": None,
                "follow_up_actor_id": None,
            },
        ]
    )
    # monthly meetings in Q1 (the model's cadence), none in Q2
    meetings = pd.DataFrame(
        [
            {
                "meeting_id": i,
                "forum_id": 1,
                "date": pd.Timestamp(2025, m, 10),
                "purpose": "p",
                "convened_by": 1,
                "documented_by": None,
                "decisions": "d" if m < 3 else "",
                "agenda": "",
            }
            for i, m in enumerate((1, 2, 3), start=1)
        ]
    )
    attendance = pd.DataFrame(columns=["meeting_id", "actor_id", "invited", "attended"])
    actions = pd.DataFrame(
        columns=[
            "action_id",
            "meeting_id",
            "owner_actor_id",
            "due_date",
            "status",
            "followed_up_at_meeting_id",
            "description",
        ]
    )
    table = fidelity_table(
        {"forums": MODEL["forums"]},
        forums,
        meetings,
        attendance,
        actions,
        date(2025, 1, 1),
        date(2025, 6, 30),
    )
    assert list(table["quarter"]) == ["2025Q1", "2025Q2"]
    q1, q2 = table.to_dict("records")
    assert q1["n_model_forums"] == 1 and q1["n_forums_met"] == 1
    assert q1["share_at_cadence"] == 1.0  # three monthly meetings in a quarter
    assert q1["share_roles_named"] == pytest.approx(1 / 3)  # convener only
    assert q1["share_decisions"] == pytest.approx(2 / 3)
    assert q2["n_forums_met"] == 0 and pd.isna(q2["share_decisions"])


def test_fidelity_is_empty_before_adoption(session) -> None:
    _, site = _site(session)
    assert model_fidelity(session, SYSTEM_USER, site.id).empty
