"""Assessment results page: a site's profile per round, change between rounds, development areas, spread and Vet ej."""

import pandas as pd
import streamlit as st

from cooperation_model.figures import bar_chart, figure_alt_text, radar_chart
from instruments.answers import site_scores
from instruments.rounds import round_site_ids, rounds_frame
from pilots.sites import shows_demo_data, site_names, sites_frame
from workbench.widgets import demo_banner, page_context, provisional_badge, show_chart, show_table, shows_errors, t

ctx = page_context()
st.title(t("assessment_results.title"))
label_col = "label_en" if ctx.lang == "en" else "label_sv"
with ctx.session() as session:
    demo = shows_demo_data(session, ctx.user)
    sites = sites_frame(session, ctx.user)
    with_rounds = sites[sites["site_id"].isin(round_site_ids(session, ctx.user))]
demo_banner(demo)
if with_rounds.empty:
    st.info(t("assessment_results.no_rounds"))
    st.stop()
names = site_names(with_rounds)
site_id = st.selectbox(
    t("assessment_results.site"), list(names), format_func=lambda s: names.get(s, str(s)), key="results_site"
)
# Only the chosen site's rounds: the country has thousands.
with ctx.session() as session:
    rounds = rounds_frame(session, ctx.user, site_id)
instrument_ids = sorted(rounds["instrument_id"].unique())
instrument_id = st.selectbox(t("assessment_results.instrument"), instrument_ids, key="results_instrument")

scores = None
with shows_errors():
    with ctx.session() as session:
        scores = site_scores(session, ctx.user, int(site_id), instrument_id)
if scores is None:
    st.stop()
scored = [r for r in scores.rounds if r.n_respondents > 0]
if scores.provisional:
    provisional_badge("provisional")
if not scored:
    st.info(t("assessment_results.no_answers"))
    st.stop()

labels = [r.label for r in scored]
chosen = st.selectbox(t("assessment_results.round"), labels, index=len(labels) - 1, key="results_round")
current = next(r for r in scored if r.label == chosen)
instrument = current.instrument
st.caption(
    t(
        "assessment_results.round_caption",
        n=current.n_respondents,
        workshops=current.n_workshops,
        version=instrument.version,
        title=instrument.title.get(ctx.lang),
    )
)
source = t("assessment_results.source", instrument=instrument.id, version=instrument.version)
same_version = [r for r in scored if r.instrument.version == instrument.version]
scale_max = max(s.max for s in instrument.scales)

st.subheader(t("assessment_results.profile"))
if instrument.scoring.factors:
    data = pd.concat([r.factors.assign(round=r.label) for r in same_version], ignore_index=True)
    data = data.dropna(subset=["value"])
    fig = radar_chart(
        data,
        label_col,
        "value",
        series="round",
        title=t("assessment_results.profile_title", site=names[site_id]),
        source=source,
        demo=demo,
        lang=ctx.lang,
        range_max=scale_max,
    )
else:
    data = pd.concat([r.items.assign(round=r.label) for r in same_version], ignore_index=True)
    data = data.dropna(subset=["median"])
    fig = bar_chart(
        data,
        label_col,
        "median",
        color="round",
        title=t("assessment_results.profile_title", site=names[site_id]),
        source=source,
        demo=demo,
        lang=ctx.lang,
        horizontal=True,
        labels={"median": t("assessment_results.median"), label_col: ""},
    )
show_chart(fig, key="results_profile")
st.caption(figure_alt_text(fig))
with st.expander(t("assessment_results.data_table")):
    show_table(data.drop(columns=[c for c in ("label_sv", "label_en") if c != label_col]), hide_index=True)

st.subheader(t("assessment_results.indicators"))
show_table(
    current.indicators[
        ["id", label_col, "value", f"classification_{ctx.lang}", "n_units", "n_answered", "n_dont_know"]
    ],
    hide_index=True,
)

st.subheader(t("assessment_results.items"))
st.caption(t("assessment_results.items_help"))
items = current.items[
    [
        "item_id",
        label_col,
        "n_answers",
        "n_dont_know",
        "median",
        "min",
        "max",
        "iqr",
        "disagreement",
        "development_area",
    ]
]
show_table(items, hide_index=True)
disagree = items[items["disagreement"]]
if len(disagree):
    st.warning(t("assessment_results.disagreement", n=len(disagree), items=", ".join(disagree[label_col])))
st.metric(t("assessment_results.dont_know_total"), int(current.items["n_dont_know"].sum()))

st.subheader(t("assessment_results.development"))
if current.development.empty:
    st.write(t("assessment_results.no_development"))
else:
    show_table(
        current.development[["level", "id", label_col, "value", "threshold", "n_dont_know"]], hide_index=True
    )

st.subheader(t("assessment_results.change"))
if not scores.changes:
    st.write(t("assessment_results.no_change"))
for before, after, change in scores.changes:
    st.markdown(f"**{before} → {after}**")
    if "level" in change.columns and change["level"].eq("item").all() and "old_item_id" in change.columns:
        st.caption(t("assessment_results.across_versions"))
    shown = change[[c for c in change.columns if c not in ("label_sv", "label_en") or c == label_col]]
    show_table(shown, hide_index=True)
