"""The page registry: which page modules exist, their section, and the roles that see them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).parent
ALL_ROLES = ("admin", "researcher", "mfof", "municipality", "presenter")


@dataclass(frozen=True)
class PageSpec:
    """A page: its module file, title key, Material icon, section key, roles and URL path."""

    module: str
    title_key: str
    icon: str
    section: str
    roles: tuple[str, ...]
    url_path: str

    @property
    def path(self) -> Path:
        return PAGES_DIR / f"{self.module}.py"


PAGES: list[PageSpec] = [
    PageSpec("home", "home.title", ":material/home:", "section_overview", ALL_ROLES, "start"),
    PageSpec("reference", "reference.title", ":material/map:", "section_admin", ("admin", "mfof", "researcher"),
             "referensdata"),
    PageSpec("users", "users.title", ":material/group:", "section_admin", ("admin",), "anvandare"),
    PageSpec("meetings", "meetings.title", ":material/groups:", "section_cooperation", ("admin", "researcher", "mfof", "municipality"), "moten"),
    PageSpec("network", "network.title", ":material/hub:", "section_cooperation", ("admin", "researcher", "mfof", "municipality"), "natverk"),
    PageSpec("forums", "forums.title", ":material/event_repeat:", "section_cooperation", ("admin", "researcher", "mfof", "municipality"), "forum"),
    PageSpec("sites", "sites.title", ":material/location_city:", "section_pilots", ("admin", "researcher", "mfof", "municipality"), "platser"),
    PageSpec("timeline", "timeline.title", ":material/timeline:", "section_pilots", ("admin", "researcher", "mfof", "municipality"), "tidslinje"),
    PageSpec("log", "log.title", ":material/edit_note:", "section_pilots", ("admin", "researcher", "mfof", "municipality"), "logg"),
    PageSpec("indicators", "indicators.title", ":material/monitoring:", "section_pilots", ("admin", "researcher", "mfof", "municipality"), "indikatorer"),
    PageSpec("data_import", "data_import.title", ":material/upload_file:", "section_pilots", ("admin", "researcher", "mfof", "municipality"), "import-export"),
    PageSpec("trash", "trash.title", ":material/delete:", "section_admin", ("admin",), "papperskorg"),
    PageSpec("audit", "audit.title", ":material/policy:", "section_admin", ("admin",), "granskningslogg"),
    PageSpec("dashboard", "dashboard.title", ":material/dashboard:", "section_overview", ("admin", "mfof", "researcher"), "oversikt"),
    PageSpec("map", "map.title", ":material/public:", "section_overview", ("admin", "mfof", "researcher", "presenter"), "karta"),
    PageSpec("site_detail", "site_detail.title", ":material/location_on:", "section_overview", ("admin", "mfof", "researcher"), "plats"),
    PageSpec("compare", "compare.title", ":material/compare_arrows:", "section_analysis", ("admin", "mfof", "researcher", "presenter"), "jamfor"),
    PageSpec("consistency", "consistency.title", ":material/rule:", "section_analysis", ("admin", "mfof", "researcher"), "konsistens"),
    PageSpec("survey", "survey.title", ":material/poll:", "section_analysis", ("admin", "mfof", "researcher", "presenter"), "enkat"),
    PageSpec("assessment", "assessment.title", ":material/checklist:", "section_assessment", ("admin", "researcher", "municipality"), "sjalvskattning"),
    PageSpec("rounds", "rounds.title", ":material/event_available:", "section_assessment", ("admin", "researcher", "mfof", "municipality"), "matomgangar"),
    PageSpec("assessment_results", "assessment_results.title", ":material/radar:", "section_assessment", ("admin", "researcher", "mfof", "municipality"), "resultat"),
    PageSpec("report", "report.title", ":material/description:", "section_reports", ("admin", "researcher", "mfof"), "rapport"),
    PageSpec("charts", "charts.title", ":material/bar_chart:", "section_reports", ("admin", "researcher", "mfof", "presenter"), "diagram"),
    PageSpec("model_adoption", "model_adoption.title", ":material/playlist_add_check:", "section_reports", ("admin", "researcher", "mfof", "municipality"), "modell"),
    PageSpec("instrument_admin", "instrument_admin.title", ":material/rule_settings:", "section_admin", ("admin", "mfof"), "instrument"),
]


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role sees, in registry order."""
    return [p for p in PAGES if role in p.roles and p.path.exists()]


def register(spec: PageSpec) -> None:
    """Add a page (used by capability modules listed in EXTRA_PAGE_MODULES)."""
    if all(p.module != spec.module for p in PAGES):
        PAGES.append(spec)
