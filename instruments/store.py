"""Instrument versions in the database: the exact YAML each version was given in, its hash, status and title.

Answers are tied to the stored version they were given on, so a version is never changed once stored:
adding the same id and version again with other content is refused (give it a new version number).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from instruments.revisions import diff_versions
from instruments.schema import Instrument, load_builtin_definitions, parse_definition
from pilots.access import CurrentUser, require_role
from pilots.errors import NotFound, Problem, ValidationError
from pilots.models import InstrumentVersion

INSTRUMENT_COLUMNS = [
    "instrument_version_id",
    "instrument_id",
    "version",
    "status",
    "title",
    "added_at",
    "added_by",
]


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def semver_key(version: str) -> tuple[int, ...]:
    """Sort key for "1.10.0" after "1.9.0" (non-numeric parts sort first)."""
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))


@lru_cache(maxsize=64)
def _parse_cached(text: str, source: str) -> Instrument:
    return parse_definition(text, source=source)


def _store(
    session: Session, instrument: Instrument, text: str, added_by: str, source_name: str
) -> InstrumentVersion:
    digest = text_sha256(text)
    existing = session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == instrument.id, InstrumentVersion.version == instrument.version
        )
    )
    if existing is not None:
        if existing.sha256 == digest:
            return existing
        raise ValidationError(
            Problem(
                "version",
                f"{instrument.id} version {instrument.version} finns redan med annat innehåll; en sparad version "
                "ändras aldrig eftersom svar är knutna till den. Ge filen ett nytt versionsnummer "
                f"(t.ex. högre än {instrument.version}).",
            ),
            source=source_name,
        )
    row = InstrumentVersion(
        instrument_id=instrument.id,
        version=instrument.version,
        status=instrument.status,
        title_sv=instrument.title.sv[:300],
        definition_yaml=text,
        sha256=digest,
        added_by=added_by,
    )
    session.add(row)
    session.flush()
    return row


def add_instrument_version(
    session: Session, user: CurrentUser, yaml_text: str, source_name: str = "<uppladdad fil>"
) -> InstrumentVersion:
    """Validate and store a new instrument version (admin or MFoF staff); identical re-uploads are a no-op."""
    require_role(user, "admin", "mfof")
    instrument = parse_definition(yaml_text, source=source_name)
    return _store(session, instrument, yaml_text, user.username, source_name)


def sync_builtin_instruments(
    session: Session, directory: str | Path | None = None
) -> list[InstrumentVersion]:
    """Store every shipped definition not yet in the database (idempotent); return the versions added."""
    added: list[InstrumentVersion] = []
    for instrument in load_builtin_definitions(directory):
        before = session.scalar(
            select(InstrumentVersion.id).where(
                InstrumentVersion.instrument_id == instrument.id,
                InstrumentVersion.version == instrument.version,
            )
        )
        row = _store(session, instrument, instrument.text, "system", f"{instrument.id}.yaml")
        if before is None:
            added.append(row)
    return added


def get_instrument(session: Session, instrument_version_id: int) -> Instrument:
    """The parsed instrument of one stored version."""
    row = session.get(InstrumentVersion, instrument_version_id)
    if row is None:
        raise NotFound(f"Det finns ingen instrumentversion med id {instrument_version_id}.")
    return _parse_cached(row.definition_yaml, f"{row.instrument_id} {row.version}")


def find_version(session: Session, instrument_id: str, version: str | None = None) -> InstrumentVersion:
    """A stored version of ``instrument_id`` (the highest when ``version`` is None)."""
    rows = session.scalars(
        select(InstrumentVersion).where(InstrumentVersion.instrument_id == instrument_id)
    ).all()
    if not rows:
        known = (
            ", ".join(sorted(set(session.scalars(select(InstrumentVersion.instrument_id)).all()))) or "(inga)"
        )
        raise NotFound(
            f"Instrumentet {instrument_id!r} finns inte i databasen. Kända instrument: {known}. "
            "Kör `workbench instruments sync` för att läsa in de medföljande."
        )
    if version is None:
        return max(rows, key=lambda r: semver_key(r.version))
    for row in rows:
        if row.version == version:
            return row
    versions = ", ".join(sorted((r.version for r in rows), key=semver_key))
    raise NotFound(f"{instrument_id} har ingen version {version}; sparade versioner: {versions}.")


def instruments_frame(session: Session) -> pd.DataFrame:
    """Every stored instrument version (definitions are not personal data: everyone may list them)."""
    rows = session.scalars(select(InstrumentVersion)).all()
    rows = sorted(rows, key=lambda r: (r.instrument_id, semver_key(r.version)))
    records = [
        {
            "instrument_version_id": r.id,
            "instrument_id": r.instrument_id,
            "version": r.version,
            "status": r.status,
            "title": r.title_sv,
            "added_at": r.added_at,
            "added_by": r.added_by,
        }
        for r in rows
    ]
    return pd.DataFrame(records, columns=INSTRUMENT_COLUMNS)


def version_diff(session: Session, instrument_id: str, v_old: str, v_new: str) -> pd.DataFrame:
    """What changed in ``instrument_id`` from version ``v_old`` to ``v_new`` (see revisions.diff_versions)."""
    old = get_instrument(session, find_version(session, instrument_id, v_old).id)
    new = get_instrument(session, find_version(session, instrument_id, v_new).id)
    return diff_versions(old, new)
