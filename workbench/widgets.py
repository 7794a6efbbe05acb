"""Shared Streamlit pieces: the page context (engine, user, language), error display, banners, downloads."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pilots import db
from pilots.access import ROLE_LABELS, CurrentUser
from pilots.errors import AccessDenied, ValidationError, WorkbenchError
from workbench.i18n import translate


def engine() -> Engine:
    """The process's one engine for the configured database (``pilots.db.get_engine``: engines are
    thread-safe, sessions are not). Shared with the warm-up and the schema check, and independent of
    Streamlit's resource cache, so emptying that cache opens no second pool."""
    return db.get_engine(db.database_url())


@st.cache_resource
def cache_warmer(url: str) -> bool:
    """Start warming the derived-data cache once per server process when ``WORKBENCH_WARM_CACHE`` is on
    (``workbench serve`` turns it on); True when started."""
    from cooperation_model.warmup import WARM_ENV, start_keep_warm

    if os.environ.get(WARM_ENV, "0").strip().lower() in ("", "0", "false", "no"):
        return False
    start_keep_warm(db.get_engine(url))
    return True


def lang() -> str:
    return str(st.session_state.get("lang", "sv"))


def t(key: str, **values: object) -> str:
    """Translate a 'file.key' string in the user's language."""
    return translate(key, lang(), **values)


# Streamlit draws captions in a faded grey (#828180 on white: contrast 3.9:1; WCAG 1.4.3 asks 4.5:1).
# The body colour at 80 % opacity keeps them secondary at about 7:1 (light theme), well above 4.5:1 (dark).
_CONTRAST_CSS = """<style>
[data-testid="stCaptionContainer"] { color: inherit !important; opacity: 0.8; }
</style>"""

# Streamlit's sectioned sidebar navigation renders <ul> > <div> > <header> + <li>, which axe reports as the
# serious violations "list" and "listitem" (WCAG 1.3.1). Marking the <ul> and its <li> as presentational keeps
# the links inside the <nav> landmark with valid semantics; an observer re-applies it on each re-render.
# The language travels in a hidden marker element: Streamlit updates the element in place when the language
# changes and may not run the script again, so the observer (installed once) reads the marker on every change.
_LANG_AND_NAV_JS = """<span id="workbench-lang" data-lang=%s hidden></span>
<script>
(() => {
  const apply = () => {
    const marker = document.getElementById("workbench-lang");
    document.documentElement.lang = marker ? marker.dataset.lang : "sv";
    document.querySelectorAll('ul[data-testid="stSidebarNavItems"]:not([role])').forEach((ul) => {
      ul.setAttribute("role", "none");
    });
    document.querySelectorAll('ul[data-testid="stSidebarNavItems"] li:not([role])').forEach((li) => {
      li.setAttribute("role", "none");
    });
  };
  if (!window.__workbenchA11y) {
    window.__workbenchA11y = true;
    new MutationObserver(apply).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["data-lang"],
    });
  }
  apply();
})();
</script>"""


def accessibility_fixes() -> None:
    """Declare the page language on <html> (Streamlit's index.html always says "en"), keep captions at WCAG
    AA contrast and repair the sidebar navigation list markup. Called once per run by app.py."""
    code = "en" if lang() == "en" else "sv"
    st.html(_CONTRAST_CSS + _LANG_AND_NAV_JS % json.dumps(code), unsafe_allow_javascript=True)


def current_user() -> CurrentUser | None:
    user = st.session_state.get("user")
    return user if isinstance(user, CurrentUser) else None


def role_label(role: str) -> str:
    sv, en = ROLE_LABELS.get(role, (role, role))
    return en if lang() == "en" else sv


@dataclass
class PageContext:
    engine: Engine
    user: CurrentUser
    lang: str

    @contextmanager
    def session(self, face: str = "app") -> Iterator[Session]:
        """A transaction as this user (audited as ``face``: "app", or "import" for uploads)."""
        with db.session_scope(self.engine, user=self.user, face=face) as s:
            yield s


def page_context() -> PageContext:
    """The context every page starts from; stops the page when nobody is logged in."""
    user = current_user()
    if user is None:
        st.warning(t("common.session_expired"))
        st.stop()
    return PageContext(engine=engine(), user=user, lang=lang())


@contextmanager
def shows_errors() -> Iterator[None]:
    """Show a WorkbenchError as a clear message (with every problem listed), never a traceback."""
    try:
        yield
    except ValidationError as err:
        lines = "\n".join(f"- {p}" for p in err.problems)
        head = f"{err.source}: " if err.source else ""
        st.error(f"{t('common.error_prefix')} {head}\n\n{lines}")
    except AccessDenied as err:
        st.error(f"{t('common.access_denied')} {err}")
    except WorkbenchError as err:
        st.error(f"{t('common.error_prefix')} {err}")


def demo_banner(is_demo: bool) -> None:
    """The banner every page built from demo data shows."""
    if is_demo:
        st.warning(t("common.demo_banner"), icon=":material/science:")


def personal_data_hint() -> None:
    st.caption(t("common.personal_data_warning"))


def provisional_badge(status: str) -> None:
    if status != "verified":
        st.info(t("common.provisional"), icon=":material/construction:")


def download_frame(frame: Any, file_stem: str, key: str) -> None:
    """CSV download of a table (formula-safe, UTF-8 with BOM so Excel reads å ä ö)."""
    from pilots.exporting import records_to_bytes

    st.download_button(t("common.download_csv"), data=records_to_bytes(frame, "csv"),
                       file_name=f"{file_stem}.csv", mime="text/csv", key=key)


_TABLE_MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download_on_click(read_frame: Callable[[], Any], file_stem: str, key: str,
                      formats: Sequence[str] = ("csv",)) -> None:
    """Download buttons for a whole (filtered) list that is read only when a button is clicked.

    A listing page shows one page of rows; the export holds every matching row, so it is not read on
    every rerun. ``read_frame`` opens its own session (it runs after the page script, on click).
    """
    from pilots.exporting import records_to_bytes

    columns = st.columns(len(formats))
    for column, fmt in zip(columns, formats, strict=True):

        def render(fmt: str = fmt) -> bytes:
            return records_to_bytes(read_frame(), fmt)

        column.download_button(
            t(f"common.download_{fmt}"), data=render, file_name=f"{file_stem}.{fmt}", mime=_TABLE_MIME[fmt],
            key=f"{key}_{fmt}", on_click="ignore",
        )


PAGE_SIZE = 50


def pager(total: int, key: str, *, page_size: int = PAGE_SIZE, filters: object = None) -> int:
    """A page selector for a list of ``total`` rows (counted by the database); returns the offset to read.

    Shows which rows are on the page and how many there are in all. The page number is kept per ``key``;
    it goes back to the first page when ``filters`` (any comparable value) change, and into range when
    the list shrinks.
    """
    pages = max(1, -(-total // page_size))
    seen = f"{key}__filters"
    if st.session_state.get(seen, filters) != filters:
        st.session_state[key] = 1
    st.session_state[seen] = filters
    if int(st.session_state.get(key, 1)) > pages:
        st.session_state[key] = pages
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    page = 1
    if pages > 1:
        page = int(left.number_input(t("common.page", pages=pages), min_value=1, max_value=pages, step=1,
                                     key=key))
    offset = (page - 1) * page_size
    first, last = (offset + 1, min(offset + page_size, total)) if total else (0, 0)
    right.caption(t("common.rows_shown", first=first, last=last, total=total))
    return offset


def site_picker(sites: Any, label: str, key: str) -> int:
    """Choose one site from a ``sites_frame`` (the first is chosen until the user picks another)."""
    from pilots.sites import site_names

    names = site_names(sites)
    return int(st.selectbox(label, list(names), format_func=lambda s: names.get(s, str(s)), key=key))


_IMAGE_MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def chart_image_bytes(fig: Any, fmt: str) -> bytes:
    """The chart as PNG, SVG or PDF; without a Chromium the download holds the message naming the package."""
    from cooperation_model.export import figures_to_images

    try:
        return figures_to_images([fig], fmt)[0]
    except WorkbenchError as err:
        return str(err).encode("utf-8")


def show_chart(fig: Any, key: str, file_stem: str | None = None) -> None:
    """A chart with PNG/SVG/PDF downloads; images are rendered only when a button is clicked.

    Maps get the offline base map so no browser ever fetches one from the internet.
    """
    from cooperation_model.export import OFFLINE_TOPOJSON_URL, safe_file_name

    st.plotly_chart(fig, key=key, width="stretch", config={"topojsonURL": OFFLINE_TOPOJSON_URL})
    stem = safe_file_name(file_stem or str(fig.layout.title.text or key))
    columns = st.columns(3)
    for column, fmt in zip(columns, ("png", "svg", "pdf"), strict=True):

        def render(fmt: str = fmt) -> bytes:
            return chart_image_bytes(fig, fmt)

        column.download_button(
            t("common.download_chart", fmt=fmt.upper()), data=render, file_name=f"{stem}.{fmt}",
            mime=_IMAGE_MIME[fmt], key=f"{key}_{fmt}", on_click="ignore",
        )


def column_headers(frame: Any) -> Any:
    """The frame with its known internal column names replaced by headers in the user's language."""
    from workbench.i18n import catalogue

    labels = catalogue(lang())
    rename = {c: labels[f"columns.{c}"] for c in frame.columns if f"columns.{c}" in labels}
    return frame.rename(columns=rename) if rename else frame


def show_table(frame: Any, *, hide_index: bool = True, **kwargs: Any) -> Any:
    """A table with headers in the user's language; returns what st.dataframe returns (row selections)."""
    return st.dataframe(column_headers(frame), hide_index=hide_index, **kwargs)
