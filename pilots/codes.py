"""The coded lists of cooperation records (stored values; labels live in the UI catalogues and figures)."""

from __future__ import annotations

SECTORS: tuple[str, ...] = (
    "socialtjänst",
    "skola",
    "förskola",
    "elevhälsa",
    "fritid",
    "polis",
    "bvc_mvc",
    "halso_sjukvard",
    "civilsamhalle",
    "trossamfund",
    "migrationsverket",
    "region",
    "ovrigt",
)
LEVELS: tuple[str, ...] = ("strategisk", "operativ", "arendeniva")
CADENCES: tuple[str, ...] = ("veckovis", "varannan_vecka", "manadsvis", "kvartalsvis")
ACTION_STATUSES: tuple[str, ...] = ("open", "done", "cancelled")
FLOW_KINDS: tuple[str, ...] = ("information", "referral")
RATING_LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
