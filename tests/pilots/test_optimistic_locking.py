"""No lost updates and reversible deletes: two people editing one record, soft delete and admin restore."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from pilots import db
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.audit import audit_frame
from pilots.editing import deleted_records, restore, soft_delete, update_record
from pilots.errors import AccessDenied, ConflictError, NotFound
from pilots.log import add_log_entry, log_frame
from pilots.models import LogEntry, Pilot, Site
from pilots.sites import add_site, create_pilot, pilots_frame, sites_frame

ANNA = CurrentUser(id=None, username="anna", role="admin")
BERTIL = CurrentUser(id=None, username="bertil", role="admin")


@pytest.fixture
def ids(engine) -> dict[str, int]:
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        pilot = create_pilot(
            s,
            SYSTEM_USER,
            slug="trygg",
            name="Trygg",
            purpose="Samverkan",
            start_date=date(2024, 1, 1),
            end_date=date(2026, 12, 31),
        )
        site = add_site(s, SYSTEM_USER, pilot, "2482")
        other = add_site(s, SYSTEM_USER, pilot, "1880")
        entry = add_log_entry(
            s, SYSTEM_USER, site.id, date(2025, 2, 1), "observation", "Styrgruppen bildades"
        )
        return {"pilot": pilot.id, "site": site.id, "other": other.id, "entry": entry.id}


def test_raw_orm_second_save_raises_stale_data_error(engine, ids) -> None:
    """The version column itself refuses the second writer, whatever code path wrote."""
    first = db.session_factory(engine)()
    second = db.session_factory(engine)()
    try:
        mine = first.get(Pilot, ids["pilot"])
        theirs = second.get(Pilot, ids["pilot"])
        first.commit()  # ends the read transaction; the loaded object keeps version 1 (expire_on_commit=False)
        second.commit()
        theirs.name = "Bertils namn"
        second.commit()
        mine.name = "Annas namn"
        with pytest.raises(StaleDataError):
            first.commit()
    finally:
        first.close()
        second.close()
    with db.session_scope(engine) as s:
        assert s.get(Pilot, ids["pilot"]).name == "Bertils namn"


def test_second_save_of_an_old_version_is_refused_showing_the_other_changes(engine, ids) -> None:
    # Anna and Bertil both open the pilot at version 1 (two page loads).
    with db.session_scope(engine, user=ANNA, face="app") as s:
        version = s.get(Pilot, ids["pilot"]).version
    assert version == 1
    with db.session_scope(engine, user=BERTIL, face="app") as s:
        update_record(
            s, BERTIL, Pilot, ids["pilot"], version, {"name": "Trygg växt", "purpose": "Nytt syfte"}
        )
    with pytest.raises(ConflictError) as info:
        with db.session_scope(engine, user=ANNA, face="app") as s:
            update_record(s, ANNA, Pilot, ids["pilot"], version, {"purpose": "Annas syfte"})
    err = info.value
    assert err.changes == {"name": ("Trygg", "Trygg växt"), "purpose": ("Samverkan", "Nytt syfte")}
    assert "bertil" in str(err) and "Trygg växt" in str(err)
    with db.session_scope(engine) as s:
        pilot = s.get(Pilot, ids["pilot"])
        assert (pilot.name, pilot.purpose, pilot.version) == ("Trygg växt", "Nytt syfte", 2)
    # After reloading (version 2) Anna's save goes through.
    with db.session_scope(engine, user=ANNA, face="app") as s:
        update_record(s, ANNA, Pilot, ids["pilot"], 2, {"purpose": "Annas syfte"})


def test_stale_data_error_inside_a_save_becomes_a_conflict_with_the_other_changes(engine, ids) -> None:
    """Anna's session still holds version 1 when Bertil commits: the UPDATE matches no row and is translated."""
    anna = db.session_factory(engine)()
    anna.info.update(user=ANNA, face="app")
    try:
        assert anna.get(LogEntry, ids["entry"]).version == 1
        anna.commit()  # her loaded copy stays at version 1
        with db.session_scope(engine, user=BERTIL, face="app") as s:
            update_record(s, BERTIL, LogEntry, ids["entry"], 1, {"text": "Styrgruppen bildades i mars"})
        with pytest.raises(ConflictError) as info:
            update_record(anna, ANNA, LogEntry, ids["entry"], 1, {"text": "Styrgruppen bildades i april"})
        assert info.value.changes == {"text": ("Styrgruppen bildades", "Styrgruppen bildades i mars")}
    finally:
        anna.close()
    with db.session_scope(engine) as s:
        assert s.get(LogEntry, ids["entry"]).text == "Styrgruppen bildades i mars"


def test_conflicting_save_inside_one_open_transaction(engine, ids) -> None:
    """Bertil commits while Anna's transaction is open; her save must be refused clearly, never half-written."""
    anna = db.session_factory(engine)()
    anna.info.update(user=ANNA, face="app")
    try:
        anna.get(Site, ids["site"])
        with db.session_scope(engine, user=BERTIL, face="app") as s:
            update_record(s, BERTIL, Site, ids["site"], 1, {"contact_role": "Samordnare"})
        with pytest.raises(ConflictError) as info:
            update_record(anna, ANNA, Site, ids["site"], 1, {"contact_role": "Enhetschef"})
        assert info.value.changes["contact_role"][1] == "Samordnare"
    finally:
        anna.close()
    with db.session_scope(engine) as s:
        assert s.get(Site, ids["site"]).contact_role == "Samordnare"


# --- Reversible deletes ----------------------------------------------------------------------------------


def test_soft_deleted_rows_vanish_from_queries_and_come_back_after_restore(engine, ids) -> None:
    with db.session_scope(engine, user=ANNA, face="app") as s:
        soft_delete(s, ANNA, Site, ids["other"])
        soft_delete(s, ANNA, LogEntry, ids["entry"])
    with db.session_scope(engine, user=ANNA, face="app") as s:
        assert sites_frame(s, ANNA)["municipality_code"].tolist() == ["2482"]
        assert log_frame(s, ANNA).empty
        trash = deleted_records(s, ANNA, Site)
        assert trash["id"].tolist() == [ids["other"]]
        with pytest.raises(NotFound):  # a deleted record cannot be edited
            update_record(s, ANNA, LogEntry, ids["entry"], 1, {"text": "x"})
        # nothing was hard-deleted
        assert s.get(Site, ids["other"]) is not None and s.get(LogEntry, ids["entry"]) is not None

    with db.session_scope(engine, user=ANNA, face="app") as s:
        restore(s, ANNA, Site, ids["other"])
        restore(s, ANNA, LogEntry, ids["entry"])
    with db.session_scope(engine, user=ANNA, face="app") as s:
        assert sorted(sites_frame(s, ANNA)["municipality_code"]) == ["1880", "2482"]
        assert log_frame(s, ANNA)["text"].tolist() == ["Styrgruppen bildades"]
        assert deleted_records(s, ANNA, Site).empty
        trail = audit_frame(s, entity="site", username="anna")
        assert list(reversed(trail["action"].tolist())) == ["delete", "restore"]


def test_a_deleted_pilot_disappears_for_every_role(engine, ids) -> None:
    with db.session_scope(engine, user=ANNA, face="app") as s:
        soft_delete(s, ANNA, Pilot, ids["pilot"])
    mfof = CurrentUser(id=None, username="m", role="mfof")
    with db.session_scope(engine) as s:
        for who in (ANNA, mfof):
            assert pilots_frame(s, who).empty
        assert s.scalar(select(Pilot.deleted_at).where(Pilot.id == ids["pilot"])) is not None


def test_only_admins_restore_and_only_writers_delete(engine, ids) -> None:
    researcher = CurrentUser(id=5, username="r", role="researcher", pilot_ids=frozenset({ids["pilot"]}))
    municipality = CurrentUser(id=6, username="k", role="municipality", municipality_code="2482")
    with pytest.raises(AccessDenied):
        with db.session_scope(engine, user=municipality, face="app") as s:
            soft_delete(s, municipality, LogEntry, ids["entry"])
    with db.session_scope(engine, user=researcher, face="app") as s:
        soft_delete(s, researcher, LogEntry, ids["entry"])
    with pytest.raises(AccessDenied):
        with db.session_scope(engine, user=researcher, face="app") as s:
            restore(s, researcher, LogEntry, ids["entry"])
    with pytest.raises(AccessDenied):
        with db.session_scope(engine, user=researcher, face="app") as s:
            deleted_records(s, researcher, LogEntry)
    with db.session_scope(engine, user=ANNA, face="app") as s:
        restore(s, ANNA, LogEntry, ids["entry"])
        assert len(log_frame(s, researcher)) == 1
