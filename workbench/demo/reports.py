"""Demo part: a follow-researcher's commentary sections in the TryggVäxt model report (Exempeldata)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cooperation_model.report.content import save_commentary
from pilots.access import SYSTEM_USER

COMMENTARY = [
    (
        "sammanfattning",
        "Läsanvisning för utkastet",
        "Det här är ett första utkast som följeforskaren har genererat ur arbetsverktyget. Siffrorna bygger på "
        "mötesloggen och självskattningarna fram till och med hösten 2025.\n\n"
        "Kommentarerna i kursiv stil är mina egna tolkningar och ska stämmas av med styrgruppen innan rapporten "
        "går till MFoF.",
    ),
    (
        "evidens",
        "Tolkning av mötesloggen",
        "Styrgruppen möts som planerat varje kvartal och för protokoll, medan den operativa gruppen har tappat "
        "takt under sommaren. Uppföljningen av åtgärder har blivit bättre sedan en samordnare fick mandat att "
        "sammankalla och följa upp.",
    ),
    (
        "begransningar",
        "Vad underlaget inte bär",
        "TryggVäxt är en enda kommun. Det som fungerat i Skellefteå behöver prövas i jämförelsekommunerna innan "
        "det kan kallas en framgångsfaktor; självskattningsinstrumenten är dessutom preliminära.",
    ),
]


def build(session: Session, demo) -> None:  # type: ignore[no-untyped-def]
    pilot = demo.pilots.get("tryggvaxt")
    if pilot is None:
        return
    for key, title, text in COMMENTARY:
        row = save_commentary(session, SYSTEM_USER, pilot.id, key, title, text, report_version="utkast")
        row.author = "forskare"
