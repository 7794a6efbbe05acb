"""Size classes and landsdelar: the bounds and county mapping that comparisons group by."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pilots.errors import NotFound, ValidationError
from pilots.regions import LANDSDEL_COUNTIES, landsdel, landsdel_of_municipality, size_class, size_class_label

REFERENCE = Path("/work/shared/reference")


@pytest.mark.parametrize(
    ("population", "code"),
    [
        (0, "lt15k"),
        (14_999, "lt15k"),
        (15_000, "15k-50k"),
        (49_999, "15k-50k"),
        (50_000, "50k-200k"),
        (199_999, "50k-200k"),
        (200_000, "gt200k"),
        (984_748, "gt200k"),
    ],
)
def test_size_class_bounds_hold_their_lower_bound(population: int, code: str) -> None:
    assert size_class(population) == code


def test_size_class_labels_in_both_languages() -> None:
    assert size_class_label("lt15k") == "under 15 000"
    assert size_class_label("gt200k") == "över 200 000"
    assert size_class_label("15k-50k", lang="en") == "15,000–50,000"
    with pytest.raises(NotFound):
        size_class_label("huge")


@pytest.mark.parametrize("bad", [-1, None, "12000", float("nan")])
def test_size_class_refuses_non_populations(bad: object) -> None:
    with pytest.raises(ValidationError):
        size_class(bad)  # type: ignore[arg-type]


def test_landsdel_for_known_municipalities() -> None:
    assert landsdel("24") == "Norrland"  # Västerbotten: Skellefteå
    assert landsdel("01") == "Svealand"  # Stockholm
    assert landsdel("12") == "Götaland"  # Skåne: Malmö
    assert landsdel(1) == "Svealand"
    assert landsdel_of_municipality("2482") == "Norrland"
    assert landsdel_of_municipality("1280") == "Götaland"
    assert landsdel_of_municipality("0180") == "Svealand"


def test_landsdel_refuses_unknown_codes() -> None:
    for bad in ("02", "26", "0180", ""):
        with pytest.raises(NotFound):
            landsdel(bad)


def test_every_reference_county_has_exactly_one_landsdel() -> None:
    counties = pd.read_csv(REFERENCE / "counties.csv", dtype=str)
    mapped = [c for codes in LANDSDEL_COUNTIES.values() for c in codes]
    assert sorted(mapped) == sorted(counties["county_code"])
    assert len(mapped) == len(set(mapped))
    by_name = dict(zip(counties["county_name"], counties["county_code"], strict=True))
    assert landsdel(by_name["Dalarnas län"]) == "Svealand"
    assert landsdel(by_name["Gävleborgs län"]) == "Norrland"
    assert landsdel(by_name["Värmlands län"]) == "Svealand"
    assert landsdel(by_name["Hallands län"]) == "Götaland"
    assert landsdel(by_name["Gotlands län"]) == "Götaland"
