"""The national survey in the database: validation rules, the import behind
`workbench import survey FILE`, and the stored answers as a table.

The validation rules live here (not in cooperation_model/survey.py, which imports them) because the
importer in this package needs them and pilots/ may not import cooperation_model/. One row of a
survey file is one unit: a municipality's verksamhet (four-digit ``kommunkod``) or a region's
(mhv, bhv, primarvard, with the region's two-digit county code).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from pilots.access import CurrentUser, require_role
from pilots.audit import record_event
from pilots.errors import NotFound, Problem, ValidationError
from pilots.importing import ImportFile, ImportResult, SimpleImporter, read_import_file
from pilots.models import Survey, SurveyUnit
from pilots.municipalities import municipalities_frame
from pilots.tabular import Column, RecordSpec

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


def answer_text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return unicodedata.normalize("NFC", " ".join(str(value).split()))


def reference_codes(municipalities: pd.DataFrame) -> pd.DataFrame:
    """Municipality codes as four-digit and county codes as two-digit strings, even if read as numbers."""
    table = municipalities.copy()
    table["code"] = table["code"].astype(str).str.strip().str.zfill(4)
    table["county_code"] = table["county_code"].astype(str).str.strip().str.zfill(2)
    return table


def validate_survey(
    df: pd.DataFrame, municipalities: pd.DataFrame, file_name: str, rows: Sequence[int] | None = None
) -> pd.DataFrame:
    """Check every row of a survey file; return it normalised or raise ValidationError listing all problems.

    Rows are numbered as in the file: the header is row 1, the first data row row 2 (or as given in
    ``rows``, the file's own row numbers when blank rows were skipped). The result has
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
    reference = reference_codes(municipalities)
    municipal_codes = set(reference["code"])
    county_codes = set(reference["county_code"])
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    out = []
    for position, (_, raw) in enumerate(df.iterrows()):
        row = rows[position] if rows is not None else position + 2

        def where(col: str, row: int = row) -> str:
            return f"{file_name}, rad {row}, kolumn {col}"

        code = answer_text(raw[columns["kommunkod"]])
        unit = answer_text(raw[columns["verksamhet"]]).lower()
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
            answer = answer_text(raw[columns[q]]).lower()
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


# --- the import -----------------------------------------------------------------------------------

_ANSWER_DOC_SV = "ja, nej, vet ej eller tomt (Ja/JA godtas)"
_ANSWER_DOC_EN = "ja (yes), nej (no), vet ej (don't know) or empty"

SURVEY_SPEC = RecordSpec(
    kind="survey",
    title_sv="MFoF:s nationella enkät (en rad per svarande verksamhet)",
    title_en="MFoF national survey (one row per responding unit)",
    columns=(
        Column(
            "kommunkod",
            "text",
            required=True,
            example="2482",
            doc_sv="Kommunens kod med fyra siffror; för en region länets kod med två siffror (t.ex. 24).",
            doc_en="Four-digit municipality code; for a region the two-digit county code (e.g. 24).",
        ),
        Column(
            "verksamhet",
            "text",
            required=True,
            example="grundskola",
            doc_sv="förskola, grundskola, gymnasieskola eller ifo_barn_unga; "
            "för regioner mhv, bhv eller primarvard.",
            doc_en="förskola, grundskola, gymnasieskola or ifo_barn_unga; "
            "for regions mhv, bhv or primarvard.",
        ),
        *(
            Column(
                q,
                "text",
                example="ja",
                doc_sv=f"{QUESTION_LABELS[q][0]}: {_ANSWER_DOC_SV}.",
                doc_en=f"{QUESTION_LABELS[q][1]}: {_ANSWER_DOC_EN}.",
            )
            for q in QUESTIONS
        ),
    ),
)

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def survey_name_from_file(filename: str) -> tuple[str, int]:
    """The survey's name and year from its file name: 'mfof-enkat-2022.xlsx' → ('mfof-enkat-2022', 2022).

    Without a year (20xx) in the name, the year is the current year.
    """
    stem = Path(filename).stem.strip() or "enkät"
    found = _YEAR.findall(stem)
    return stem, int(found[-1]) if found else date.today().year


def store_survey(
    session: Session,
    user: CurrentUser,
    data: ImportFile,
    *,
    name: str | None = None,
    year: int | None = None,
    is_demo: bool = False,
) -> ImportResult:
    """Validate every row of a parsed survey file against the 290 municipalities, then store it.

    All or nothing: every problem is listed with its file, row and column before anything is written.
    """
    require_role(user, "admin", "mfof")
    default_name, default_year = survey_name_from_file(data.filename)
    name = (name or default_name).strip()
    year = year or default_year
    problems: list[Problem] = []
    if session.scalar(select(Survey.id).where(Survey.name == name)) is not None:
        problems.append(
            Problem(
                data.filename,
                f"en enkät med namnet {name!r} finns redan; byt filnamn (namnet tas från "
                "filnamnet) eller ange ett annat namn (a survey with this name exists)",
            )
        )
    if not data.rows:
        problems.append(Problem(data.filename, "filen har inga datarader (no data rows)"))
    frame = pd.DataFrame([row.values for row in data.rows], columns=[c.name for c in SURVEY_SPEC.columns])
    try:
        valid = validate_survey(
            frame, municipalities_frame(session), data.filename, rows=[row.number for row in data.rows]
        )
    except ValidationError as err:
        problems.extend(err.problems)
    if problems:
        raise ValidationError(problems, source=data.filename)
    survey = Survey(name=name, year=year, is_demo=is_demo, file_name=data.filename)
    session.add(survey)
    session.flush()
    records = [
        {
            "survey_id": survey.id,
            "kommunkod": r["kommunkod"],
            "verksamhet": r["verksamhet"],
            **{q: (r[q] or None) for q in QUESTIONS},
        }
        for r in valid.to_dict("records")
    ]
    session.execute(insert(SurveyUnit), records)
    record_event(
        session,
        "import",
        "survey_unit",
        str(survey.id),
        after={"survey": name, "year": year, "file": data.filename, "units": len(records)},
    )
    session.flush()
    result = ImportResult(kind="survey", filename=data.filename, created=len(records))
    result.notes.append(f"enkät {name!r} ({year})")
    return result


def _apply(session: Session, user: CurrentUser, data: ImportFile) -> ImportResult:
    return store_survey(session, user, data)


SURVEY_IMPORTER = SimpleImporter(kind="survey", spec=SURVEY_SPEC, apply_fn=_apply)
"""`workbench import survey FILE`: the survey is named after the file and dated by the year in its name."""


def import_survey(
    session: Session,
    user: CurrentUser,
    source: Path | bytes,
    filename: str | None = None,
    *,
    name: str | None = None,
    year: int | None = None,
    is_demo: bool = False,
) -> ImportResult:
    """Read, validate and store a survey file with an explicit name and year (the app's import form)."""
    data = read_import_file(source, SURVEY_SPEC, filename)
    return store_survey(session, user, data, name=name, year=year, is_demo=is_demo)


# --- reading --------------------------------------------------------------------------------------

SURVEY_LIST_COLUMNS = ["id", "name", "year", "is_demo", "file_name", "imported_at", "units"]


def surveys_frame(session: Session) -> pd.DataFrame:
    """The imported surveys, newest first, with how many units each holds."""
    counts = dict(
        session.execute(select(SurveyUnit.survey_id, func.count()).group_by(SurveyUnit.survey_id)).all()
    )
    rows = session.scalars(select(Survey).order_by(Survey.year.desc(), Survey.id.desc())).all()
    return pd.DataFrame(
        [
            {
                "id": s.id,
                "name": s.name,
                "year": s.year,
                "is_demo": s.is_demo,
                "file_name": s.file_name,
                "imported_at": s.imported_at,
                "units": int(counts.get(s.id, 0)),
            }
            for s in rows
        ],
        columns=SURVEY_LIST_COLUMNS,
    )


def find_survey(session: Session, name: str | None = None) -> Survey:
    """The survey called ``name``, or the newest one; a clear error when there is none."""
    stmt = select(Survey)
    if name:
        stmt = stmt.where(Survey.name == name)
    survey = session.scalars(stmt.order_by(Survey.year.desc(), Survey.id.desc()).limit(1)).first()
    if survey is None:
        if name:
            known = ", ".join(session.scalars(select(Survey.name).order_by(Survey.name))) or "inga"
            raise NotFound(f"Det finns ingen enkät som heter {name!r}. Inlästa enkäter: {known}.")
        raise NotFound("Ingen nationell enkät är inläst. Importera en med `workbench import survey FIL`.")
    return survey


RESPONSE_COLUMNS = ["kommunkod", "verksamhet", "unit_type", *QUESTIONS]


def survey_responses_frame(session: Session, survey_id: int | None = None) -> pd.DataFrame:
    """One row per responding unit of a survey (the newest when ``survey_id`` is None); no answer is ""."""
    if survey_id is None:
        survey_id = find_survey(session).id
    units = session.scalars(
        select(SurveyUnit)
        .where(SurveyUnit.survey_id == survey_id)
        .order_by(SurveyUnit.kommunkod, SurveyUnit.verksamhet)
    ).all()
    rows = [
        {
            "kommunkod": u.kommunkod,
            "verksamhet": u.verksamhet,
            "unit_type": UNIT_MUNICIPAL if u.verksamhet in MUNICIPAL_UNITS else UNIT_REGIONAL,
            **{q: getattr(u, q) or "" for q in QUESTIONS},
        }
        for u in units
    ]
    return pd.DataFrame(rows, columns=RESPONSE_COLUMNS)
