"""The national survey through the database: import all or nothing, shares counted by hand."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import func, select

from cooperation_model.survey import survey_summary
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.errors import AccessDenied, ValidationError
from pilots.importing import run_import
from pilots.models import Survey, SurveyUnit
from pilots.municipalities import municipalities_frame
from pilots.survey_store import (
    SURVEY_IMPORTER,
    import_survey,
    survey_name_from_file,
    survey_responses_frame,
    surveys_frame,
)

HEADER = (
    "kommunkod;verksamhet;beslut;rutiner_forebyggande;kartlaggning_3ar;utbildningsplan;samordnare;rutiner_samverkan"
)
# Four municipalities and one region. Hand count (municipal units only):
#   answered: 2482, 0180, 1280, 1880 -> 4 of 290
#   beslut: ja in 2482 only; answered by 2482, 0180, 1280 (1880 left it empty) -> 1/3
#   samordnare: ja in 0180 only; answered by 2482 (nej, vet ej) and 0180 -> 1/2
#   rutiner_samverkan: only 1880 answered it, with ja -> 1/1
SMALL = "\n".join(
    [
        HEADER,
        "2482;förskola;ja;;;;nej;",
        "2482;grundskola;nej;;;;vet ej;",
        "0180;grundskola;Nej;;;;JA;",
        "1280;ifo_barn_unga;vet ej;;;;;",
        "1880;forskola;;;;;;ja",
        "24;mhv;ja;;;;ja;ja",
    ]
).encode("utf-8")


def test_shares_through_the_database_match_a_hand_count(session):
    result = run_import(session, SYSTEM_USER, SURVEY_IMPORTER, SMALL, "mfof-enkat-2022.csv")
    assert result.created == 6
    listed = surveys_frame(session)
    assert listed.loc[0, "name"] == "mfof-enkat-2022" and listed.loc[0, "year"] == 2022
    assert listed.loc[0, "units"] == 6

    responses = survey_responses_frame(session)
    national = survey_summary(responses, municipalities_frame(session)).iloc[0]
    assert (national["response_num"], national["response_den"]) == (4, 290)
    assert (national["beslut_num"], national["beslut_den"]) == (1, 3)
    assert (national["samordnare_num"], national["samordnare_den"]) == (1, 2)
    assert (national["rutiner_samverkan_num"], national["rutiner_samverkan_den"]) == (1, 1)
    assert national["kartlaggning_3ar_den"] == 0 and math.isnan(national["kartlaggning_3ar_share"])

    by_unit = survey_summary(responses, municipalities_frame(session), by="verksamhet").set_index("group")
    # förskola: 2482 said ja, 1880 (written "forskola") left beslut empty -> 1 of 1 answering unit
    assert (by_unit.loc["förskola", "units"], by_unit.loc["förskola", "beslut_num"]) == (2, 1)
    assert by_unit.loc["förskola", "beslut_den"] == 1
    assert (by_unit.loc["grundskola", "beslut_num"], by_unit.loc["grundskola", "beslut_den"]) == (0, 2)
    assert (by_unit.loc["mhv", "beslut_num"], by_unit.loc["mhv", "beslut_den"]) == (1, 1)


def test_every_bad_row_is_listed_and_nothing_is_imported(session):
    bad = "\n".join(
        [
            HEADER,
            "9999;förskola;ja;;;;;",  # row 2: unknown code
            "2482;sjukhus;ja;;;;;",  # row 3: unknown verksamhet
            "2482;grundskola;kanske;;;;;",  # row 4: answer outside the list
            "2482;grundskola;ja;;;;;",  # row 5: duplicate of row 4
        ]
    ).encode("utf-8")
    with pytest.raises(ValidationError) as caught:
        run_import(session, SYSTEM_USER, SURVEY_IMPORTER, bad, "enkat-2022.csv")
    text = [str(p) for p in caught.value.problems]
    assert any("rad 2, kolumn kommunkod" in p and "9999" in p for p in text)
    assert any("rad 3, kolumn verksamhet" in p and "sjukhus" in p for p in text)
    assert any("rad 4, kolumn beslut" in p and "kanske" in p for p in text)
    assert any("rad 5" in p and "rad 4" in p for p in text)
    assert session.scalar(select(func.count()).select_from(Survey)) == 0
    assert session.scalar(select(func.count()).select_from(SurveyUnit)) == 0


def test_a_second_file_with_the_same_name_is_refused(session):
    run_import(session, SYSTEM_USER, SURVEY_IMPORTER, SMALL, "enkat-2022.csv")
    with pytest.raises(ValidationError, match="finns redan"):
        run_import(session, SYSTEM_USER, SURVEY_IMPORTER, SMALL, "enkat-2022.csv")
    assert session.scalar(select(func.count()).select_from(SurveyUnit)) == 6


def test_explicit_name_and_year_and_role(session):
    result = import_survey(session, SYSTEM_USER, SMALL, "svar.csv", name="Nationell enkät", year=2021)
    assert result.created == 6
    assert surveys_frame(session).loc[0, ["name", "year"]].tolist() == ["Nationell enkät", 2021]
    researcher = CurrentUser(id=5, username="r", role="researcher")
    with pytest.raises(AccessDenied):
        import_survey(session, researcher, SMALL, "annan.csv")


def test_survey_name_from_file():
    assert survey_name_from_file("mfof-enkat-2022.xlsx") == ("mfof-enkat-2022", 2022)
    name, year = survey_name_from_file("enkät.csv")
    assert name == "enkät" and 2025 <= year <= 2100


def test_survey_table_is_read_once_until_a_write_and_shows_a_new_survey(engine, monkeypatch):
    # The page reruns on every click: the summary is kept until a write, then read again.
    import pilots.survey_store as store
    from cooperation_model.survey import survey_table
    from pilots import db
    from pilots.derived_cache import invalidate

    invalidate()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        import_survey(s, SYSTEM_USER, SMALL, "enkat-2022.csv")
    reads: list[int] = []
    real = store.survey_responses_frame
    monkeypatch.setattr(store, "survey_responses_frame", lambda *a: reads.append(1) or real(*a))
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        first = survey_table(s, None, None)
        again = survey_table(s, None, None)
    assert first.equals(again) and len(reads) == 1
    assert first.loc[0, ["survey", "response_num", "response_den"]].tolist() == ["enkat-2022", 4, 290]
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        import_survey(s, SYSTEM_USER, SMALL.rsplit(b"\n", 2)[0], "enkat-2023.csv")  # without 1880 and the region
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        newest = survey_table(s, None, None)
    assert newest.loc[0, ["survey", "response_num"]].tolist() == ["enkat-2023", 3] and len(reads) == 2
