"""One site in detail: its measures with provenance, phases, milestones and self-assessment rounds."""

import pandas as pd
import streamlit as st

from cooperation_model.dashboard import site_detail
from workbench.widgets import demo_banner, page_context, show_table, shows_errors, t

ctx = page_context()
st.title(t("site_detail.title"))
site_id = st.session_state.get("selected_site_id")
if site_id is None:
    st.info(t("site_detail.choose"))
    st.stop()
with shows_errors():
    with ctx.session() as session:
        detail = site_detail(session, ctx.user, int(site_id))
    row = detail["measures"].iloc[0]
    st.subheader(str(row["site_label"]))
    if bool(row["is_demo"]):
        demo_banner(True)
    st.caption(
        t("site_detail.context", size=row["size_class"], skr=row["skr_group_2017"], county=row["county"])
    )
    catalogue = detail["catalogue"]
    show_table(
        pd.DataFrame(
            [
                {
                    t("site_detail.measure"): m.label(ctx.lang),
                    t("site_detail.value"): row.get(key),
                    t("site_detail.provenance"): m.provenance(ctx.lang),
                }
                for key, m in catalogue.items()
            ]
        ),
        hide_index=True,
    )
    for part in ("phases", "milestones", "rounds"):
        st.subheader(t(f"site_detail.{part}"))
        frame = detail[part]
        if len(frame):
            show_table(frame, hide_index=True)
        else:
            st.caption(t("site_detail.nothing"))
