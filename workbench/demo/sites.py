"""Demo part: reference facts for the demo municipalities, the pilots, their sites and the demo accounts."""

from __future__ import annotations

import csv
from datetime import date

from sqlalchemy.orm import Session

from pilots.access import SYSTEM_USER
from pilots.db import PROJECT_ROOT
from pilots.models import Municipality, ReferenceSource
from pilots.municipalities import SKR_GROUP_NAMES_2017, SKR_GROUP_NAMES_2023
from pilots.sites import add_site, create_pilot
from pilots.users import create_user, hash_password

FACTS = PROJECT_ROOT / "data" / "demo" / "municipality_facts.csv"

PILOTS = [
    {
        "slug": "tryggvaxt",
        "name": "TryggVäxt",
        "kind": "pilot",
        "purpose": "Ett år av att bygga samverkansstrukturer för systematiskt förebyggande arbete mot "
                   "hedersrelaterat våld och förtryck, med stöd till föräldrar. Följs av en följeforskare "
                   "vid FoU socialtjänst Västerbotten.",
        "start_date": date(2025, 1, 1),
        "end_date": date(2025, 12, 31),
        "sites": [("2482", "Samordnare för TryggVäxt, socialtjänsten",
                   "Styrgrupp (förvaltningschefer), operativ TryggVäxt-grupp, nätverk med civilsamhället")],
    },
    {
        "slug": "bra-lagesbild",
        "name": "MFoF–Brå: föräldraperspektivet i lägesbilden",
        "kind": "pilot",
        "purpose": "MFoF och Brå följer fyra kommuner med utsatta områden som lägger till föräldrarnas perspektiv "
                   "i den kommunala lägesbilden enligt lag (2023:196).",
        "start_date": date(2025, 1, 1),
        "end_date": date(2025, 12, 31),
        "sites": [
            ("1880", "Kommunens brottsförebyggande samordnare", "Samverkansgrupp med kommunpolisen, BRÅ-råd"),
            ("1480", "Samordnare trygghet, stadsområde Sydväst", "Lokal styrgrupp, SSPF-grupper"),
            ("0127", "Samordnare för trygghet och brottsförebyggande", "Styrgrupp, operativ grupp, föräldraråd"),
            ("1280", "Samordnare, avdelningen för trygghet", "Lokalt brottsförebyggande råd, SSPF"),
        ],
    },
    {
        "slug": "jamforelse-fou",
        "name": "Jämförelsekommuner (FoU-kollegor i andra regioner)",
        "kind": "comparison",
        "purpose": "Kommuner av andra storlekar och i andra regioner som följs av FoU-kollegor, för att pröva om "
                   "det som fungerar i Skellefteå också fungerar i en storstad och i en glesbygdskommun.",
        "start_date": date(2025, 1, 1),
        "end_date": date(2025, 12, 31),
        "sites": [
            ("0180", "Samordnare, stadsledningskontoret", "Stadsövergripande nätverk mot hedersrelaterat våld"),
            ("2422", "Socialchef", "Gemensam arbetsgrupp socialtjänst–skola–region"),
            ("2281", "Utvecklingsledare, socialtjänsten", "Styrgrupp och operativ samverkansgrupp"),
        ],
    },
]

USERS = [
    ("admin", "admin", "Administratör (exempel)", None, []),
    ("forskare", "researcher", "Följeforskare FoU Västerbotten (exempel)", None, ["tryggvaxt", "jamforelse-fou"]),
    ("forskare-bra", "researcher", "Följeforskare Brå-piloten (exempel)", None, ["bra-lagesbild"]),
    ("mfof", "mfof", "Analytiker MFoF (exempel)", None, []),
    ("skelleftea", "municipality", "Skellefteå kommun (exempel)", "2482", []),
    ("orebro", "municipality", "Örebro kommun (exempel)", "1880", []),
    ("presentator", "presenter", "Konferenspresentatör (exempel)", None, []),
]


def load_demo_facts(session: Session) -> None:
    """Give the demo municipalities their population and SKR groups (real SCB/SKR figures for 2023)."""
    with FACTS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        m = session.get(Municipality, row["code"])
        if m is None:
            continue
        if m.population is None:
            m.population = int(row["population"])
            m.population_year = int(row["population_year"])
        if m.skr_group_2017_code is None:
            m.skr_group_2017_code = row["skr_group_2017_code"]
            m.skr_group_2017_name = SKR_GROUP_NAMES_2017[row["skr_group_2017_code"]]
        if m.skr_group_2023_code is None:
            m.skr_group_2023_code = row["skr_group_2023_code"]
            m.skr_group_2023_name = SKR_GROUP_NAMES_2023[row["skr_group_2023_code"]]
    session.add(ReferenceSource(kind="population", source="SCB folkmängd 31 december 2023 (endast demokommunerna)",
                                year=2023, file_name=FACTS.name, rows=len(rows), is_demo=True))
    session.add(ReferenceSource(kind="skr_group_2017", source="SKR kommungruppsindelning 2017 (endast demokommunerna)",
                                year=2017, file_name=FACTS.name, rows=len(rows), is_demo=True))
    session.add(ReferenceSource(kind="skr_group_2023", source="SKR kommungruppsindelning 2023 (endast demokommunerna)",
                                year=2023, file_name=FACTS.name, rows=len(rows), is_demo=True))
    session.flush()


def build(session: Session, demo) -> None:  # type: ignore[no-untyped-def]
    from workbench.demo import demo_password

    load_demo_facts(session)
    for spec in PILOTS:
        pilot = create_pilot(session, SYSTEM_USER, slug=spec["slug"], name=spec["name"], purpose=spec["purpose"],
                             start_date=spec["start_date"], end_date=spec["end_date"], kind=spec["kind"],
                             is_demo=True)
        demo.pilots[pilot.slug] = pilot
        for code, contact, organisation in spec["sites"]:
            site = add_site(session, SYSTEM_USER, pilot, code, contact_role=contact,
                            project_organisation=organisation,
                            context_notes="Exempeldata: fiktiv beskrivning av lokala förutsättningar.")
            demo.sites[f"{pilot.slug}:{code}"] = site
    shared_hash = hash_password(demo_password())  # one argon2 hash for all demo accounts (hashing is slow)
    for username, role, name, municipality, pilot_slugs in USERS:
        demo.users[username] = create_user(session, username, None, role, display_name=name,
                                           municipality_code=municipality, pilot_slugs=pilot_slugs,
                                           password_hash=shared_hash)
