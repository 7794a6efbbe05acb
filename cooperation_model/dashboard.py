"""MFoF's overview of all pilots and sites, the map of Sweden and one site's drill-down (shared query layer).

The numbers are the same as in the CLI and the reports: site measures come from
``cooperation_model.measures.site_measures``, plans from ``pilots.plans``, rounds from
``instruments.rounds``. The pure parts (current phase, filters, the overview per pilot) take DataFrames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from cooperation_model.disclosure import resolve_threshold, rule_text
from cooperation_model.measures import _presenter_site_measures, site_measures
from pilots.access import CurrentUser, require_site
from pilots.derived_cache import cached, scope_key
from pilots.municipalities import boundaries_geojson, municipalities_frame

FILTER_KEYS: tuple[str, ...] = ("pilot_ids", "skr_groups", "size_classes", "counties")
"""Keys of the filter mapping shared by the dashboard pages (each a list; empty means no filter)."""

_FILTER_COLUMNS = {
    "pilot_ids": "pilot_id",
    "skr_groups": "skr_group_2017",
    "size_classes": "size_class",
    "counties": "county",
}

OVERVIEW_COLUMNS = [
    "site_id", "site_label", "pilot_id", "pilot_name", "municipality_code", "municipality_name", "size_class",
    "skr_group_2017", "county", "phase", "latest_round", "latest_round_date", "latest_round_responses",
    "meetings_last_90_days", "systematicity", "overdue_milestones",
]  # fmt: skip

OVERVIEW_LABELS: dict[str, tuple[str, str]] = {
    "site_label": ("Plats", "Site"),
    "pilot_name": ("Pilot", "Pilot"),
    "municipality_name": ("Kommun", "Municipality"),
    "phase": ("Fas nu", "Current phase"),
    "latest_round": ("Senaste självskattning", "Latest self-assessment"),
    "latest_round_date": ("Datum", "Date"),
    "latest_round_responses": ("Inskickade svar", "Submitted responses"),
    "meetings_last_90_days": ("Möten senaste 90 dagarna", "Meetings last 90 days"),
    "systematicity": ("Systematik (mötesloggen)", "Systematicity (meeting log)"),
    "overdue_milestones": ("Försenade milstolpar", "Overdue milestones"),
}


def current_phase(phases: pd.DataFrame, today: date) -> dict[int, str]:
    """Each site's phase today: started and not ended (actual dates), else planned around today, else ""."""
    out: dict[int, str] = {}
    for site_id, part in phases.groupby("site_id"):
        part = part.sort_values(["position", "planned_start"], na_position="last")
        name = ""
        for row in part.to_dict("records"):
            started = (
                row["actual_start"] is not None
                and not pd.isna(row["actual_start"])
                and row["actual_start"] <= today
            )
            ended = (
                row["actual_end"] is not None and not pd.isna(row["actual_end"]) and row["actual_end"] < today
            )
            if started and not ended:
                name = row["name"]
        if not name:
            for row in part.to_dict("records"):
                ps, pe = row["planned_start"], row["planned_end"]
                if (
                    ps is not None
                    and pe is not None
                    and not pd.isna(ps)
                    and not pd.isna(pe)
                    and ps <= today <= pe
                ):
                    name = row["name"]
        out[int(site_id)] = name
    return out


def overview_frame(
    measures: pd.DataFrame, phases: pd.DataFrame, timeline: pd.DataFrame, rounds: pd.DataFrame, today: date
) -> pd.DataFrame:
    """One row per site: phase now, latest round with submitted answers, meetings in 90 days, systematicity,
    and milestones whose planned date has passed without being done (state "late")."""
    frame = measures.copy()
    for col in ("meetings_last_90_days", "systematicity"):
        if col not in frame.columns:
            frame[col] = np.nan
    phase = current_phase(phases, today)
    frame["phase"] = [phase.get(int(s), "") for s in frame["site_id"]]
    late = timeline[timeline["state"] == "late"].groupby("site_id").size() if len(timeline) else pd.Series()
    frame["overdue_milestones"] = [int(late.get(int(s), 0)) for s in frame["site_id"]]
    answered = (
        rounds[rounds["n_submitted"] > 0].sort_values(["due_date", "round_id"]) if len(rounds) else rounds
    )
    latest = answered.groupby("site_id").tail(1).set_index("site_id") if len(answered) else pd.DataFrame()
    frame["latest_round"] = [
        f"{latest.at[s, 'instrument_id']}: {latest.at[s, 'label']}" if s in latest.index else ""
        for s in frame["site_id"]
    ]
    frame["latest_round_date"] = [
        latest.at[s, "due_date"] if s in latest.index else None for s in frame["site_id"]
    ]
    frame["latest_round_responses"] = [
        int(latest.at[s, "n_submitted"]) if s in latest.index else 0 for s in frame["site_id"]
    ]
    return frame[OVERVIEW_COLUMNS].reset_index(drop=True)


def apply_filters(frame: pd.DataFrame, filters: Mapping[str, Sequence[Any]] | None) -> pd.DataFrame:
    """Keep the rows matching every non-empty filter (pilot ids, SKR groups 2017, size classes, counties)."""
    out = frame
    for key, values in (filters or {}).items():
        column = _FILTER_COLUMNS.get(key)
        if column is None or not values or column not in out.columns:
            continue
        out = out[out[column].isin(list(values))]
    return out.reset_index(drop=True)


def pilots_overview(overview: pd.DataFrame) -> pd.DataFrame:
    """One row per pilot: sites, meetings in the last 90 days, median systematicity, overdue milestones."""
    if overview.empty:
        return pd.DataFrame(
            columns=[
                "pilot_name",
                "sites",
                "meetings_last_90_days",
                "median_systematicity",
                "overdue_milestones",
            ]
        )
    grouped = overview.groupby("pilot_name", sort=True)
    return pd.DataFrame(
        {
            "sites": grouped.size(),
            "meetings_last_90_days": grouped["meetings_last_90_days"].sum(min_count=1),
            "median_systematicity": grouped["systematicity"].median(),
            "overdue_milestones": grouped["overdue_milestones"].sum(),
        }
    ).reset_index()


def dashboard_frame(
    session: Session,
    user: CurrentUser,
    filters: Mapping[str, Sequence[Any]] | None = None,
    *,
    today: date | None = None,
) -> pd.DataFrame:
    """The overview for ``user`` (scoped; presenters get no rows), filtered."""
    from instruments.rounds import rounds_frame
    from pilots.plans import phases_frame, timeline_frame

    today = today or date.today()

    def overview() -> pd.DataFrame:
        measures = site_measures(session, user, today=today)
        if measures.empty:
            return pd.DataFrame(columns=OVERVIEW_COLUMNS)
        return overview_frame(
            measures,
            phases_frame(session, user),
            timeline_frame(session, user, today=today),
            rounds_frame(session, user, today=today),
            today,
        )

    # Per reader scope and day, cached until a write or the TTL (pilots.derived_cache).
    frame = cached(session, ("dashboard_overview", scope_key(user), today), overview)
    return apply_filters(frame.copy(), filters)


# --- the map --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def municipality_points() -> pd.DataFrame:
    """A point inside each municipality (code, lat, lon), for marking sites on the map."""
    from shapely.geometry import shape

    rows = []
    for feature in boundaries_geojson()["features"]:
        point = shape(feature["geometry"]).representative_point()
        rows.append({"code": feature["properties"]["code"], "lat": point.y, "lon": point.x})
    return pd.DataFrame(rows)


def map_frames(
    session: Session,
    user: CurrentUser,
    measure: str,
    filters: Mapping[str, Sequence[Any]] | None = None,
    *,
    threshold: int | None = None,
    lang: str = "sv",
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """What the map draws: every municipality with its value, the site markers, and a note.

    For roles that see sites: the value is the measure at the municipality's site (the median when it
    takes part in several pilots), and the sites are marked. For presenters: each municipality gets its
    county's median over the sites there, only where the county has at least the small-count
    threshold of sites with a value; no site is marked, and the note is the suppression rule.
    """
    municipalities = municipalities_frame(session)[["code", "name", "county_code"]]
    if user.sees_site_level_data:
        frame = apply_filters(site_measures(session, user), filters)
        values = (
            pd.to_numeric(frame[measure], errors="coerce")
            if measure in frame.columns
            else pd.Series(np.nan, index=frame.index)
        )
        per_code = frame.assign(_v=values).groupby("municipality_code")["_v"].median()
        table = municipalities.assign(value=municipalities["code"].map(per_code))
        points = municipality_points().set_index("code")
        sites = frame[["municipality_code", "site_label"]].drop_duplicates("municipality_code")
        markers = pd.DataFrame(
            {
                "lat": [points.at[c, "lat"] for c in sites["municipality_code"]],
                "lon": [points.at[c, "lon"] for c in sites["municipality_code"]],
                "name": sites["site_label"].tolist(),
            }
        )
        return table, markers, ""
    t = resolve_threshold(threshold)
    frame = apply_filters(_presenter_site_measures(session, user, None), filters)
    values = (
        pd.to_numeric(frame[measure], errors="coerce")
        if measure in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )
    usable = frame.assign(_v=values).dropna(subset=["_v"])
    stats = usable.groupby("county_code")["_v"].agg(["count", "median"])
    shown = stats[stats["count"] >= t]["median"]
    table = municipalities.assign(value=municipalities["county_code"].map(shown))
    return table, pd.DataFrame(columns=["lat", "lon", "name"]), rule_text(t, lang)


# --- one site -------------------------------------------------------------------------------------


def site_detail(
    session: Session, user: CurrentUser, site_id: int, *, today: date | None = None
) -> dict[str, Any]:
    """Everything the drill-down shows for one site: its measures row, phases, milestones and rounds."""
    from instruments.rounds import rounds_frame
    from pilots.plans import phases_frame, timeline_frame

    require_site(session, user, site_id)
    today = today or date.today()
    measures = site_measures(session, user, today=today)
    row = measures[measures["site_id"] == site_id]
    return {
        "measures": row.reset_index(drop=True),
        "catalogue": measures.attrs.get("measures", {}),
        "phases": phases_frame(session, user, site_id),
        "milestones": timeline_frame(session, user, site_id, today=today),
        "rounds": rounds_frame(session, user, site_id, today=today),
    }
