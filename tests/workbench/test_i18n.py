"""Every UI string exists in Swedish and English, and every key the code asks for exists."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.i18n import catalogue, translate
from workbench.pages import PAGES

ROOT = Path(__file__).resolve().parents[2] / "workbench"


def test_swedish_and_english_catalogues_have_the_same_keys() -> None:
    sv, en = set(catalogue("sv")), set(catalogue("en"))
    assert sv - en == set(), f"missing in English: {sorted(sv - en)}"
    assert en - sv == set(), f"missing in Swedish: {sorted(en - sv)}"


def test_every_key_used_in_the_code_exists() -> None:
    used: set[str] = set()
    for path in ROOT.rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    used |= {p.title_key for p in PAGES} | {f"common.{p.section}" for p in PAGES}
    missing = sorted(k for k in used if k not in catalogue("sv"))
    assert missing == []


def test_swedish_is_the_default_and_values_are_filled_in() -> None:
    assert translate("common.logout") == "Logga ut"
    assert translate("common.logout", "en") == "Log out"
    assert translate("home.welcome", name="Åsa") == "Välkommen, Åsa"


def test_table_headers_follow_the_language(app_as) -> None:
    at = app_as("admin")
    at.switch_page("pages/users.py").run()
    assert {"Användare", "Roll", "Aktiv"} <= set(at.dataframe[0].value.columns)
    at.sidebar.radio(key="lang").set_value("en").run()
    assert {"User", "Role", "Active"} <= set(at.dataframe[0].value.columns)
