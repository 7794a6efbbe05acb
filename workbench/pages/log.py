"""Follow-research log: write an entry (no personal data), and search by site, period, kind, tag and text."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from pilots.editing import soft_delete
from pilots.log import LOG_KINDS, SOURCE_TYPE_SUGGESTIONS, add_log_entry, kind_label, log_count, log_frame
from pilots.models import LogEntry
from pilots.sites import shows_demo_data, sites_frame
from workbench.importers import instrument_tags
from workbench.widgets import (
    PAGE_SIZE,
    demo_banner,
    download_on_click,
    page_context,
    pager,
    personal_data_hint,
    show_table,
    shows_errors,
    t,
)

ctx = page_context()
st.title(t("log.title"))
with ctx.session() as session:
    demo = shows_demo_data(session, ctx.user)
    sites = sites_frame(session, ctx.user)
demo_banner(demo)
tags = instrument_tags(ctx.lang) or {}
labels = {int(r.site_id): f"{r.municipality_name} ({r.pilot_name})" for r in sites.itertuples()}

if ctx.user.role in ("admin", "researcher") and labels:
    with st.expander(t("log.write"), expanded=False), st.form("log_entry", clear_on_submit=True):
        st.warning(t("log.personal_data"))
        site_id = st.selectbox(t("log.site"), list(labels), format_func=lambda s: labels.get(s, str(s)))
        entry_date = st.date_input(t("log.date"), value=date.today())
        kind = st.selectbox(t("log.kind"), LOG_KINDS, format_func=lambda k: kind_label(k, ctx.lang))
        source_type = st.selectbox(t("log.source_type"), SOURCE_TYPE_SUGGESTIONS, accept_new_options=True)
        text = st.text_area(t("log.text"))
        chosen = st.multiselect(t("log.tags"), list(tags), format_func=lambda k: f"{k} – {tags[k]}")
        if st.form_submit_button(t("log.save")):
            with shows_errors(), ctx.session() as session:
                add_log_entry(session, ctx.user, int(site_id), entry_date, kind, text, source_type=source_type or "",
                              tags=chosen, known_tags=set(tags) if tags else None)
                st.success(t("log.saved"))

st.subheader(t("log.search"))
personal_data_hint()
c1, c2, c3 = st.columns(3)
site_filter = c1.selectbox(t("log.site"), [0, *labels], format_func=lambda k: labels.get(k, t("log.all")))
period = c2.date_input(t("log.period"), value=(date.today() - timedelta(days=730), date.today()))
kinds = c3.multiselect(t("log.kind"), LOG_KINDS, format_func=lambda k: kind_label(k, ctx.lang))
c4, c5 = st.columns(2)
tag = c4.selectbox(t("log.tag"), ["", *tags], format_func=lambda k: f"{k} – {tags[k]}" if k else t("log.all"))
text = c5.text_input(t("log.free_text"))
start, end = (period[0], period[-1]) if isinstance(period, tuple) and period else (None, None)
filters = {"site_id": site_filter or None, "date_from": start, "date_to": end, "kinds": kinds or None,
           "tag": tag or None, "text": text or None}
with shows_errors():
    # One page of the newest entries per rerun (a national log has tens of thousands); the database counts.
    with ctx.session() as session:
        total = log_count(session, ctx.user, **filters)
    offset = pager(total, "log_page", filters=filters)
    with ctx.session() as session:
        entries = log_frame(session, ctx.user, **filters, lang=ctx.lang, limit=PAGE_SIZE, offset=offset)
    show_table(entries[["entry_date", "site_label", "kind_label", "source_type", "text", "tags", "author"]],
               hide_index=True)

    def every_entry() -> pd.DataFrame:
        with ctx.session() as session:
            return log_frame(session, ctx.user, **filters, lang=ctx.lang).drop(columns=["version"])

    download_on_click(every_entry, "logg", key="log_download")
    if ctx.user.role in ("admin", "researcher") and len(entries):
        with st.expander(t("log.delete")):
            texts = dict(zip(entries["entry_id"].astype(int), entries["text"], strict=True))
            doomed = st.selectbox(t("log.entry"), list(texts), format_func=lambda i: texts[i][:80])
            if st.button(t("log.delete")):
                with shows_errors(), ctx.session() as session:
                    soft_delete(session, ctx.user, LogEntry, int(doomed))
                    st.success(t("log.deleted"))
