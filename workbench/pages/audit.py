"""Admin page: the audit trail (who changed what, when, through which face), filtered and exported; read only."""

from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from cooperation_model.figures import format_number
from pilots.audit import AUDIT_COUNT_CAP, audit_count, audit_filter_choices, audit_trail
from pilots.sites import shows_demo_data
from workbench.widgets import (
    demo_banner,
    download_on_click,
    page_context,
    pager,
    show_table,
    shows_errors,
    t,
)

AUDIT_PAGE_SIZE = 100

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
    filters = {
        "entity": None if entity == everything else entity,
        "username": None if username == everything else username,
        "face": None if face == everything else face,
        "since": datetime.combine(start, time.min) if start else None,
        "until": datetime.combine(end + timedelta(days=1), time.min) if end else None,
    }
    # One page per rerun, read and counted by the database; the downloads hold every matching event.
    with ctx.session() as session:
        total = audit_count(session, ctx.user, **filters, at_most=AUDIT_COUNT_CAP)
    if total > AUDIT_COUNT_CAP:  # a national month holds hundreds of thousands: count no further
        st.write(t("audit.count_more", n=format_number(AUDIT_COUNT_CAP, ctx.lang)))
        total = AUDIT_COUNT_CAP
    else:
        st.write(t("audit.count", n=total))
    offset = pager(total, "audit_page", page_size=AUDIT_PAGE_SIZE, filters=filters)
    with ctx.session() as session:
        frame = audit_trail(session, ctx.user, **filters, limit=max(0, min(AUDIT_PAGE_SIZE, total - offset)),
                            offset=offset)
    show_table(frame, hide_index=True, width="stretch")

    def every_event() -> pd.DataFrame:
        with ctx.session() as session:
            return audit_trail(session, ctx.user, **filters, limit=None)

    download_on_click(every_event, "granskningslogg", key="audit_download", formats=("csv", "xlsx"))
    st.caption(t("audit.read_only"))
