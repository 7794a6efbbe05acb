"""Figures for site plans and indicators: milestone timelines and indicator time series, in the house style."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from cooperation_model.figures import line_chart, timeline_chart

# Timeline states (pilots.plans.milestone_state) → the status keys timeline_chart colours.
_STATE_TO_STATUS = {"done": "done", "late": "late", "on_time": "on_time", "upcoming": "planned",
                    "cancelled": "planned"}
_TEXT = {
    "sv": {"timeline": "Milstolpar: planerat och utfall", "source": "Följeforskarens plan per plats",
           "value": "Värde", "period": "Period", "site": "Plats", "indicator_source": "Indikatorvärden per plats"},
    "en": {"timeline": "Milestones: planned and actual", "source": "The follow-researcher's plan per site",
           "value": "Value", "period": "Period", "site": "Site", "indicator_source": "Indicator values per site"},
}


def _t(lang: str, key: str) -> str:
    return _TEXT["en" if lang == "en" else "sv"][key]


def milestone_timeline_table(timeline: pd.DataFrame, today: date, *, with_site: bool = True) -> pd.DataFrame:
    """Rows for the timeline chart: label, planned, actual-or-today (late ones are drawn at today), status."""
    rows = []
    for r in timeline.itertuples(index=False):
        label = f"{r.municipality_name}: {r.name}" if with_site else str(r.name)
        if r.state == "done":
            actual = r.actual_date if r.actual_date is not None and not pd.isna(r.actual_date) else r.planned_date
        elif r.state == "late":
            actual = today
        else:
            actual = None
        rows.append({"label": label, "planned": r.planned_date, "actual": actual,
                     "status": _STATE_TO_STATUS.get(r.state, "planned")})
    return pd.DataFrame(rows, columns=["label", "planned", "actual", "status"])


def milestone_timeline_figure(timeline: pd.DataFrame, *, today: date, lang: str = "sv", demo: bool = False,
                              title: str | None = None, with_site: bool = True) -> go.Figure:
    """Milestones of one or several sites (a ``pilots.plans.timeline_frame``): planned vs actual, by state.

    Late milestones are drawn at today's date, so the grey line shows how late they are.
    """
    table = milestone_timeline_table(timeline, today, with_site=with_site)
    fig = timeline_chart(table, label="label", planned="planned", actual="actual", status="status",
                         title=title or _t(lang, "timeline"), source=_t(lang, "source"), demo=demo, lang=lang)
    fig.update_layout(height=max(320, 28 * len(table) + 160))
    return fig


def indicator_figure(values: pd.DataFrame, *, title: str, unit_label: str, lang: str = "sv",
                     demo: bool = False) -> go.Figure:
    """One indicator over time, one line per site (``pilots.indicators.indicator_values_frame`` rows)."""
    data = values.assign(period=pd.to_datetime(values["period_start"]))[["period", "site_label", "value"]]
    return line_chart(data, "period", "value", color="site_label", title=title, source=_t(lang, "indicator_source"),
                      demo=demo, lang=lang,
                      labels={"period": _t(lang, "period"), "value": f"{_t(lang, 'value')} ({unit_label})",
                              "site_label": _t(lang, "site")})
