"""Privacy guards: refuse Swedish personal identity numbers in any text, warn on free text.

The workbench holds organisations, roles, meetings, assessments and aggregates, never data about
individuals. A personnummer or samordningsnummer (10 or 12 digits, with or without a separator,
with a valid Luhn check digit and a plausible date; samordningsnummer add 60 to the day) is refused.
Look-alikes such as ISO dates, phone numbers and case numbers pass because they fail the date or
check-digit test or carry other digits around them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from pilots.errors import PersonalDataError, Problem

FREE_TEXT_WARNING_SV = "Skriv inga personuppgifter – inga namn på klienter, barn eller familjer, inga personnummer."
FREE_TEXT_WARNING_EN = "Do not enter personal data – no names of clients, children or families, no ID numbers."

# 12 digits (YYYYMMDDNNNC) or 10 digits (YYMMDDNNNC), optional '-' or '+' (or space) before the last four,
# not glued to other digits (so parts of longer numbers and phone numbers with more digits do not match).
# A dash or letter before the number does not hide it ("Ärende-811218-9876" is refused).
_CANDIDATE = re.compile(r"(?<!\d)(\d{2})?(\d{2})(\d{2})(\d{2})[-+ ]?(\d{3})(\d)(?!\d)")


def luhn_valid(digits: str) -> bool:
    """Luhn check on the 10-digit form (YYMMDDNNNC)."""
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _plausible_date(century: str | None, yy: str, mm: str, dd: str) -> bool:
    month, day = int(mm), int(dd)
    if day > 60:  # samordningsnummer
        day -= 60
    # Without a century the number may belong to the 1900s or the 2000s (000229 is 2000-02-29).
    for prefix in (century,) if century else ("19", "20"):
        try:
            date(int(prefix + yy), month, day)
        except ValueError:
            continue
        return True
    return False


# Every number the pattern finds has six digits in a row (the date): a quick search rules most text out.
_SIX_DIGITS = re.compile(r"\d{6}")


def find_personal_identity_numbers(text: str) -> list[str]:
    """Return every substring of ``text`` that is a Luhn-valid personnummer or samordningsnummer."""
    found: list[str] = []
    text = text or ""
    if len(text) < 10 or not _SIX_DIGITS.search(text):  # the common case: imports check every cell
        return found
    for m in _CANDIDATE.finditer(text):
        century, yy, mm, dd, serial, check = m.groups()
        if century is not None and int(century) not in (18, 19, 20):
            continue
        if not _plausible_date(century, yy, mm, dd):
            continue
        if luhn_valid(f"{yy}{mm}{dd}{serial}{check}"):
            found.append(m.group(0))
    return found


def check_text(value: object, field: str) -> None:
    """Raise PersonalDataError naming ``field`` when ``value`` holds a personal identity number."""
    if not isinstance(value, str) or not value:
        return
    if find_personal_identity_numbers(value):
        raise PersonalDataError(
            Problem(
                field,
                "innehåller något som ser ut som ett personnummer eller samordningsnummer. "
                "Arbetsbänken får inte innehålla personuppgifter – ta bort numret. "
                "(Looks like a Swedish personal identity number; this tool holds no personal data.)",
            )
        )


def check_fields(values: Mapping[str, object], where: str = "") -> None:
    """Check every text value of a mapping; the error names each offending field (all at once)."""
    problems: list[Problem] = []
    for name, value in values.items():
        try:
            check_text(value, f"{where}{name}" if not where else f"{where}, {name}")
        except PersonalDataError as err:
            problems.extend(err.problems)
    if problems:
        raise PersonalDataError(problems)


def problems_in(values: Iterable[tuple[str, object]]) -> list[Problem]:
    """Collect problems for (where, value) pairs without raising; used by importers."""
    out: list[Problem] = []
    for where, value in values:
        try:
            check_text(value, where)
        except PersonalDataError as err:
            out.extend(err.problems)
    return out
