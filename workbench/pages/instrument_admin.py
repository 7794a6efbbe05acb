"""Instrument admin page (admin, MFoF): stored versions, upload a new version, what changed between two versions."""

import streamlit as st

from instruments.store import (
    add_instrument_version,
    instruments_frame,
    sync_builtin_instruments,
    version_diff,
)
from workbench.widgets import page_context, show_table, shows_errors, t

ctx = page_context()
st.title(t("instrument_admin.title"))
st.write(t("instrument_admin.intro"))
with ctx.session() as session:
    versions = instruments_frame(session)
show_table(versions, hide_index=True)
if st.button(t("instrument_admin.sync"), key="instruments_sync"):
    with shows_errors():
        with ctx.session() as session:
            added = sync_builtin_instruments(session)
        st.success(t("instrument_admin.synced", n=len(added)))

st.subheader(t("instrument_admin.upload"))
upload = st.file_uploader(t("instrument_admin.file"), type=["yaml", "yml"], key="instrument_file")
pasted = st.text_area(t("instrument_admin.paste"), key="instrument_text", height=150)
if st.button(t("instrument_admin.save"), key="instrument_save"):
    text = upload.getvalue().decode("utf-8") if upload is not None else pasted
    name = upload.name if upload is not None else t("instrument_admin.pasted_name")
    with shows_errors():
        with ctx.session() as session:
            row = add_instrument_version(session, ctx.user, text, name)
            saved = (row.instrument_id, row.version)
        st.success(t("instrument_admin.saved", id=saved[0], version=saved[1]))

st.subheader(t("instrument_admin.diff"))
ids = sorted(versions["instrument_id"].unique())
if ids:
    instrument_id = st.selectbox(t("instrument_admin.instrument"), ids, key="diff_instrument")
    available = versions.loc[versions["instrument_id"] == instrument_id, "version"].tolist()
    if len(available) < 2:
        st.info(t("instrument_admin.one_version"))
    else:
        left, right = st.columns(2)
        old = left.selectbox(t("instrument_admin.old"), available, index=len(available) - 2, key="diff_old")
        new = right.selectbox(t("instrument_admin.new"), available, index=len(available) - 1, key="diff_new")
        with shows_errors():
            with ctx.session() as session:
                diff = version_diff(session, instrument_id, old, new)
            st.caption(t("instrument_admin.diff_help"))
            show_table(diff, hide_index=True)
