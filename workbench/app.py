"""The Streamlit entrypoint: who the user is, the language, and the pages for that user's role."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pilots import db  # noqa: E402
from pilots.errors import WorkbenchError  # noqa: E402
from pilots.users import LoginFailed, authenticate, user_for_email  # noqa: E402
from workbench.i18n import LANGUAGES  # noqa: E402
from workbench.pages import PAGES_DIR, pages_for  # noqa: E402
from workbench.widgets import accessibility_fixes, cache_warmer, current_user, engine, lang, role_label, t  # noqa: E402

SESSION_MINUTES = int(os.environ.get("WORKBENCH_SESSION_MINUTES", "480"))

st.set_page_config(page_title="Pilotarbetsbänken", page_icon=":material/hub:", layout="wide")


def _language_switch() -> None:
    st.session_state.setdefault("lang", "sv")
    st.sidebar.radio(
        t("common.language"), LANGUAGES, key="lang", horizontal=True,
        format_func=lambda code: {"sv": "Svenska", "en": "English"}[code],
    )


def _expire_session() -> None:
    started = st.session_state.get("logged_in_at")
    if current_user() and started and datetime.now() - started > timedelta(minutes=SESSION_MINUTES):
        st.session_state.pop("user", None)
        st.session_state["expired"] = True


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def _login_page() -> None:
    st.title(t("common.app_title"))
    st.caption(t("common.app_subtitle"))
    if st.session_state.pop("expired", False):
        st.info(t("common.session_expired"))
    st.write(t("login.intro"))
    with st.form("login"):
        username = st.text_input(t("login.username"), key="login_username")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"))
    if submitted:
        try:
            with db.session_scope(engine(), face="app") as session:
                user = authenticate(session, username, password)
        except LoginFailed as err:
            st.error(str(err))
        except WorkbenchError as err:
            st.error(f"{t('common.error_prefix')} {err}")
        else:
            st.session_state["user"] = user
            st.session_state["logged_in_at"] = datetime.now()
            st.rerun()
    if _sso_configured():
        if getattr(st.user, "is_logged_in", False):
            try:
                with db.session_scope(engine(), face="app") as session:
                    st.session_state["user"] = user_for_email(session, str(st.user.email))
                st.session_state["logged_in_at"] = datetime.now()
                st.rerun()
            except WorkbenchError:
                st.error(t("login.sso_not_registered"))
        elif st.button(t("login.sso")):
            st.login()


def _logout() -> None:
    for key in list(st.session_state.keys()):
        if key != "lang":
            del st.session_state[key]
    if _sso_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


@st.cache_data(ttl=60, show_spinner=False)
def _schema_problem(url: str) -> str | None:
    """A clear message when the database cannot be used (unreachable, empty or behind the code)."""
    try:
        db.ensure_schema_current(db.get_engine(url))
    except WorkbenchError as err:
        return str(err)
    return None


def main() -> None:
    _language_switch()
    accessibility_fixes()
    problem = _schema_problem(db.database_url())
    if problem:
        st.error(problem)
        return
    cache_warmer(db.database_url())
    if "token" in st.query_params:  # an invitation link: the respondent answers without an account
        st.navigation([st.Page(str(PAGES_DIR / "invitation.py"), title=t("invitation.title"), default=True)],
                      position="hidden").run()
        return
    _expire_session()
    user = current_user()
    if user is None:
        st.navigation([st.Page(_login_page, title=t("login.title"), icon=":material/login:", url_path="login")],
                      position="hidden").run()
        return
    st.sidebar.caption(t("common.logged_in_as", name=user.display_name or user.username, role=role_label(user.role)))
    st.sidebar.button(t("common.logout"), on_click=_logout, key="logout")
    sections: dict[str, list[st.Page]] = {}
    for spec in pages_for(user.role):
        page = st.Page(str(spec.path), title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path,
                       default=spec.module == "home")
        sections.setdefault(t(f"common.{spec.section}"), []).append(page)
    if not sections:
        st.error(t("common.no_pages"))
        return
    st.navigation(sections, expanded=True).run()  # every page visible; no "View more" fold


main()
_ = lang  # keeps the import used for pages that read the language from session state
