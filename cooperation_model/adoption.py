"""A municipality adopts the cooperation model (forum templates, a baseline round) and follows its fidelity over time."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cooperation_model.model import model_fingerprint, read_model_json
from cooperation_model.systematicity import forum_systematicity
from pilots.access import CurrentUser, require_site
from pilots.errors import NotFound, Problem, ValidationError
from pilots.models import Forum, ModelAdoption

BASELINE_INSTRUMENT = "samverkan-systematik"
BASELINE_LABEL = "Baslinje (samverkansmodellen)"
CADENCE_SHARE = 0.75
"""A forum meets at the model cadence in a quarter when its regularity there is at least this."""

FIDELITY_COLUMNS = [
    "quarter",
    "start",
    "end",
    "n_model_forums",
    "n_forums_met",
    "share_at_cadence",
    "share_roles_named",
    "share_decisions",
    "share_followed_up",
]


def _role_text(roles: dict[str, Any]) -> str:
    return "; ".join(str(v) for _, v in sorted(roles.items()))


def adopt_model(
    session: Session,
    user: CurrentUser,
    site_id: int,
    model_json: str | dict[str, Any],
    *,
    today: date | None = None,
    source: str = "model.json",
) -> ModelAdoption:
    """Adopt a model file at a site: create its forum templates and a baseline round; record the adoption.

    Forums already at the site with a template's name are kept as they are. The baseline round is
    created on the systematicity instrument when the instruments package provides rounds.
    """
    from pilots.meetings import create_forum

    require_site(session, user, site_id, write=True)
    text = model_json if isinstance(model_json, str) else json.dumps(model_json, ensure_ascii=False)
    data = read_model_json(text, source)
    existing = {
        f.name.casefold()
        for f in session.scalars(select(Forum).where(Forum.site_id == site_id, Forum.deleted_at.is_(None)))
    }
    problems: list[Problem] = []
    created = []
    for i, template in enumerate(data.get("forums", [])):
        name = " ".join(str(template["name"]).split())
        if name.casefold() in existing:
            continue
        purpose = (
            f"Mall från samverkansmodellen ({data.get('pilot_name', '')}). Roller att namnge: "
            f"{_role_text(template.get('roles') or {})}"
        )
        try:
            created.append(
                create_forum(
                    session,
                    user,
                    site_id,
                    name=name,
                    level=str(template["level"]),
                    cadence=str(template["cadence"]),
                    purpose=purpose,
                )
            )
        except ValidationError as err:
            problems += [Problem(f"{source}: forums[{i}].{p.where}", p.message) for p in err.problems]
    if problems:
        raise ValidationError(problems)
    _baseline_round(session, user, site_id, today or date.today())
    adoption = ModelAdoption(site_id=site_id, model_json=data, model_fingerprint=model_fingerprint(data))
    session.add(adoption)
    session.flush()
    return adoption


def _baseline_round(session: Session, user: CurrentUser, site_id: int, today: date) -> None:
    try:
        from instruments.rounds import create_round
        from instruments.store import find_version, sync_builtin_instruments
    except ModuleNotFoundError:
        return
    try:
        version = find_version(session, BASELINE_INSTRUMENT)
    except NotFound:
        sync_builtin_instruments(session)
        version = find_version(session, BASELINE_INSTRUMENT)
    create_round(session, user, site_id, version.id, f"{BASELINE_LABEL} {today.isoformat()}", today)


def latest_adoption(session: Session, user: CurrentUser, site_id: int) -> ModelAdoption | None:
    require_site(session, user, site_id)
    return session.scalars(
        select(ModelAdoption)
        .where(ModelAdoption.site_id == site_id)
        .order_by(ModelAdoption.adopted_at.desc(), ModelAdoption.id.desc())
    ).first()


def adoptions_frame(session: Session, user: CurrentUser, site_id: int) -> pd.DataFrame:
    """The site's adoptions: when, which pilot's model, its fingerprint and number of forum templates."""
    require_site(session, user, site_id)
    rows = session.scalars(
        select(ModelAdoption)
        .where(ModelAdoption.site_id == site_id)
        .order_by(ModelAdoption.adopted_at, ModelAdoption.id)
    ).all()
    return pd.DataFrame(
        [
            {
                "adoption_id": r.id,
                "adopted_at": r.adopted_at,
                "pilot": r.model_json.get("pilot_name"),
                "fingerprint": r.model_fingerprint,
                "n_forums": len(r.model_json.get("forums", [])),
            }
            for r in rows
        ],
        columns=["adoption_id", "adopted_at", "pilot", "fingerprint", "n_forums"],
    )


def fidelity_table(
    model: dict[str, Any],
    forums: pd.DataFrame,
    meetings: pd.DataFrame,
    attendance: pd.DataFrame,
    actions: pd.DataFrame,
    start: date,
    end: date,
) -> pd.DataFrame:
    """Per quarter from ``start`` to ``end``: how closely the site's model forums follow the model.

    Model forums are the site's forums whose name matches a template (case-insensitive). Per quarter:
    n_forums_met, share_at_cadence (of model forums: regularity ≥ 0.75 at the model's cadence),
    share_roles_named (named roles / 3 per forum), and the mean share of meetings with decisions and of
    actions followed up at the next meeting.
    """
    names = {str(f["name"]).casefold(): f for f in model.get("forums", [])}
    mf = forums[forums["name"].astype(str).str.casefold().isin(names)].copy() if len(forums) else forums
    if len(mf):
        # judge each forum against the model's cadence, not its own
        mf["cadence"] = [names[str(n).casefold()]["cadence"] for n in mf["name"]]
    meetings = meetings[meetings["forum_id"].isin(set(mf["forum_id"]))] if len(meetings) else meetings
    kept = set(meetings["meeting_id"]) if len(meetings) else set()
    attendance = attendance[attendance["meeting_id"].isin(kept)] if len(attendance) else attendance
    actions = actions[actions["meeting_id"].isin(kept)] if len(actions) else actions
    rows = []
    for q in pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="Q"):
        q_start, q_end = q.start_time.date(), min(q.end_time.date(), end)
        row: dict[str, Any] = {"quarter": str(q), "start": q_start, "end": q_end, "n_model_forums": len(mf)}
        if len(mf):
            table = forum_systematicity(mf, meetings, attendance, actions, q_start, q_end)
            met = table[table["n_meetings"] > 0]
            row["n_forums_met"] = int(len(met))
            row["share_at_cadence"] = float(
                (pd.to_numeric(table["regularity"], errors="coerce") >= CADENCE_SHARE).mean()
            )
            row["share_roles_named"] = float(
                pd.to_numeric(table["forum_roles_named"], errors="coerce").mean() / 3
            )
            row["share_decisions"] = float(met["share_decisions"].mean()) if len(met) else None
            row["share_followed_up"] = (
                float(pd.to_numeric(met["share_followed_up"], errors="coerce").mean())
                if len(met) and met["share_followed_up"].notna().any()
                else None
            )
        else:
            row.update(
                {
                    "n_forums_met": 0,
                    "share_at_cadence": None,
                    "share_roles_named": None,
                    "share_decisions": None,
                    "share_followed_up": None,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=FIDELITY_COLUMNS)


def model_fidelity(
    session: Session, user: CurrentUser, site_id: int, *, today: date | None = None
) -> pd.DataFrame:
    """How closely the site follows its latest adopted model, per quarter since adoption (empty without one)."""
    from pilots.meetings import network_frames

    adoption = latest_adoption(session, user, site_id)
    if adoption is None:
        return pd.DataFrame(columns=FIDELITY_COLUMNS)
    f = network_frames(session, user, site_id)
    start = adoption.adopted_at.date()
    return fidelity_table(
        adoption.model_json,
        f.forums,
        f.meetings,
        f.attendance,
        f.actions,
        start,
        max(today or date.today(), start),
    )
