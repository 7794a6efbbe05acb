"""Demo part: phases and milestones for every demo site, a follow-research log, and quarterly indicator values."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from pilots.access import SYSTEM_USER
from pilots.indicators import sync_indicator_definitions
from pilots.log import parse_tags
from pilots.models import IndicatorValue, LogEntry, LogTag, Milestone
from pilots.plans import DEFAULT_PHASES, add_phase

PHASE_MONTHS = [(1, 3), (3, 4), (4, 7), (7, 11), (10, 12)]
MILESTONES = [
    ("Kartläggning", "Kartläggning av nuläget klar", date(2025, 3, 31)),
    ("Beslut", "Styrgruppen har beslutat handlingsplan", date(2025, 4, 30)),
    ("Bygga strukturer", "Samverkansöverenskommelse undertecknad", date(2025, 6, 13)),
    ("Bygga strukturer", "Operativ samverkansgrupp har fasta mötestider", date(2025, 8, 29)),
    ("Genomförande", "Basutbildning om hedersrelaterat våld genomförd", date(2025, 9, 30)),
    ("Genomförande", "Föräldraträffar startade i målområdena", date(2025, 10, 17)),
    ("Uppföljning", "Uppföljningsrapport till styrgruppen", date(2025, 12, 12)),
]

# (kind, source type, text, tags) — about organisations and functions, never individuals.
LOG_TEMPLATES: list[tuple[str, str, str, str]] = [
    ("observation", "mötesanteckningar",
     "Operativa gruppen träffades med socialtjänst, skola och fritid. Förskolan saknades för andra gången; "
     "samordnaren tar kontakt med förskolechefen om representation.",
     "samverkan-systematik:c07-ratt-aktorer-mandat; aktorer-med-mandat"),
    ("decision", "protokoll",
     "Styrgruppen beslutade att socialtjänstens samordnare sammankallar det operativa nätverket och att "
     "anteckningar förs av fritidsförvaltningen.",
     "samverkan-systematik:c03-namngiven-sammankallande; namngiven-dokumentansvarig"),
    ("document_analysis", "styrdokument",
     "Genomgång av kommunens handlingsplan mot våld i nära relationer: hedersrelaterat våld nämns men utan "
     "egna mål eller ansvarsfördelning mellan förvaltningarna.",
     "styrdokument; rutin-hrv"),
    ("interview", "gruppintervju",
     "Gruppintervju med tre rektorer: elevhälsan vet inte vart oro ska anmälas när den gäller flera syskon "
     "i olika skolor. Efterfrågar en gemensam rutin med socialtjänsten.",
     "informationsdelning-sekretess; rutin-hrv"),
    ("workshop", "workshopdokumentation",
     "Workshop om lägesbilden med polisen och fältgruppen. Deltagarna enades om att föräldrars erfarenheter "
     "ska samlas in via föräldraträffarna och redovisas som antal och teman.",
     "lagesbild-foraldraperspektiv:d09-foraldrars-erfarenheter; foraldrars-erfarenheter"),
    ("reflection", "egen reflektion",
     "Mötena har blivit mer regelbundna sedan februari men åtaganden följs sällan upp vid nästa möte. "
     "Förslag till styrgruppen: stående punkt om föregående mötes åtaganden.",
     "samverkan-systematik:c06-uppfoljning-ataganden; uppfoljning-av-ataganden"),
    ("observation", "mötesanteckningar",
     "Civilsamhällets nätverk deltog för första gången i samverkansmötet; två trossamfund och en "
     "föräldraförening presenterade sina verksamheter för familjer.",
     "malgruppens-rost; samverkan-systematik:c12-malgruppens-rost"),
    ("decision", "protokoll",
     "Socialnämnden antog den skriftliga samverkansrutinen för hedersrelaterat våld. Rutinen ska följas "
     "upp inom 24 månader.",
     "skriftlig-overenskommelse; samverkan-systematik:c08-skriftlig-overenskommelse; politiskt-beslut"),
    ("document_analysis", "handlingsplan",
     "Lägesbilden enligt lag (2023:196) innehåller data om brottslighet per område men inget om utbud "
     "av eller deltagande i föräldraskapsstöd.",
     "lagesbild-foraldraperspektiv:d11-data-foraldraskapsstod; data-foraldraskapsstod"),
    ("interview", "intervju med funktion",
     "Intervju med enhetschef inom individ- och familjeomsorgen: utbildningsbehovet är störst i förskolan "
     "och på fritidsgårdarna; budget för handledning saknas efter sommaren.",
     "kompetensplan; kompetens-handledning; langsiktig-finansiering"),
    ("workshop", "workshopdokumentation",
     "Gemensam genomgång av ansvarsfördelningen: syftet med nätverket formulerades skriftligt och skickas "
     "ut till alla förvaltningar före nästa möte.",
     "tydligt-syfte; samverkan-systematik:c02-tydligt-syfte"),
    ("reflection", "egen reflektion",
     "Ledningens stöd märks tydligt: förvaltningscheferna deltar i styrgruppen och har avsatt tid för "
     "samordnaren. Risk att arbetet stannar när projektmedlen tar slut.",
     "ledningens-stod; langsiktig-finansiering"),
    ("observation", "e-post",
     "Polisens kommunpolis och kommunens trygghetssamordnare har nu gemensamma månadsmöten om lägesbilden.",
     "samverkan-polis; lagesbild-foraldraperspektiv:d06-samverkan-polis"),
    ("decision", "mötesanteckningar",
     "Operativa gruppen beslutade att återkoppla till styrgruppen varje kvartal med en kort skriftlig "
     "rapport om åtaganden och hinder.",
     "aterkoppling-till-ledning; samverkan-systematik:c11-aterkoppling-ledning"),
]


def _known(tags: str, vocabulary: set[str] | None) -> list[str]:
    return [t for t in parse_tags(tags) if vocabulary is None or t in vocabulary]


def _vocabulary() -> set[str] | None:
    try:
        from instruments.schema import load_builtin_definitions

        from pilots.log import tags_from_instruments

        return set(tags_from_instruments(load_builtin_definitions()))
    except Exception:  # noqa: BLE001 - the demo works without the instruments, with the tags as written
        return None


def _plan(session: Session, site: Any, rng: random.Random) -> None:
    phases = {}
    for position, (name, (m1, m2)) in enumerate(zip(DEFAULT_PHASES, PHASE_MONTHS, strict=True)):
        start, end = date(2025, m1, 1), date(2025, m2, 28)
        slip = timedelta(days=rng.choice([0, 0, 7, 14, 30]))
        phases[name] = add_phase(session, SYSTEM_USER, site.id, name, position=position, planned_start=start,
                                 planned_end=end, actual_start=start + slip,
                                 actual_end=min(end + slip, date(2025, 12, 31)) if m2 < 11 else None)
    for index, (phase, name, planned) in enumerate(MILESTONES):
        # Early milestones are mostly done; later ones increasingly left undone (late).
        done = rng.random() < 0.95 - 0.11 * index
        actual = min(planned + timedelta(days=rng.randint(-10, 45)), date(2025, 12, 31)) if done else None
        session.add(Milestone(site_id=site.id, phase_id=phases[phase].id, name=name, planned_date=planned,
                              actual_date=actual, status="done" if done else ("in_progress" if index > 3 else
                                                                              "planned"),
                              notes="" if done else "Försenad enligt samordnaren; ny tidplan tas fram."))


def _log(session: Session, site: Any, rng: random.Random, vocabulary: set[str] | None, author: Any) -> None:
    day = date(2025, 2, 3) + timedelta(days=rng.randint(0, 4))
    templates = LOG_TEMPLATES[:]
    rng.shuffle(templates)
    for kind, source, text, tags in templates:
        session.add(LogEntry(site_id=site.id, entry_date=day, kind=kind, source_type=source, text=text,
                             author_user_id=getattr(author, "id", None),
                             tags=[LogTag(tag=t) for t in _known(tags, vocabulary)]))
        day += timedelta(days=rng.randint(2, 5))


def _indicators(session: Session, site: Any, rng: random.Random, size: float) -> None:
    routines_from = rng.choice([2, 3, 4, 5])
    reached = 0
    for quarter in range(4):
        start = date(2025, 3 * quarter + 1, 1)
        end = (date(2025, 3 * quarter + 4, 1) if quarter < 3 else date(2026, 1, 1)) - timedelta(days=1)
        activities = max(0, round(size * (2 + 3 * quarter) + rng.randint(-2, 3)))
        reached = max(0, round(activities * rng.uniform(6, 11)))
        values = {
            "foraldraskapsstod_aktiviteter": activities,
            "foraldrar_nadda": reached,
            "andel_i_malomraden": round(rng.uniform(35, 80), 1) if reached else 0.0,
            "personal_utbildad": max(0, round(size * rng.randint(5, 25))),
            "skriftliga_rutiner": 1.0 if quarter + 2 >= routines_from else 0.0,
        }
        for code, value in values.items():
            session.add(IndicatorValue(site_id=site.id, indicator_code=code, period_start=start, period_end=end,
                                       value=float(value), note="Exempeldata"))


def build(session: Session, demo) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(demo.seed + 3)
    sync_indicator_definitions(session)
    vocabulary = _vocabulary()
    for key in sorted(demo.sites):
        site = demo.sites[key]
        slug = key.split(":")[0]
        author = demo.users.get("forskare-bra" if slug == "bra-lagesbild" else "forskare")
        population = site.municipality.population or 50000
        size = min(3.0, max(0.5, (population / 60000) ** 0.5))
        _plan(session, site, rng)
        _log(session, site, rng, vocabulary, author)
        _indicators(session, site, rng, size)
    session.flush()
