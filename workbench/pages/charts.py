"""Charts for presenters: pick charts from the pilot's catalogue, download each as PNG/SVG/PDF, a PPTX deck and a ZIP."""

import tempfile
from pathlib import Path

import streamlit as st

from cooperation_model.charts import pilot_charts, site_network_chart, write_chart_pack
from cooperation_model.disclosure import rule_text
from cooperation_model.export import figures_to_images, safe_file_name
from cooperation_model.figures import figure_data_table
from pilots.sites import pilots_frame, shows_demo_data, site_names, sites_frame
from workbench.widgets import demo_banner, page_context, show_table, shows_errors, t

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}

ctx = page_context()
st.title(t("charts.title"))
st.caption(t("charts.intro"))
with ctx.session() as session:
    demo_banner(shows_demo_data(session, ctx.user))
    pilots = pilots_frame(session, ctx.user)
if pilots.empty:
    st.info(t("charts.no_pilots"))
    st.stop()
names = dict(zip(pilots["id"], pilots["name"], strict=True))
pilot_id = int(st.selectbox(t("charts.pilot"), list(names), format_func=names.get, key="charts_pilot"))
if not ctx.user.sees_site_level_data:
    st.info(t("charts.presenter_note"))
    st.caption(rule_text(lang=ctx.lang))
entries = []
with shows_errors():
    with ctx.session() as session:
        # Networks are drawn one municipality at a time (below): a national pilot has hundreds of sites.
        entries = pilot_charts(session, ctx.user, pilot_id, ctx.lang, networks=False)
if not entries:
    st.info(t("charts.none"))
    st.stop()
titles = {e.key: e.title for e in entries}
chosen = st.multiselect(
    t("charts.pick"), list(titles), default=list(titles)[:3], format_func=titles.get, key="charts_pick"
)
selected = [e for e in entries if e.key in chosen]
if ctx.user.sees_site_level_data:
    with ctx.session() as session:
        sites = sites_frame(session, ctx.user, pilot_id)
    site_choices = {0: t("charts.network_none"), **site_names(sites)}
    network_site = st.selectbox(t("charts.network_site"), list(site_choices), format_func=site_choices.get,
                                key=f"charts_network_site_{pilot_id}")
    if network_site:
        network = None
        with shows_errors(), ctx.session() as session:
            network = site_network_chart(session, ctx.user, int(network_site), ctx.lang)
        if network is None:
            st.info(t("charts.network_empty"))  # or shows_errors() has said what went wrong
        else:
            selected.append(network)
for entry in selected:
    st.plotly_chart(entry.figure, key=f"chart_{entry.key}")
    with st.expander(t("charts.data_table")):
        show_table(figure_data_table(entry.figure), hide_index=True)

st.subheader(t("charts.downloads"))
fmt = st.radio(t("charts.format"), ["png", "svg", "pdf"], horizontal=True, key="charts_format")
if selected and st.button(t("charts.prepare"), key="charts_prepare"):
    with shows_errors():
        with st.spinner(t("charts.rendering")):
            images = figures_to_images([e.figure for e in selected], fmt)
        st.session_state["charts_images"] = [
            (e.key, e.title, fmt, data) for e, data in zip(selected, images, strict=True)
        ]
for key, title, image_fmt, data in st.session_state.get("charts_images", []):
    st.download_button(
        f"{title} ({image_fmt.upper()})",
        data=data,
        mime=MIME[image_fmt],
        file_name=f"{safe_file_name(key)}.{image_fmt}",
        key=f"dl_{key}_{image_fmt}",
    )
col1, col2 = st.columns(2)
if selected and col1.button(t("charts.make_pptx"), key="charts_pptx"):
    with shows_errors(), tempfile.TemporaryDirectory() as tmp:
        with st.spinner(t("charts.rendering")):
            [deck] = write_chart_pack(selected, Path(tmp), "pptx", title=names[pilot_id], lang=ctx.lang)
        st.session_state["charts_pptx_bytes"] = deck.read_bytes()
if selected and col2.button(t("charts.make_zip"), key="charts_zip"):
    with shows_errors(), tempfile.TemporaryDirectory() as tmp:
        with st.spinner(t("charts.rendering")):
            written = write_chart_pack(selected, Path(tmp), fmt, title=names[pilot_id], lang=ctx.lang)
        st.session_state["charts_zip_file"] = (written[-1].name, written[-1].read_bytes())
if st.session_state.get("charts_pptx_bytes"):
    st.download_button(
        t("charts.download_pptx"),
        data=st.session_state["charts_pptx_bytes"],
        file_name="konferens.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="charts_pptx_dl",
    )
if st.session_state.get("charts_zip_file"):
    zip_name, zip_data = st.session_state["charts_zip_file"]
    st.download_button(
        t("charts.download_zip"),
        data=zip_data,
        file_name=zip_name,
        mime="application/zip",
        key="charts_zip_dl",
    )
st.caption(rule_text(lang=ctx.lang))
