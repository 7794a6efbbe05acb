"""Municipality size classes (by population) and the three landsdelar (by county), with sv/en labels.

Size classes, by the municipality's population (each class holds its lower bound, not its upper):

=========  =================  =================  ===================
code       svenska            English            population
=========  =================  =================  ===================
lt15k      under 15 000       under 15,000       0 – 14 999
15k-50k    15 000–50 000      15,000–50,000      15 000 – 49 999
50k-200k   50 000–200 000     50,000–200,000     50 000 – 199 999
gt200k     över 200 000       over 200,000       200 000 and more
=========  =================  =================  ===================

Landsdelar by county code (the traditional division, county by county; a few municipalities on a
border are not split): Götaland = 05, 06, 07, 08, 09, 10, 12, 13, 14; Svealand = 01, 03, 04, 17, 18,
19, 20; Norrland = 21, 22, 23, 24, 25.
"""

from __future__ import annotations

from dataclasses import dataclass

from pilots.errors import NotFound, Problem, ValidationError


@dataclass(frozen=True)
class SizeClass:
    """One population band: ``lower <= population < upper`` (``upper`` None means no upper bound)."""

    code: str
    label_sv: str
    label_en: str
    lower: int
    upper: int | None

    def label(self, lang: str = "sv") -> str:
        return self.label_en if lang == "en" else self.label_sv


SIZE_CLASSES: tuple[SizeClass, ...] = (
    SizeClass("lt15k", "under 15 000", "under 15,000", 0, 15_000),
    SizeClass("15k-50k", "15 000–50 000", "15,000–50,000", 15_000, 50_000),
    SizeClass("50k-200k", "50 000–200 000", "50,000–200,000", 50_000, 200_000),
    SizeClass("gt200k", "över 200 000", "over 200,000", 200_000, None),
)
SIZE_CLASS_CODES: tuple[str, ...] = tuple(c.code for c in SIZE_CLASSES)

LANDSDELAR: tuple[str, ...] = ("Götaland", "Svealand", "Norrland")
LANDSDEL_COUNTIES: dict[str, tuple[str, ...]] = {
    "Götaland": ("05", "06", "07", "08", "09", "10", "12", "13", "14"),
    "Svealand": ("01", "03", "04", "17", "18", "19", "20"),
    "Norrland": ("21", "22", "23", "24", "25"),
}
_COUNTY_TO_LANDSDEL = {county: name for name, counties in LANDSDEL_COUNTIES.items() for county in counties}


def size_class(population: int) -> str:
    """Return the size-class code for a population, e.g. ``size_class(14_999) == "lt15k"``.

    Each class holds its lower bound: 15 000 is "15k-50k", 50 000 is "50k-200k", 200 000 is "gt200k".
    """
    if isinstance(population, bool) or not isinstance(population, (int, float)) or population != population:
        raise ValidationError(
            Problem("population", f"måste vara ett heltal, fick {population!r} (must be an integer)")
        )
    if population < 0:
        raise ValidationError(
            Problem("population", f"kan inte vara negativ: {population} (cannot be negative)")
        )
    for cls in SIZE_CLASSES:
        if cls.upper is None or population < cls.upper:
            return cls.code
    raise AssertionError("unreachable: the last size class has no upper bound")


def size_class_label(code: str, lang: str = "sv") -> str:
    """Swedish (default) or English label of a size-class code."""
    for cls in SIZE_CLASSES:
        if cls.code == code:
            return cls.label(lang)
    valid = ", ".join(SIZE_CLASS_CODES)
    raise NotFound(f"Okänd storleksklass {code!r}; giltiga: {valid} (unknown size class)")


def _county_code(county_code: str | int) -> str:
    if isinstance(county_code, bool):
        raise NotFound(f"Okänd länskod {county_code!r} (unknown county code)")
    text = str(county_code).strip()
    if text.isdigit() and len(text) <= 2:
        return text.zfill(2)
    return text


def landsdel(county_code: str | int) -> str:
    """Return "Götaland", "Svealand" or "Norrland" for a two-digit county code ("24" → "Norrland").

    Accepts "01" or 1; a four-digit municipality code is refused (pass its first two digits).
    """
    code = _county_code(county_code)
    try:
        return _COUNTY_TO_LANDSDEL[code]
    except KeyError:
        raise NotFound(
            f"Okänd länskod {county_code!r}: förväntade en av {', '.join(sorted(_COUNTY_TO_LANDSDEL))} "
            "(unknown county code)"
        ) from None


def landsdel_of_municipality(municipality_code: str) -> str:
    """Landsdel of a four-digit municipality code, via its county (its first two digits)."""
    code = str(municipality_code).strip()
    if len(code) != 4 or not code.isdigit():
        raise NotFound(
            f"Okänd kommunkod {municipality_code!r}: förväntade fyra siffror (expected four digits)"
        )
    return landsdel(code[:2])
