"""MFoF's national survey of municipalities and regions: validate the answers, summarise shares honestly.

One row of the survey file is one unit: a municipality's verksamhet (förskola, grundskola,
gymnasieskola, ifo_barn_unga; ``kommunkod`` is the four-digit municipality code) or a region's
(mhv, bhv, primarvard; ``kommunkod`` is the region's two-digit county code). Each of the six
questions is answered ja, nej, vet ej or left empty. The counting rules are in ``DEFINITIONS_SV``
/ ``DEFINITIONS_EN`` so pages and reports can show them beside the figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from pilots.access import CurrentUser
from pilots.derived_cache import cached
from pilots.errors import NotFound, Problem, ValidationError
from pilots.survey_store import (  # the validation rules live with the importer (one piece of code)
    ANSWERS,
    MUNICIPAL_UNITS,
    QUESTION_LABELS,
    QUESTIONS,
    REGIONAL_UNITS,
    UNIT_LABELS,
    UNIT_MUNICIPAL,
    UNIT_REGIONAL,
    VERKSAMHET_ALIASES,  # noqa: F401 - re-exported
    reference_codes,
    validate_survey,  # noqa: F401 - re-exported
)

BY_OPTIONS = (None, "skr_group_2017", "county", "verksamhet")
UNKNOWN_GROUP = "okänd"
UNKNOWN_GROUP_NAMES = (
    "SKR-grupp saknas (referensdata ej inläst)",
    "SKR group missing (reference data not imported)",
)

DEFINITIONS_SV = """\
Svarsfrekvens: andel av kommunerna som har svarat. En kommun har svarat när minst en av dess
kommunala verksamheter har besvarat minst en fråga. Regionernas verksamheter (mödrahälsovård,
barnhälsovård, primärvård) räknas inte som svar från en kommun.
Andel kommuner med ja: bland kommuner som har svarat på frågan, andelen där minst en verksamhet
svarar ja. "Vet ej" och tomt svar är inte ja. En kommun där alla verksamheter lämnat frågan tom
räknas inte in i nämnaren för den frågan.
Andel verksamheter med ja (per verksamhet): antal enheter som svarar ja delat med antal enheter som
besvarat frågan (ja, nej eller vet ej).
Varje andel visas med täljare och nämnare."""

DEFINITIONS_EN = """\
Response rate: share of municipalities that answered. A municipality has answered when at least
one of its municipal units answered at least one question. Regional units (maternity care, child
health care, primary care) do not count as a municipality's answer.
Share of municipalities with yes: among municipalities that answered the question, the share where
at least one unit answers yes. "Don't know" and an empty answer are not yes. A municipality whose
units all left the question empty is left out of that question's denominator.
Share of units with yes (per unit type): units answering yes divided by units that answered the
question (yes, no or don't know).
Every share is shown with its numerator and denominator."""


def definitions(lang: str = "sv") -> str:
    """The counting rules, to show beside the figures."""
    return DEFINITIONS_EN if lang == "en" else DEFINITIONS_SV


def question_label(question: str, lang: str = "sv") -> str:
    return QUESTION_LABELS[question][1 if lang == "en" else 0]


def unit_label(verksamhet: str, lang: str = "sv") -> str:
    return UNIT_LABELS[verksamhet][1 if lang == "en" else 0]


def _unit_answered(responses: pd.DataFrame) -> pd.Series:
    return (responses[list(QUESTIONS)] != "").any(axis=1)


def _combine(answers: pd.Series) -> str:
    """A municipality's answer from its units': ja if any ja, else nej if any nej, else vet ej, else ""."""
    values = set(answers)
    for answer in ANSWERS:
        if answer in values:
            return answer
    return ""


def _municipal_units(responses: pd.DataFrame) -> pd.DataFrame:
    units = responses.fillna("")
    if "unit_type" in units.columns:
        return units[units["unit_type"] == UNIT_MUNICIPAL]
    return units[units["verksamhet"].isin(MUNICIPAL_UNITS)]


def municipality_answers(responses: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality: whether it answered, how many units did, and its answer per question.

    A municipality's answer is "ja" when at least one unit says ja, otherwise "nej" when one says
    nej, otherwise "vet ej" when one says vet ej, otherwise "" (no answer). Regional units are ignored.
    """
    units = _municipal_units(responses)
    units = units[_unit_answered(units)]
    grouped = units.groupby("kommunkod")
    table = reference_codes(municipalities)
    table["units_answered"] = table["code"].map(grouped.size()).fillna(0).astype(int)
    table["answered"] = table["units_answered"] > 0
    for q in QUESTIONS:
        combined = grouped[q].agg(_combine) if len(units) else pd.Series(dtype=object)
        table[q] = table["code"].map(combined).fillna("")
    return table.reset_index(drop=True)


def _share_columns(num: int, den: int, prefix: str) -> dict[str, object]:
    return {f"{prefix}_num": num, f"{prefix}_den": den, f"{prefix}_share": num / den if den else np.nan}


def _municipal_row(table: pd.DataFrame) -> dict[str, object]:
    row: dict[str, object] = _share_columns(int(table["answered"].sum()), len(table), "response")
    for q in QUESTIONS:
        row.update(_share_columns(int((table[q] == "ja").sum()), int((table[q] != "").sum()), q))
    return row


def survey_summary(
    responses: pd.DataFrame,
    municipalities: pd.DataFrame,
    by: str | None = None,
    lang: str = "sv",
) -> pd.DataFrame:
    """Response rate and shares of ja, nationally (``by=None``), per SKR group, county or verksamhet.

    For ``None``, ``"skr_group_2017"`` and ``"county"``: one row per group (every group in
    ``municipalities``, answered or not) with ``group``, ``group_name``, ``response_num`` (municipalities
    that answered), ``response_den`` (municipalities in the group), ``response_share``, and per question
    ``<q>_num`` (municipalities with at least one unit saying ja), ``<q>_den`` (municipalities that
    answered the question), ``<q>_share``. For ``"verksamhet"``: one row per unit type with ``units``
    (rows in the file) and per question units saying ja over units that answered it.
    Shares with a zero denominator are NaN. See ``DEFINITIONS_SV``.
    """
    if by not in BY_OPTIONS:
        raise ValidationError(
            Problem("by", f"okänd gruppering {by!r}; tillåtna: ingen, skr_group_2017, county, verksamhet")
        )
    if by == "verksamhet":
        return _summary_by_unit(responses, lang)
    table = municipality_answers(responses, municipalities)
    if by is None:
        name = "Hela landet" if lang != "en" else "Whole country"
        return pd.DataFrame([{"group": "all", "group_name": name, **_municipal_row(table)}])
    code_col, name_col = {
        "skr_group_2017": ("skr_group_2017_code", "skr_group_2017_name"),
        "county": ("county_code", "county_name"),
    }[by]
    # A municipality without reference data is counted in its own group, never dropped.
    missing = table[code_col].isna() | (table[code_col].astype(str).str.strip() == "")
    table.loc[missing, code_col] = UNKNOWN_GROUP
    table.loc[missing, name_col] = UNKNOWN_GROUP_NAMES[1 if lang == "en" else 0]
    rows = [
        {"group": code, "group_name": part[name_col].iloc[0], **_municipal_row(part)}
        for code, part in table.groupby(code_col, sort=True)
    ]
    return pd.DataFrame(rows)


def _summary_by_unit(responses: pd.DataFrame, lang: str) -> pd.DataFrame:
    units = responses.fillna("")
    rows = []
    for unit in (*MUNICIPAL_UNITS, *REGIONAL_UNITS):
        part = units[units["verksamhet"] == unit]
        row: dict[str, object] = {
            "group": unit,
            "group_name": unit_label(unit, lang),
            "unit_type": UNIT_MUNICIPAL if unit in MUNICIPAL_UNITS else UNIT_REGIONAL,
            "units": len(part),
        }
        for q in QUESTIONS:
            row.update(_share_columns(int((part[q] == "ja").sum()), int((part[q] != "").sum()), q))
        rows.append(row)
    return pd.DataFrame(rows)


def pilot_position(
    summary_by_municipality: pd.DataFrame, pilot_codes: Sequence[str], lang: str = "sv"
) -> pd.DataFrame:
    """Where each pilot municipality stands: its own answer per question beside the national share of ja.

    ``summary_by_municipality`` is ``municipality_answers(...)`` for the whole country; the national
    share per question is computed from it (municipalities with ja over municipalities that answered
    the question). One row per pilot and question, in the order given.
    """
    table = summary_by_municipality.set_index(summary_by_municipality["code"].astype(str))
    unknown = [c for c in pilot_codes if str(c) not in table.index]
    if unknown:
        raise NotFound(f"Okända kommunkoder: {', '.join(map(str, unknown))} (unknown municipality codes)")
    national = {q: (int((table[q] == "ja").sum()), int((table[q] != "").sum())) for q in QUESTIONS}
    rows = []
    for code in pilot_codes:
        own = table.loc[str(code)]
        for q in QUESTIONS:
            num, den = national[q]
            rows.append(
                {
                    "municipality_code": str(code),
                    "municipality_name": own["name"],
                    "answered": bool(own["answered"]),
                    "question": q,
                    "question_label": question_label(q, lang),
                    "answer": own[q],
                    "national_num": num,
                    "national_den": den,
                    "national_share": num / den if den else np.nan,
                }
            )
    return pd.DataFrame(rows)


# --- from the database (one query layer for the page, the CLI and the reports) ---------------------


def survey_table(
    session: Session, name: str | None = None, by: str | None = None, lang: str = "sv"
) -> pd.DataFrame:
    """``survey_summary`` of a stored survey (the newest when ``name`` is None), with its name and year."""
    from pilots.municipalities import municipalities_frame
    from pilots.survey_store import find_survey, survey_responses_frame

    survey = find_survey(session, name)
    survey_id, survey_name, year = survey.id, survey.name, survey.year

    def compute() -> pd.DataFrame:
        table = survey_summary(survey_responses_frame(session, survey_id), municipalities_frame(session), by, lang)
        table.insert(0, "survey", survey_name)
        table.insert(1, "year", year)
        return table

    # The same for every reader (shares of the whole country): kept until any write (pilots.derived_cache),
    # since the page reruns on every click and a national survey has over a thousand units.
    return cached(session, ("survey_table", survey_id, by, lang), compute).copy()


def pilot_position_table(
    session: Session, user: CurrentUser, name: str | None = None, lang: str = "sv"
) -> pd.DataFrame:
    """Where the pilot municipalities ``user`` may see stand nationally (empty for presenters)."""
    from pilots.municipalities import municipalities_frame
    from pilots.sites import sites_frame
    from pilots.survey_store import find_survey, survey_responses_frame

    codes = (
        list(dict.fromkeys(sites_frame(session, user)["municipality_code"]))
        if user.sees_site_level_data
        else []
    )
    if not codes:
        return pd.DataFrame()
    survey = find_survey(session, name)
    municipalities = municipalities_frame(session)
    answers = municipality_answers(survey_responses_frame(session, survey.id), municipalities)
    return pilot_position(answers, codes, lang)
