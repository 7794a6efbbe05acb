"""Demo part: a fictitious national survey 2022 (Exempeldata), about 220 of 290 municipalities answering.

Shares are drawn near MFoF's published 2022 figures (21 % decision, 21 % preventive routines, 38 %
mapping, 42 % training plan, about half with a coordinator, 41 % cooperation routines); every answer
is invented and deterministic (random.Random(demo.seed)). Only the eight demo municipalities carry
SKR groups, so the by-group view shows the rest as "okänd" until reference data is imported.
"""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from pilots.access import SYSTEM_USER
from pilots.importing import ImportFile, ImportRow
from pilots.models import Municipality
from pilots.survey_store import MUNICIPAL_UNITS, QUESTIONS, REGIONAL_UNITS, store_survey

SURVEY_NAME = "Nationell enkät 2022 (exempeldata)"
TARGET_SHARES = {
    "beslut": 0.21,
    "rutiner_forebyggande": 0.21,
    "kartlaggning_3ar": 0.38,
    "utbildningsplan": 0.42,
    "samordnare": 0.50,
    "rutiner_samverkan": 0.41,
}
RESPONDING_MUNICIPALITIES = 220


def _unit_answer(rng: random.Random, municipality_yes: bool, is_first_yes_unit: bool) -> str:
    if municipality_yes and is_first_yes_unit:
        return "ja"
    roll = rng.random()
    if municipality_yes and roll < 0.4:
        return "ja"
    return "" if roll > 0.93 else ("vet ej" if roll > 0.8 else "nej")


def survey_rows(seed: int, codes: list[str], counties: list[str]) -> list[dict[str, str]]:
    """The demo's survey rows: four units for each responding municipality, three per region."""
    rng = random.Random(seed)
    responding = sorted(rng.sample(codes, RESPONDING_MUNICIPALITIES))
    yes_sets = {
        q: set(rng.sample(responding, round(share * len(responding)))) for q, share in TARGET_SHARES.items()
    }
    rows = []
    for code in responding:
        units = [u for u in MUNICIPAL_UNITS if rng.random() < 0.93] or [MUNICIPAL_UNITS[0]]
        yes = {q: code in yes_sets[q] for q in QUESTIONS}
        first = {q: rng.randrange(len(units)) for q in QUESTIONS}
        for i, unit in enumerate(units):
            rows.append(
                {
                    "kommunkod": code,
                    "verksamhet": unit,
                    **{q: _unit_answer(rng, yes[q], first[q] == i) for q in QUESTIONS},
                }
            )
    for county in counties:
        for unit in REGIONAL_UNITS:
            rows.append(
                {
                    "kommunkod": county,
                    "verksamhet": unit,
                    **{q: "ja" if rng.random() < TARGET_SHARES[q] + 0.1 else "nej" for q in QUESTIONS},
                }
            )
    return rows


def build(session: Session, demo) -> None:  # type: ignore[no-untyped-def]
    codes = sorted(session.scalars(select(Municipality.code)))
    counties = sorted(set(session.scalars(select(Municipality.county_code))))
    rows = survey_rows(demo.seed, codes, counties)
    data = ImportFile(
        "exempel-nationell-enkat-2022.csv", tuple(ImportRow(n + 2, row) for n, row in enumerate(rows))
    )
    store_survey(session, SYSTEM_USER, data, name=SURVEY_NAME, year=2022, is_demo=True)
