"""Indicators: definitions, values per site and period (entry form), and a chart per indicator."""

from datetime import date

import streamlit as st

from cooperation_model.figures import figure_alt_text, figure_data_table
from cooperation_model.plan_figures import indicator_figure
from pilots.indicators import (
    add_indicator_value,
    indicator_definitions_frame,
    indicator_values_frame,
    unit_label,
)
from pilots.sites import shows_demo_data, sites_frame
from workbench.widgets import demo_banner, page_context, provisional_badge, show_chart, show_table, shows_errors, t

ctx = page_context()
st.title(t("indicators.title"))
# The definitions are stored from the YAML files by `workbench serve` / `workbench db upgrade` (and
# `workbench indicators`): a visit only reads, so it never writes and never drops the derived-data cache.
with ctx.session() as session:
    demo = shows_demo_data(session, ctx.user)
    definitions = indicator_definitions_frame(session, ctx.lang)
    sites = sites_frame(session, ctx.user)
demo_banner(demo)
if definitions.empty:
    st.info(t("indicators.none"))
    st.stop()
names = dict(zip(definitions["code"], definitions["name"], strict=True))
code = st.selectbox(t("indicators.indicator"), definitions["code"].tolist(), format_func=lambda s: names.get(s, str(s)))
definition = definitions.set_index("code").loc[code]
provisional_badge(str(definition["status"]))
st.write(definition["definition"])
st.caption(f"{t('indicators.unit')}: {definition['unit_label']} · {t('indicators.source')}: {definition['source']}")

with shows_errors():
    with ctx.session() as session:
        values = indicator_values_frame(session, ctx.user, code=code, lang=ctx.lang)
    if values.empty:
        st.info(t("indicators.no_values"))
    else:
        fig = indicator_figure(values, title=str(definition["name"]), unit_label=unit_label(definition["unit"], ctx.lang),
                               lang=ctx.lang, demo=demo)
        show_chart(fig, key=f"indicator_chart_{code}")
        st.caption(figure_alt_text(fig))
        with st.expander(t("indicators.table")):
            show_table(figure_data_table(fig), hide_index=True)

if ctx.user.role in ("admin", "researcher") and len(sites):
    labels = {int(r.site_id): f"{r.municipality_name} ({r.pilot_name})" for r in sites.itertuples()}
    with st.expander(t("indicators.add")), st.form("add_value", clear_on_submit=True):
        site_id = st.selectbox(t("indicators.site"), list(labels), format_func=lambda s: labels.get(s, str(s)))
        start = st.date_input(t("indicators.period_start"), value=date(date.today().year, 1, 1))
        end = st.date_input(t("indicators.period_end"), value=date(date.today().year, 3, 31))
        raw = st.text_input(t("indicators.value", unit=definition["unit_label"]))
        note = st.text_input(t("indicators.note"))
        if st.form_submit_button(t("indicators.save")):
            with shows_errors(), ctx.session() as session:
                add_indicator_value(session, ctx.user, int(site_id), code, start, raw, period_end=end, note=note)
                st.success(t("indicators.saved"))
