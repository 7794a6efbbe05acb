"""Audit trail: who, when, what (before/after) and through which face, for every change."""

from __future__ import annotations

from datetime import date

import pytest

from pilots import db
from pilots.access import CurrentUser
from pilots.audit import (
    audit_count,
    audit_filter_choices,
    audit_frame,
    audit_newest_id,
    audit_trail,
    record_event,
)
from pilots.errors import AccessDenied
from pilots.models import Pilot, utcnow
from pilots.sites import create_pilot
from pilots.users import create_user


def test_create_update_delete_are_recorded_with_user_and_face(engine) -> None:
    admin = CurrentUser(id=1, username="admin-anna", role="admin")
    with db.session_scope(engine, user=admin, face="app") as s:
        pilot = create_pilot(s, admin, slug="p", name="Piloten", purpose="Syfte", start_date=date(2025, 1, 1),
                             end_date=date(2025, 6, 30))
        pid = pilot.id
    with db.session_scope(engine, user=admin, face="cli") as s:
        p = s.get(Pilot, pid)
        p.name = "Piloten Ö"
    with db.session_scope(engine, user=admin, face="app") as s:
        s.get(Pilot, pid).deleted_at = utcnow()
    with db.session_scope(engine) as s:
        trail = audit_frame(s, entity="pilot")
    actions = list(reversed(trail["action"].tolist()))
    assert actions == ["create", "update", "delete"]
    update = trail[trail["action"] == "update"].iloc[0]
    assert update["before"]["name"] == "Piloten" and update["after"]["name"] == "Piloten Ö"
    assert update["face"] == "cli" and update["username"] == "admin-anna"
    assert trail[trail["action"] == "create"].iloc[0]["face"] == "app"


def test_password_hashes_never_reach_the_audit_trail(engine) -> None:
    with db.session_scope(engine) as s:
        create_user(s, "bertil", "hemligt-lösen-123", "admin")
    with db.session_scope(engine) as s:
        trail = audit_frame(s, entity="user_account")
    assert trail.iloc[-1]["after"]["password_hash"] == "***"
    assert "argon2" not in str(trail.to_dict())


def test_the_trail_is_paged_and_counted_by_the_database(engine) -> None:
    admin = CurrentUser(id=None, username="admin-anna", role="admin")
    with db.session_scope(engine, user=admin, face="cli") as s:
        for n in range(5):
            record_event(s, "backup", "database", str(n))
    with db.session_scope(engine, user=admin, face="import") as s:
        record_event(s, "import", "sites", "x")
    with db.session_scope(engine) as s:
        assert audit_count(s, admin, entity="database") == 5
        assert audit_count(s, admin, face="import") == 1
        assert audit_count(s, admin) == len(audit_trail(s, admin, limit=None))
        first = audit_trail(s, admin, entity="database", limit=2)
        second = audit_trail(s, admin, entity="database", limit=2, offset=2)
        last = audit_trail(s, admin, entity="database", limit=2, offset=4)
        assert first["entity_id"].tolist() == ["4", "3"]  # newest first
        assert second["entity_id"].tolist() == ["2", "1"] and last["entity_id"].tolist() == ["0"]
        choices = audit_filter_choices(s, admin)
        assert {"database", "sites"} <= set(choices["entity"]) and choices["entity"] == sorted(choices["entity"])
        assert "admin-anna" in choices["username"]
        assert set(choices["face"]) >= {"cli", "import"}
        assert audit_newest_id(s, admin) == int(audit_frame(s, limit=1)["id"].iloc[0])
    bertil = CurrentUser(id=None, username="bertil-ny", role="admin")
    with db.session_scope(engine, user=bertil, face="app") as s:
        record_event(s, "backup", "database", "5")
    with db.session_scope(engine) as s:
        assert "bertil-ny" in audit_filter_choices(s, admin)["username"]  # a new event brings its user
        researcher = CurrentUser(id=None, username="f", role="researcher")
        for ask in (audit_count, audit_newest_id, audit_filter_choices):
            with pytest.raises(AccessDenied):
                ask(s, researcher)


def test_audit_count_stops_after_at_most_plus_one(engine) -> None:
    admin = CurrentUser(id=None, username="admin", role="admin")
    with db.session_scope(engine, user=admin) as s:
        for n in range(12):
            record_event(s, "backup", "database", str(n))
    with db.session_scope(engine, user=admin) as s:
        exact = audit_count(s, admin, entity="database")
        assert exact == 12
        assert audit_count(s, admin, entity="database", at_most=5) == 6  # "more than 5"
        assert audit_count(s, admin, entity="database", at_most=12) == 12  # all of them: exact
