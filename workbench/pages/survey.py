"""The national survey: response rate, shares of ja with their counts, groups, pilot municipalities."""

import streamlit as st

from cooperation_model.figures import bar_chart
from cooperation_model.survey import (
    QUESTIONS,
    definitions,
    pilot_position_table,
    question_label,
    survey_table,
)
from pilots.errors import NotFound
from pilots.survey_store import import_survey, surveys_frame
from workbench.widgets import demo_banner, page_context, show_chart, show_table, shows_errors, t

ctx = page_context()
st.title(t("survey.title"))
with ctx.session() as session:
    surveys = surveys_frame(session)

if ctx.user.role in ("admin", "mfof"):
    with st.expander(t("survey.import")):
        st.caption(t("survey.import_help"))
        upload = st.file_uploader(t("survey.file"), type=["csv", "xlsx"], key="survey_upload")
        name = st.text_input(t("survey.name"), key="survey_name")
        year = st.number_input(
            t("survey.year"), min_value=2000, max_value=2100, value=2022, key="survey_year"
        )
        if upload is not None and st.button(t("survey.do_import"), key="survey_do_import"):
            with shows_errors():
                with ctx.session(face="import") as session:
                    result = import_survey(
                        session, ctx.user, upload.getvalue(), upload.name, name=name or None, year=int(year)
                    )
                st.success(result.summary())

if surveys.empty:
    st.info(t("survey.none"))
    st.stop()
chosen = st.selectbox(t("survey.choose"), surveys["name"].tolist(), key="survey_choice")
if bool(surveys.set_index("name").at[chosen, "is_demo"]):
    demo_banner(True)
by_labels = {
    "": t("survey.by_country"),
    "skr_group_2017": t("survey.by_skr"),
    "county": t("survey.by_county"),
    "verksamhet": t("survey.by_unit"),
}
by = st.radio(t("survey.by"), list(by_labels), format_func=by_labels.get, horizontal=True, key="survey_by")

left, right = st.columns([3, 2])
with right:
    st.subheader(t("survey.definitions"))
    st.markdown(definitions(ctx.lang))
with left, shows_errors():
    with ctx.session() as session:
        national = survey_table(session, chosen, None, ctx.lang)
        table = survey_table(session, chosen, by or None, ctx.lang)
    row = national.iloc[0]
    st.metric(
        t("survey.response_rate"),
        f"{row['response_share']:.0%}",
        help=t("survey.counts", num=row["response_num"], den=row["response_den"]),
    )
    bars = [
        {
            "question": question_label(q, ctx.lang),
            "share": row[f"{q}_share"] * 100,
            "num": row[f"{q}_num"],
            "den": row[f"{q}_den"],
        }
        for q in QUESTIONS
    ]
    import pandas as pd

    bars_frame = pd.DataFrame(bars)
    fig = bar_chart(
        bars_frame,
        "question",
        "share",
        title=t("survey.chart_title", name=chosen),
        source=t("survey.source", name=chosen),
        demo=bool(surveys.set_index("name").at[chosen, "is_demo"]),
        lang=ctx.lang,
        labels={"question": t("survey.question"), "share": t("survey.share_pct")},
        horizontal=True,
    )
    show_chart(fig, key="survey_chart")
    with st.expander(t("survey.chart_table")):
        show_table(bars_frame, hide_index=True)
    st.subheader(t("survey.table"))
    if by == "skr_group_2017":
        st.caption(t("survey.unknown_group"))
    show_table(table, hide_index=True)

if ctx.user.sees_site_level_data:
    st.subheader(t("survey.pilots"))
    # Read on request: with every municipality a pilot site the table has thousands of rows.
    if not st.toggle(t("survey.show_pilots"), key="survey_show_pilots"):
        st.stop()
    with shows_errors():
        try:
            with ctx.session() as session:
                position = pilot_position_table(session, ctx.user, chosen, ctx.lang)
        except NotFound as err:
            st.warning(str(err))
        else:
            if len(position):
                show_table(position, hide_index=True)
            else:
                st.info(t("survey.no_pilots"))
