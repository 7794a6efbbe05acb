"""Trash (admins): deleted pilots, sites, milestones, log entries and indicator values, and restoring them."""

import pandas as pd
import streamlit as st

from pilots.editing import EDITABLE_MODELS, deleted_records, model_named, restore
from workbench.widgets import page_context, show_table, shows_errors, t

ctx = page_context()
st.title(t("trash.title"))
st.write(t("trash.intro"))
with shows_errors():
    with ctx.session() as session:
        frames = [deleted_records(session, ctx.user, model) for model in EDITABLE_MODELS.values()]
    trash = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else frames[0]
    if trash.empty:
        st.info(t("trash.empty"))
    else:
        show_table(trash, hide_index=True)
        keys = [f"{r.entity}:{r.id}" for r in trash.itertuples()]
        chosen = st.selectbox(t("trash.record"), keys)
        if st.button(t("trash.restore")):
            entity, record_id = chosen.split(":")
            with shows_errors(), ctx.session() as session:
                restore(session, ctx.user, model_named(entity), int(record_id))
                st.success(t("trash.restored"))
