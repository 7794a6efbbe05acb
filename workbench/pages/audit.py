"""Admin page: the audit trail (who changed what, when, through which face), filtered and exported; read only."""

from datetime import date, datetime, time, timedelta

import streamlit as st

from pilots.audit import audit_filter_choices, audit_trail
from pilots.exporting import records_to_bytes
from pilots.sites import shows_demo_data
from workbench.widgets import demo_banner, page_context, show_table, shows_errors, t

ctx = page_context()
st.title(t("audit.title"))
st.caption(t("audit.intro"))

with shows_errors():
    with ctx.session() as session:
        choices = audit_filter_choices(session, ctx.user)
        demo_banner(shows_demo_data(session, ctx.user))

    everything = t("audit.all")
    cols = st.columns(4)
    entity = cols[0].selectbox(t("audit.entity"), [everything, *choices["entity"]], key="audit_entity")
    username = cols[1].selectbox(t("audit.user"), [everything, *choices["username"]], key="audit_user")
    face = cols[2].selectbox(t("audit.face"), [everything, *choices["face"]], key="audit_face",
                             format_func=lambda f: f if f == everything else t(f"audit.face_{f}"))
    today = date.today()
    period = cols[3].date_input(t("audit.period"), (today - timedelta(days=30), today), key="audit_period")
    start, end = (period[0], period[-1]) if isinstance(period, tuple | list) and period else (None, None)
    limit = st.number_input(t("audit.limit"), min_value=10, max_value=100_000, value=1000, step=100,
                            key="audit_limit")

    with ctx.session() as session:
        frame = audit_trail(
            session, ctx.user,
            entity=None if entity == everything else entity,
            username=None if username == everything else username,
            face=None if face == everything else face,
            since=datetime.combine(start, time.min) if start else None,
            until=datetime.combine(end + timedelta(days=1), time.min) if end else None,
            limit=int(limit),
        )

    st.write(t("audit.count", n=len(frame)))
    show_table(frame, hide_index=True, width="stretch")
    cols = st.columns(2)
    cols[0].download_button(t("audit.download_csv"), data=records_to_bytes(frame, "csv"),
                            file_name="granskningslogg.csv", mime="text/csv", key="audit_csv")
    cols[1].download_button(t("audit.download_xlsx"), data=records_to_bytes(frame, "xlsx"),
                            file_name="granskningslogg.xlsx", key="audit_xlsx",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.caption(t("audit.read_only"))
