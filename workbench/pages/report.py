"""The model report page: choose pilot, language and format, edit researcher commentary, build and download."""

import tempfile
from pathlib import Path

import streamlit as st

from cooperation_model.report import MEDIA_TYPES, REPORT_FORMATS, SECTION_KEYS, build_report, write_report
from cooperation_model.report.content import SECTION_TITLES, commentary_frame, render_figures, save_commentary
from pilots.access import may_write_pilot
from pilots.sites import pilots_frame, shows_demo_data
from workbench.widgets import demo_banner, page_context, personal_data_hint, show_table, shows_errors, t

ctx = page_context()
st.title(t("report.title"))
st.caption(t("report.intro"))
with ctx.session() as session:
    demo_banner(shows_demo_data(session, ctx.user))
    pilots = pilots_frame(session, ctx.user)
if pilots.empty:
    st.info(t("report.no_pilots"))
    st.stop()
names = dict(zip(pilots["id"], pilots["name"], strict=True))
pilot_id = int(st.selectbox(t("report.pilot"), list(names), format_func=names.get, key="report_pilot"))
col1, col2, col3 = st.columns(3)
lang = col1.selectbox(
    t("report.language"), ["sv", "en"], format_func=lambda x: t(f"report.lang_{x}"), key="report_lang"
)
fmt = col2.selectbox(t("report.format"), list(REPORT_FORMATS), format_func=str.upper, key="report_format")
version = col3.text_input(t("report.version"), value="utkast", key="report_version")

st.subheader(t("report.commentary"))
st.caption(t("report.commentary_help"))
with ctx.session() as session:
    comments = commentary_frame(session, ctx.user, pilot_id, version or None)
if comments.empty:
    st.info(t("report.no_commentary"))
else:
    show_table(comments[["section_key", "title", "text", "report_version", "author"]], hide_index=True)
if may_write_pilot(ctx.user, pilot_id):
    with st.form("report_commentary"):
        section = st.selectbox(
            t("report.section"),
            list(SECTION_KEYS),
            format_func=lambda k: SECTION_TITLES[k][1 if ctx.lang == "en" else 0],
        )
        title = st.text_input(t("report.comment_title"))
        text = st.text_area(t("report.comment_text"), height=160)
        personal_data_hint()
        if st.form_submit_button(t("report.save_commentary")):
            with shows_errors():
                with ctx.session() as session:
                    save_commentary(session, ctx.user, pilot_id, section, title, text, report_version=version)
                st.success(t("report.saved"))

st.subheader(t("report.build"))
if st.button(t("report.build_button"), type="primary", key="report_build"):
    with shows_errors():
        progress = st.progress(0, text=t("report.step_gather"))
        with ctx.session() as session:
            content = build_report(session, ctx.user, pilot_id, lang, report_version=version or "utkast")
        progress.progress(35, text=t("report.step_figures"))
        render_figures(content)
        progress.progress(75, text=t("report.step_write"))
        with tempfile.TemporaryDirectory() as tmp:
            path = write_report(content, Path(tmp) / f"{content.pilot_slug}.{fmt}", fmt)
            st.session_state["report_file"] = (path.name, path.read_bytes(), fmt, content.fingerprint)
        progress.progress(100, text=t("report.done"))
        for source, what in content.missing:
            st.warning(f"{source}: {what}")
built = st.session_state.get("report_file")
if built:
    name, data, built_fmt, fingerprint = built
    st.caption(t("report.fingerprint", fingerprint=fingerprint))
    st.download_button(
        t("report.download"), data=data, file_name=name, mime=MEDIA_TYPES[built_fmt], key="report_download"
    )
