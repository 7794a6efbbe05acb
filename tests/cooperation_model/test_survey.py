"""The national survey: every validation problem with its row, and shares counted by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from cooperation_model.survey import (
    DEFINITIONS_EN,
    DEFINITIONS_SV,
    QUESTIONS,
    municipality_answers,
    pilot_position,
    survey_summary,
    validate_survey,
)
from pilots.errors import NotFound, ValidationError

REFERENCE = Path("/work/shared/reference/municipalities.csv")
HEADER = ["kommunkod", "verksamhet", *QUESTIONS]

# Six municipalities in three counties and four SKR groups (hand-built, not the reference file).
MUNICIPALITIES = pd.DataFrame(
    [
        ("2482", "Skellefteå", "24", "Västerbottens län", "C6", "Mindre stad/tätort", 76542),
        ("2480", "Umeå", "24", "Västerbottens län", "B3", "Större stad", 133000),
        ("0180", "Stockholm", "01", "Stockholms län", "A1", "Storstäder", 988943),
        ("0114", "Upplands Väsby", "01", "Stockholms län", "A2", "Pendlingskommun nära storstad", 50110),
        ("1280", "Malmö", "12", "Skåne län", "A1", "Storstäder", 362133),
        ("1281", "Lund", "12", "Skåne län", "B3", "Större stad", 128000),
    ],
    columns=[
        "code",
        "name",
        "county_code",
        "county_name",
        "skr_group_2017_code",
        "skr_group_2017_name",
        "population",
    ],
)

# 10 units: beslut, rutiner_forebyggande, kartlaggning_3ar, utbildningsplan, samordnare, rutiner_samverkan
ROWS = [
    ["2482", "förskola", "ja", "nej", "vet ej", "", "ja", "nej"],  # row 2
    ["2482", "grundskola", "nej", "ja", "", "", "nej", "nej"],  # row 3
    ["0180", "grundskola", "vet ej", "nej", "nej", "", "ja", "ja"],  # row 4
    ["0180", "ifo_barn_unga", "nej", "", "", "", "", "vet ej"],  # row 5
    ["1280", "förskola", "", "", "", "", "", ""],  # row 6: a unit with no answers
    ["2480", "gymnasieskola", "ja", "ja", "ja", "ja", "ja", "ja"],  # row 7
    ["2480", "förskola", "nej", "nej", "nej", "nej", "nej", "nej"],  # row 8
    ["0114", "ifo_barn_unga", "nej", "vet ej", "nej", "", "nej", "nej"],  # row 9
    ["24", "mhv", "ja", "ja", "ja", "ja", "ja", "ja"],  # row 10: region, not a municipal answer
    ["12", "bhv", "ja", "ja", "ja", "ja", "ja", "ja"],  # row 11: must not make Malmö answer
]


def survey_file(rows: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=HEADER, dtype=str)


@pytest.fixture
def responses() -> pd.DataFrame:
    return validate_survey(survey_file(ROWS), MUNICIPALITIES, "enkät.csv")


def test_national_response_rate_and_shares_by_hand(responses: pd.DataFrame) -> None:
    row = survey_summary(responses, MUNICIPALITIES).iloc[0]
    # answered: Skellefteå, Stockholm, Umeå, Upplands Väsby; Malmö only has an empty unit; Lund nothing
    assert (row["response_num"], row["response_den"]) == (4, 6)
    assert row["response_share"] == pytest.approx(4 / 6)
    expected = {
        "beslut": (2, 4),  # ja: Skellefteå, Umeå; Stockholm (vet ej + nej) and Väsby (nej) are not ja
        "rutiner_forebyggande": (2, 4),  # Väsby's "vet ej" stays in the denominator
        "kartlaggning_3ar": (1, 4),
        "utbildningsplan": (1, 1),  # only Umeå answered it; the others left it empty everywhere
        "samordnare": (3, 4),
        "rutiner_samverkan": (2, 4),
    }
    for q, (num, den) in expected.items():
        assert (row[f"{q}_num"], row[f"{q}_den"]) == (num, den), q
        assert row[f"{q}_share"] == pytest.approx(num / den)


def test_shares_per_verksamhet_by_hand(responses: pd.DataFrame) -> None:
    table = survey_summary(responses, MUNICIPALITIES, by="verksamhet").set_index("group")
    forskola = table.loc["förskola"]
    assert forskola["units"] == 3
    assert (forskola["beslut_num"], forskola["beslut_den"]) == (1, 2)
    assert (forskola["utbildningsplan_num"], forskola["utbildningsplan_den"]) == (0, 1)
    grundskola = table.loc["grundskola"]
    assert (grundskola["rutiner_forebyggande_num"], grundskola["rutiner_forebyggande_den"]) == (1, 2)
    assert grundskola["utbildningsplan_den"] == 0 and math.isnan(grundskola["utbildningsplan_share"])
    ifo = table.loc["ifo_barn_unga"]
    assert (ifo["rutiner_samverkan_num"], ifo["rutiner_samverkan_den"]) == (0, 2)
    assert (ifo["samordnare_num"], ifo["samordnare_den"]) == (0, 1)
    assert (table.loc["mhv", "beslut_num"], table.loc["mhv", "unit_type"]) == (1, "region")
    assert table.loc["primarvard", "units"] == 0


def test_shares_by_county_and_skr_group(responses: pd.DataFrame) -> None:
    county = survey_summary(responses, MUNICIPALITIES, by="county").set_index("group")
    assert list(county.index) == ["01", "12", "24"]
    assert county.loc["24", "group_name"] == "Västerbottens län"
    assert (county.loc["24", "response_num"], county.loc["24", "response_den"]) == (2, 2)
    assert (county.loc["24", "beslut_num"], county.loc["24", "beslut_den"]) == (2, 2)
    assert (county.loc["12", "response_num"], county.loc["12", "response_den"]) == (0, 2)
    assert county.loc["12", "beslut_den"] == 0 and math.isnan(county.loc["12", "beslut_share"])
    assert (county.loc["01", "samordnare_num"], county.loc["01", "samordnare_den"]) == (1, 2)
    skr = survey_summary(responses, MUNICIPALITIES, by="skr_group_2017").set_index("group")
    assert (skr.loc["A1", "response_num"], skr.loc["A1", "response_den"]) == (1, 2)
    assert (skr.loc["A1", "samordnare_num"], skr.loc["A1", "samordnare_den"]) == (1, 1)
    assert (skr.loc["B3", "response_num"], skr.loc["B3", "response_den"]) == (1, 2)


def test_municipality_answers_combine_units(responses: pd.DataFrame) -> None:
    table = municipality_answers(responses, MUNICIPALITIES).set_index("code")
    assert table.loc["2482", "rutiner_forebyggande"] == "ja"  # nej + ja
    assert table.loc["0180", "beslut"] == "nej"  # vet ej + nej
    assert table.loc["0114", "rutiner_forebyggande"] == "vet ej"
    assert table.loc["2482", "utbildningsplan"] == ""
    assert not table.loc["1280", "answered"] and table.loc["1280", "units_answered"] == 0
    assert table.loc["2480", "units_answered"] == 2


def test_pilot_position_against_national_shares(responses: pd.DataFrame) -> None:
    table = municipality_answers(responses, MUNICIPALITIES)
    position = pilot_position(table, ["2482", "1280"])
    assert len(position) == 2 * len(QUESTIONS)
    skelleftea = position[position["municipality_code"] == "2482"].set_index("question")
    assert skelleftea.loc["beslut", "answer"] == "ja"
    assert (skelleftea.loc["beslut", "national_num"], skelleftea.loc["beslut", "national_den"]) == (2, 4)
    assert skelleftea.loc["samordnare", "national_share"] == pytest.approx(3 / 4)
    malmo = position[position["municipality_code"] == "1280"]
    assert not malmo["answered"].any() and (malmo["answer"] == "").all()
    with pytest.raises(NotFound, match="9999"):
        pilot_position(table, ["2482", "9999"])


def test_every_validation_problem_is_reported_with_row_and_column() -> None:
    bad = survey_file(
        [
            ["9999", "förskola", "ja", "", "", "", "", ""],  # row 2: unknown municipality
            ["0180", "mhv", "ja", "", "", "", "", ""],  # row 3: municipality code, regional unit
            ["01", "förskola", "ja", "", "", "", "", ""],  # row 4: county code, municipal unit
            ["0180", "fritids", "ja", "", "", "", "", ""],  # row 5: unknown verksamhet
            ["0180", "förskola", "ja", "", "kanske", "", "", ""],  # row 6: answer outside the list
            ["0180", "Forskola", "nej", "", "", "", "", ""],  # row 7: duplicate of row 6 via the alias
            ["180", "grundskola", "ja", "", "", "", "", ""],  # row 8: lost leading zero
        ]
    )
    with pytest.raises(ValidationError) as caught:
        validate_survey(bad, MUNICIPALITIES, "enkät.csv")
    by_where = {p.where: p.message for p in caught.value.problems}
    assert sorted(by_where) == sorted(
        [
            "enkät.csv, rad 2, kolumn kommunkod",
            "enkät.csv, rad 3, kolumn verksamhet",
            "enkät.csv, rad 4, kolumn verksamhet",
            "enkät.csv, rad 5, kolumn verksamhet",
            "enkät.csv, rad 6, kolumn kartlaggning_3ar",
            "enkät.csv, rad 7, kolumn verksamhet",
            "enkät.csv, rad 8, kolumn kommunkod",
        ]
    )
    assert "9999" in by_where["enkät.csv, rad 2, kolumn kommunkod"]
    assert "regional" in by_where["enkät.csv, rad 3, kolumn verksamhet"]
    assert "kommunal" in by_where["enkät.csv, rad 4, kolumn verksamhet"]
    assert "fritids" in by_where["enkät.csv, rad 5, kolumn verksamhet"]
    assert "kanske" in by_where["enkät.csv, rad 6, kolumn kartlaggning_3ar"]
    assert "rad 6" in by_where["enkät.csv, rad 7, kolumn verksamhet"]
    assert "0180" in by_where["enkät.csv, rad 8, kolumn kommunkod"]


def test_missing_columns_are_all_named() -> None:
    df = survey_file(ROWS).drop(columns=["samordnare", "beslut"])
    with pytest.raises(ValidationError) as caught:
        validate_survey(df, MUNICIPALITIES, "enkät.csv")
    messages = " ".join(p.message for p in caught.value.problems)
    assert "samordnare" in messages and "beslut" in messages
    assert all(p.where == "enkät.csv, rad 1" for p in caught.value.problems)


def test_answers_and_aliases_are_normalised() -> None:
    df = survey_file([["2482", "forskola", "JA", "Ja", " Vet  Ej ", "NEJ", None, ""]])
    df.loc[1] = ["0180", "fo\u0308rskola", "ja", "", "", "", "", ""]  # decomposed ö
    out = validate_survey(df, MUNICIPALITIES, "enkät.csv")
    assert list(out["verksamhet"]) == ["förskola", "förskola"]
    first = out.iloc[0]
    assert [first[q] for q in QUESTIONS] == ["ja", "ja", "vet ej", "nej", "", ""]
    assert list(out["row"]) == [2, 3]
    assert list(out["unit_type"]) == ["kommun", "kommun"]


def test_real_reference_has_290_municipalities_as_denominator() -> None:
    municipalities = pd.read_csv(REFERENCE, dtype={"code": str, "county_code": str})
    df = survey_file(
        [["2482", "grundskola", "ja", "", "", "", "", ""], ["24", "bhv", "ja", "", "", "", "", ""]]
    )
    responses = validate_survey(df, municipalities, "enkät.csv")
    national = survey_summary(responses, municipalities).iloc[0]
    assert (national["response_num"], national["response_den"]) == (1, 290)
    assert (national["beslut_num"], national["beslut_den"]) == (1, 1)
    county = survey_summary(responses, municipalities, by="county").set_index("group")
    assert len(county) == 21 and county.loc["24", "response_den"] == 15


def test_definitions_are_bilingual_and_state_the_denominator_rule() -> None:
    assert "nämnare" in DEFINITIONS_SV and "vet ej" in DEFINITIONS_SV.lower()
    assert "denominator" in DEFINITIONS_EN


def test_unknown_grouping_is_refused(responses: pd.DataFrame) -> None:
    with pytest.raises(ValidationError, match="landsdel"):
        survey_summary(responses, MUNICIPALITIES, by="landsdel")
