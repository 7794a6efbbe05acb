"""Meetings page: log a cooperation meeting in under a minute (from the forum's usual attendees); actors and forums."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from pilots.meetings import (
    CADENCE_LABELS,
    CADENCES,
    LEVEL_LABELS,
    LEVELS,
    SECTOR_LABELS,
    SECTORS,
    ActionInput,
    MeetingInput,
    actors_frame,
    create_actor,
    create_forum,
    forums_frame,
    log_meeting,
    meetings_count,
    meetings_frame,
    open_actions,
    person_name_warning,
)
from pilots.sites import shows_demo_data, site_names, sites_frame
from workbench.widgets import (
    PAGE_SIZE,
    demo_banner,
    page_context,
    pager,
    personal_data_hint,
    show_table,
    shows_errors,
    t,
)

ctx = page_context()
en = ctx.lang == "en"
st.title(t("meetings.title"))


def _label(labels: dict[str, tuple[str, str]], code: str) -> str:
    return labels.get(code, (code, code))[1 if en else 0]


with ctx.session() as session:
    demo_banner(shows_demo_data(session, ctx.user))
    sites = sites_frame(session, ctx.user)
if sites.empty:
    st.info(t("common.empty"))
    st.stop()
site_choices = site_names(sites)
site_id = st.selectbox(t("meetings.site"), list(site_choices), format_func=site_choices.get, key="meetings_site")
with ctx.session() as session:
    actors = actors_frame(session, ctx.user, site_id)
    forums = forums_frame(session, ctx.user, site_id)
    n_meetings = meetings_count(session, ctx.user, site_id)
actor_names = dict(zip(actors["actor_id"].astype(int), actors["name"], strict=True))

if flash := st.session_state.pop("meetings_flash", None):
    st.success(flash)
st.metric(t("meetings.count"), n_meetings)

tab_log, tab_list, tab_actors, tab_forums = st.tabs(
    [t("meetings.tab_log"), t("meetings.tab_list"), t("meetings.tab_actors"), t("meetings.tab_forums")]
)

with tab_log:
    if forums.empty:
        st.info(t("meetings.no_forums"))
    else:
        forum_rows = {int(r["forum_id"]): r for r in forums.to_dict("records")}
        forum_id = st.selectbox(
            t("meetings.forum"),
            list(forum_rows),
            format_func=lambda f: forum_rows[f]["name"],
            key="meetings_forum",
        )
        forum = forum_rows[forum_id]
        with ctx.session() as session:
            pending = open_actions(session, ctx.user, forum_id)
        ids = list(actor_names)
        optional = [None, *ids]
        personal_data_hint()
        with st.form("log_meeting"):
            when = st.date_input(t("meetings.date"), value=date.today(), key=f"date_{forum_id}")
            attended = st.multiselect(
                t("meetings.attended"),
                ids,
                default=[a for a in forum["member_ids"] if a in ids],
                format_func=actor_names.get,
                key=f"attended_{forum_id}",
            )
            absent = st.multiselect(
                t("meetings.invited_absent"), ids, format_func=actor_names.get, key=f"absent_{forum_id}"
            )
            c1, c2 = st.columns(2)
            convener = c1.selectbox(
                t("meetings.convened_by"),
                optional,
                index=optional.index(forum["convener_actor_id"])
                if forum["convener_actor_id"] in optional
                else 0,
                format_func=lambda a: actor_names.get(a, "–"),
                key=f"convener_{forum_id}",
            )
            documenter = c2.selectbox(
                t("meetings.documented_by"),
                optional,
                index=optional.index(forum["documenter_actor_id"])
                if forum["documenter_actor_id"] in optional
                else 0,
                format_func=lambda a: actor_names.get(a, "–"),
                key=f"documenter_{forum_id}",
            )
            purpose = st.text_input(t("meetings.purpose"), key=f"purpose_{forum_id}")
            decisions = st.text_area(t("meetings.decisions"), key=f"decisions_{forum_id}", height=80)
            st.caption(t("meetings.actions_help"))
            action_table = st.data_editor(
                pd.DataFrame(
                    {
                        "description": pd.Series(dtype=str),
                        "owner": pd.Series(dtype=str),
                        "due_date": pd.Series(dtype="datetime64[ns]"),
                    }
                ),
                num_rows="dynamic",
                key=f"actions_{forum_id}",
                hide_index=True,
                column_config={
                    "description": st.column_config.TextColumn(t("meetings.action_description")),
                    "owner": st.column_config.SelectboxColumn(
                        t("meetings.action_owner"), options=list(actor_names.values())
                    ),
                    "due_date": st.column_config.DateColumn(t("meetings.action_due")),
                },
            )
            followed: list[int] = []
            if not pending.empty:
                st.write(t("meetings.follow_up", date=pending["meeting_date"].iloc[0]))
                for row in pending.to_dict("records"):
                    if st.checkbox(
                        f"{row['description']} ({row['owner']})", key=f"fu_{forum_id}_{row['action_id']}"
                    ):
                        followed.append(int(row["action_id"]))
            submitted = st.form_submit_button(t("meetings.save"), key="log_submit")
        if submitted:
            with shows_errors():
                by_name = {v: k for k, v in actor_names.items()}
                actions = [
                    ActionInput(
                        str(r["description"] or ""),
                        by_name.get(r["owner"], -1),
                        pd.Timestamp(r["due_date"]).date() if pd.notna(r["due_date"]) else None,
                    )
                    for r in action_table.to_dict("records")
                    if (r.get("description") or r.get("owner"))
                ]
                with ctx.session() as session:
                    meeting = log_meeting(
                        session,
                        ctx.user,
                        MeetingInput(
                            forum_id=forum_id,
                            meeting_date=when,
                            attended=attended,
                            invited_absent=absent,
                            convened_by=convener,
                            documented_by=documenter,
                            purpose=purpose,
                            decisions=decisions,
                            actions=actions,
                            followed_up_action_ids=followed,
                        ),
                    )
                    saved = t("meetings.saved", forum=forum["name"], date=when, id=meeting.id)
                st.session_state["meetings_flash"] = saved
                st.rerun()

with tab_list:
    # A site logs hundreds of meetings over a pilot: one page of the newest, read by the database.
    offset = pager(n_meetings, f"meetings_page_{site_id}")
    with ctx.session() as session:
        meetings = meetings_frame(session, ctx.user, site_id, limit=PAGE_SIZE, offset=offset)
    shown = meetings.assign(
        convened_by=meetings["convened_by"].map(actor_names),
        documented_by=meetings["documented_by"].map(actor_names),
    )
    show_table(shown.drop(columns=["forum_id"]), hide_index=True)

with tab_actors:
    show_table(
        actors.assign(
            sector=actors["sector"].map(lambda s: _label(SECTOR_LABELS, s)),
            level=actors["level"].map(lambda s: _label(LEVEL_LABELS, s)),
        ).drop(columns=["site_id", "version"]),
        hide_index=True,
    )
    st.caption(t("meetings.actor_rule"))
    with st.form("add_actor"):
        name = st.text_input(t("meetings.actor_name"), key="actor_name")
        organisation = st.text_input(t("meetings.actor_organisation"), key="actor_organisation")
        sector = st.selectbox(
            t("meetings.actor_sector"),
            SECTORS,
            format_func=lambda s: _label(SECTOR_LABELS, s),
            key="actor_sector",
        )
        level = st.selectbox(
            t("meetings.actor_level"),
            LEVELS,
            format_func=lambda s: _label(LEVEL_LABELS, s),
            key="actor_level",
        )
        confirm = st.checkbox(t("meetings.actor_confirm"), key="actor_confirm")
        add_actor = st.form_submit_button(t("meetings.add_actor"), key="add_actor_submit")
    if add_actor:
        warning = person_name_warning(name, ctx.lang)
        if warning and not confirm:
            st.warning(warning)
        else:
            with shows_errors():
                with ctx.session() as session:
                    create_actor(
                        session,
                        ctx.user,
                        site_id,
                        name=name,
                        organisation=organisation,
                        sector=sector,
                        level=level,
                    )
                st.session_state["meetings_flash"] = t("meetings.actor_saved", name=name)
                st.rerun()

with tab_forums:
    show_table(
        forums.assign(
            member_ids=forums["member_ids"].map(
                lambda ids: ", ".join(actor_names.get(i, str(i)) for i in ids)
            )
        ).drop(columns=["site_id", "version"]),
        hide_index=True,
    )
    with st.form("add_forum"):
        fname = st.text_input(t("meetings.forum_name"), key="forum_name")
        fpurpose = st.text_area(t("meetings.purpose"), key="forum_purpose", height=80)
        flevel = st.selectbox(
            t("meetings.actor_level"),
            LEVELS,
            format_func=lambda s: _label(LEVEL_LABELS, s),
            key="forum_level",
        )
        fcadence = st.selectbox(
            t("meetings.cadence"),
            CADENCES,
            format_func=lambda s: _label(CADENCE_LABELS, s),
            key="forum_cadence",
        )
        optional = [None, *actor_names]
        roles = [
            st.selectbox(
                t(f"meetings.{role}"),
                optional,
                format_func=lambda a: actor_names.get(a, "–"),
                key=f"forum_{role}",
            )
            for role in ("convened_by", "documented_by", "followed_up_by")
        ]
        members = st.multiselect(
            t("meetings.members"), list(actor_names), format_func=actor_names.get, key="forum_members"
        )
        add_forum = st.form_submit_button(t("meetings.add_forum"), key="add_forum_submit")
    if add_forum:
        with shows_errors():
            with ctx.session() as session:
                create_forum(
                    session,
                    ctx.user,
                    site_id,
                    name=fname,
                    purpose=fpurpose,
                    level=flevel,
                    cadence=fcadence,
                    convener_actor_id=roles[0],
                    documenter_actor_id=roles[1],
                    follow_up_actor_id=roles[2],
                    member_ids=members,
                )
            st.session_state["meetings_flash"] = t("meetings.forum_saved", name=fname)
            st.rerun()
