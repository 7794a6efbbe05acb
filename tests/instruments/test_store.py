"""Instrument versions in the database: add, refuse a changed version, path errors, sync, diff."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from instruments.schema import load_builtin_definitions
from instruments.store import (
    add_instrument_version,
    find_version,
    get_instrument,
    instruments_frame,
    sync_builtin_instruments,
    text_sha256,
    version_diff,
)
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.errors import AccessDenied, ValidationError
from pilots.models import InstrumentVersion

MFOF = CurrentUser(id=7, username="mfof-1", role="mfof")


def test_add_stores_exact_text_and_hash(session, small_text):
    row = add_instrument_version(session, MFOF, small_text, "liten.yaml")
    assert row.definition_yaml == small_text
    assert row.sha256 == text_sha256(small_text) and len(row.sha256) == 64
    assert (row.instrument_id, row.version, row.status, row.added_by) == (
        "liten",
        "1.0.0",
        "provisional",
        "mfof-1",
    )
    assert get_instrument(session, row.id).item_ids() == ["a", "b", "c"]


def test_same_content_again_is_a_no_op(session, small_text):
    first = add_instrument_version(session, MFOF, small_text)
    second = add_instrument_version(session, MFOF, small_text)
    assert first.id == second.id
    assert len(session.scalars(select(InstrumentVersion)).all()) == 1


def test_same_version_with_other_content_is_refused(session, small_text):
    add_instrument_version(session, MFOF, small_text)
    changed = small_text.replace('"Text a"', '"Annan text a"', 1)
    with pytest.raises(ValidationError) as info:
        add_instrument_version(session, MFOF, changed, "ny.yaml")
    assert info.value.problems[0].where == "version"
    assert "1.0.0 finns redan med annat innehåll" in str(info.value)
    assert "ny.yaml" in str(info.value)


def test_bad_definition_names_every_wrong_path(session, small_text):
    bad = small_text.replace("scale: STEG5, success_factor: steg", "scale: INST5, success_factor: steg")
    bad = bad.replace('version: "1.0.0"', 'version: "ett"')
    with pytest.raises(ValidationError) as info:
        add_instrument_version(session, MFOF, bad, "trasig.yaml")
    wheres = {p.where for p in info.value.problems}
    assert "sections[1].items[0].scale" in wheres
    assert "version" in wheres
    assert session.scalar(select(InstrumentVersion.id)) is None


def test_only_admin_and_mfof_may_add(session, small_text):
    for role in ("researcher", "municipality", "presenter"):
        with pytest.raises(AccessDenied):
            add_instrument_version(session, CurrentUser(id=2, username="x", role=role), small_text)


def test_sync_is_idempotent_and_lists_shipped_versions(session):
    shipped = load_builtin_definitions()
    added = sync_builtin_instruments(session)
    assert len(added) == len(shipped) == 6
    assert sync_builtin_instruments(session) == []
    frame = instruments_frame(session)
    assert set(frame["instrument_id"]) == {i.id for i in shipped}
    assert set(frame["status"]) == {"provisional"}
    assert frame.loc[frame["instrument_id"] == "mfof-sju-steg", "title"].iloc[0].startswith("MFoF:s sju steg")


def test_find_version_picks_highest_and_diff_shows_change(session, small_text):
    add_instrument_version(session, SYSTEM_USER, small_text)
    v2 = small_text.replace('version: "1.0.0"', 'version: "1.10.0"').replace('"Text c"', '"Ny text c"', 1)
    add_instrument_version(session, SYSTEM_USER, v2)
    v_between = small_text.replace('version: "1.0.0"', 'version: "1.9.0"')
    add_instrument_version(session, SYSTEM_USER, v_between)
    assert find_version(session, "liten").version == "1.10.0"
    diff = version_diff(session, "liten", "1.0.0", "1.10.0")
    changed = diff[diff["change"] == "text_changed"]
    assert set(changed["item_id"]) == {"c"}
    assert not bool(changed["comparable"].iloc[0])
    assert list(instruments_frame(session)["version"]) == ["1.0.0", "1.9.0", "1.10.0"]
