"""MFoF's national survey of municipalities and regions: validate the answers, summarise shares honestly.

One row of the survey file is one unit: a municipality's verksamhet (förskola, grundskola,
gymnasieskola, ifo_barn_unga; ``kommunkod`` is the four-digit municipality code) or a region's
(mhv, bhv, primarvard; ``kommunkod`` is the region's two-digit county code). Each of the six
questions is answered ja, nej, vet ej or left empty. The counting rules are in ``DEFINITIONS_SV``
/ ``DEFINITIONS_EN`` so pages and reports can show them beside the figures.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pilots.errors import NotFound, Problem, ValidationError

QUESTIONS: tuple[str, ...] = (
    "beslut",
    "rutiner_forebyggande",
    "kartlaggning_3ar",
    "utbildningsplan",
    "samordnare",
    "rutiner_samverkan",
)
# Short labels of our own; the survey's exact wording is not reproduced here.
QUESTION_LABELS: dict[str, tuple[str, str]] = {
    "beslut": ("Beslut om arbetet mot hedersrelaterat våld och förtryck", "Decision on work against HRV"),
    "rutiner_forebyggande": ("Rutiner för det förebyggande arbetet", "Routines for preventive work"),
    "kartlaggning_3ar": ("Kartläggning de senaste tre åren", "Mapping in the last three years"),
    "utbildningsplan": ("Utbildningsplan", "Training plan"),
    "samordnare": ("Samordnare", "Coordinator"),
    "rutiner_samverkan": ("Rutiner för samverkan", "Routines for cooperation"),
}
MUNICIPAL_UNITS: tuple[str, ...] = ("förskola", "grundskola", "gymnasieskola", "ifo_barn_unga")
REGIONAL_UNITS: tuple[str, ...] = ("mhv", "bhv", "primarvard")
UNIT_LABELS: dict[str, tuple[str, str]] = {
    "förskola": ("Förskola", "Preschool"),
    "grundskola": ("Grundskola", "Compulsory school"),
    "gymnasieskola": ("Gymnasieskola", "Upper secondary school"),
    "ifo_barn_unga": (
        "Individ- och familjeomsorg, barn och unga",
        "Social services, children and young people",
    ),
    "mhv": ("Mödrahälsovård", "Maternity care"),
    "bhv": ("Barnhälsovård", "Child health care"),
    "primarvard": ("Primärvård", "Primary care"),
}
VERKSAMHET_ALIASES: dict[str, str] = {"forskola": "förskola"}
ANSWERS: tuple[str, ...] = ("ja", "nej", "vet ej")
UNIT_MUNICIPAL = "kommun"
UNIT_REGIONAL = "region"
BY_OPTIONS = (None, "skr_group_2017", "county", "verksamhet")

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


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return unicodedata.normalize("NFC", " ".join(str(value).split()))


def _reference(municipalities: pd.DataFrame) -> pd.DataFrame:
    """Municipality codes as four-digit and county codes as two-digit strings, even if read as numbers."""
    table = municipalities.copy()
    table["code"] = table["code"].astype(str).str.strip().str.zfill(4)
    table["county_code"] = table["county_code"].astype(str).str.strip().str.zfill(2)
    return table


def validate_survey(df: pd.DataFrame, municipalities: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """Check every row of a survey file; return it normalised or raise ValidationError listing all problems.

    Rows are numbered as in the file: the header is row 1, the first data row row 2. The result has
    ``row``, ``kommunkod``, ``verksamhet`` (aliases resolved, e.g. "forskola" → "förskola"),
    ``unit_type`` ("kommun" or "region") and the six questions as "ja", "nej", "vet ej" or "".
    """
    columns = {unicodedata.normalize("NFC", str(c)).strip().lower(): c for c in df.columns}
    required = ["kommunkod", "verksamhet", *QUESTIONS]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ValidationError(
            [Problem(f"{file_name}, rad 1", f"kolumnen {c!r} saknas (column missing)") for c in missing],
            source=file_name,
        )
    reference = _reference(municipalities)
    municipal_codes = set(reference["code"])
    county_codes = set(reference["county_code"])
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    out = []
    for position, (_, raw) in enumerate(df.iterrows()):
        row = position + 2

        def where(col: str, row: int = row) -> str:
            return f"{file_name}, rad {row}, kolumn {col}"

        code = _text(raw[columns["kommunkod"]])
        unit = _text(raw[columns["verksamhet"]]).lower()
        unit = VERKSAMHET_ALIASES.get(unit, unit)
        code_type: str | None = None
        if code in municipal_codes and len(code) == 4:
            code_type = UNIT_MUNICIPAL
        elif code in county_codes and len(code) == 2:
            code_type = UNIT_REGIONAL
        elif not code:
            problems.append(Problem(where("kommunkod"), "kommunkod saknas (missing)"))
        else:
            hint = ""
            if code.isdigit() and len(code) == 3 and "0" + code in municipal_codes:
                hint = f"; saknas en inledande nolla? Menade du 0{code}?"
            elif code.isdigit() and len(code) == 1 and "0" + code in county_codes:
                hint = f"; saknas en inledande nolla? Menade du 0{code}?"
            problems.append(
                Problem(
                    where("kommunkod"),
                    f"okänd kommunkod {code!r}: förväntade en kommunkod med fyra siffror eller, för en "
                    f"region, länets kod med två siffror{hint} (unknown code)",
                )
            )
        unit_type: str | None = None
        if unit in MUNICIPAL_UNITS:
            unit_type = UNIT_MUNICIPAL
        elif unit in REGIONAL_UNITS:
            unit_type = UNIT_REGIONAL
        else:
            allowed = ", ".join([*MUNICIPAL_UNITS, *REGIONAL_UNITS])
            problems.append(
                Problem(
                    where("verksamhet"), f"okänd verksamhet {unit!r}; tillåtna: {allowed} (unknown unit type)"
                )
            )
        if code_type and unit_type and code_type != unit_type:
            if unit_type == UNIT_REGIONAL:
                message = (
                    f"{unit!r} är en regional verksamhet men {code} är en kommunkod; ange regionens "
                    f"tvåsiffriga länskod ({code[:2]}) (regional unit with a municipality code)"
                )
            else:
                message = (
                    f"{unit!r} är en kommunal verksamhet men {code} är en länskod (region); ange "
                    "kommunens fyrsiffriga kod (municipal unit with a county code)"
                )
            problems.append(Problem(where("verksamhet"), message))
        answers = {}
        for q in QUESTIONS:
            answer = _text(raw[columns[q]]).lower()
            if answer and answer not in ANSWERS:
                problems.append(
                    Problem(
                        where(q), f"svaret {answer!r} är inte tillåtet; tillåtna: ja, nej, vet ej eller tomt"
                    )
                )
            answers[q] = answer
        if code and unit:
            key = (code, unit)
            if key in seen:
                problems.append(
                    Problem(
                        where("verksamhet"),
                        f"samma enhet ({code}, {unit}) finns redan på rad {seen[key]} (duplicate unit)",
                    )
                )
            else:
                seen[key] = row
        out.append({"row": row, "kommunkod": code, "verksamhet": unit, "unit_type": unit_type, **answers})
    if problems:
        raise ValidationError(problems, source=file_name)
    return pd.DataFrame(out, columns=["row", "kommunkod", "verksamhet", "unit_type", *QUESTIONS])


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
    table = _reference(municipalities)
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
