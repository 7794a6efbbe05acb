"""Editing: two people saving the same record, soft delete and admin restore."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from pilots import db
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.errors import AccessDenied, ConflictError, NotFound, ValidationError
from pilots.editing import deleted_records, restore, soft_delete, update_record
from pilots.log import add_log_entry, log_frame
from pilots.models import LogEntry, Site
from pilots.sites import update_site
from tests.pilots.records_helpers import researcher, setup_pilot

ANNA = CurrentUser(id=None, username="anna", role="admin")
BO = CurrentUser(id=None, username="bo", role="admin")


def test_second_save_gets_conflict_naming_the_other_change(engine: Engine) -> None:
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        _, site, _ = setup_pilot(s)
        entry = add_log_entry(s, SYSTEM_USER, site, date(2025, 3, 10), "observation", "Första texten",
                              today=date(2025, 6, 1))
        entry_id, loaded_version = entry.id, entry.version
    with db.session_scope(engine, user=ANNA) as s:  # Anna saves first
        update_record(s, ANNA, LogEntry, entry_id, loaded_version, {"text": "Annas text"})
    with pytest.raises(ConflictError) as err, db.session_scope(engine, user=BO) as s:  # Bo loaded the same version
        update_record(s, BO, LogEntry, entry_id, loaded_version, {"text": "Bos text"})
    assert err.value.changes["text"] == ("Första texten", "Annas text")
    assert "anna" in str(err.value)
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        assert s.get(LogEntry, entry_id).text == "Annas text"


def test_update_with_current_version_succeeds_and_bumps_version(session) -> None:
    _, site, _ = setup_pilot(session)
    obj = session.get(Site, site)
    updated = update_site(session, SYSTEM_USER, site, obj.version, {"contact_role": "Samordnare"})
    assert updated.version == 2


def test_update_refuses_protected_fields_and_personal_data(session) -> None:
    _, site, _ = setup_pilot(session)
    with pytest.raises(ValidationError, match="id"):
        update_record(session, SYSTEM_USER, Site, site, 1, {"id": 5})
    with pytest.raises(ValidationError, match="personnummer"):
        update_record(session, SYSTEM_USER, Site, site, 1, {"context_notes": "19811218-9876"})


def test_soft_delete_hides_and_only_admin_restores(session) -> None:
    pilot, site, _ = setup_pilot(session)
    entry = add_log_entry(session, SYSTEM_USER, site, date(2025, 3, 10), "observation", "Att ta bort",
                          today=date(2025, 6, 1))
    soft_delete(session, researcher(pilot), LogEntry, entry.id)
    assert log_frame(session, SYSTEM_USER).empty
    trash = deleted_records(session, SYSTEM_USER, LogEntry)
    assert list(trash["id"]) == [entry.id]
    with pytest.raises(AccessDenied):
        restore(session, researcher(pilot), LogEntry, entry.id)
    with pytest.raises(AccessDenied):
        deleted_records(session, researcher(pilot), LogEntry)
    restore(session, SYSTEM_USER, LogEntry, entry.id)
    assert list(log_frame(session, SYSTEM_USER)["text"]) == ["Att ta bort"]
    with pytest.raises(NotFound):
        restore(session, SYSTEM_USER, LogEntry, entry.id)


def test_unassigned_researcher_cannot_delete(session) -> None:
    pilot, site, _ = setup_pilot(session)
    entry = add_log_entry(session, SYSTEM_USER, site, date(2025, 3, 10), "observation", "x", today=date(2025, 6, 1))
    with pytest.raises(AccessDenied):
        soft_delete(session, researcher(pilot + 1), LogEntry, entry.id)
