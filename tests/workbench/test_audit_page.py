"""The audit page: admins only, filters by entity, user, face and period, exports; nothing on it can edit."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from pilots import db
from pilots.access import CurrentUser
from pilots.models import Pilot
from pilots.sites import add_site
from tests.workbench.conftest import registered_paths

ROOT = Path(__file__).resolve().parents[2]


def _open(app_as, username: str = "admin"):
    at = app_as(username)
    at.switch_page("pages/audit.py")
    return at.run()


def test_admin_sees_the_trail_and_nobody_else_reaches_it(app_as) -> None:
    at = _open(app_as)
    assert not at.exception
    assert at.title[0].value == "Granskningslogg"
    shown = at.dataframe[0].value
    assert len(shown) > 0 and {"Användare", "Väg in", "Händelse", "Post", "Före", "Efter"} <= set(
        shown.columns
    )
    for username in ("forskare", "mfof", "skelleftea", "presentator"):
        assert "audit" not in registered_paths(app_as(username))


def test_filters_narrow_the_trail(app_as, demo_url: str) -> None:
    anna = CurrentUser(id=None, username="anna-admin", role="admin")
    engine = db.make_engine(demo_url)
    with db.session_scope(engine, user=anna, face="import") as s:
        add_site(s, anna, s.scalar(select(Pilot).where(Pilot.slug == "tryggvaxt")), "0180")
    engine.dispose()
    at = _open(app_as)
    at.selectbox(key="audit_face").set_value("import").run()
    at.selectbox(key="audit_user").set_value("anna-admin").run()
    shown = at.dataframe[0].value
    assert set(shown["Väg in"]) == {"import"} and set(shown["Användare"]) == {"anna-admin"}
    assert shown["Post"].tolist() == ["site"] and shown["Händelse"].tolist() == ["create"]


def test_period_filter_is_half_open(engine) -> None:
    from datetime import datetime

    from pilots.audit import audit_trail
    from pilots.models import AuditEvent

    admin = CurrentUser(id=None, username="admin", role="admin")
    with db.session_scope(engine) as s:
        for day in (1, 2, 3):
            s.add(
                AuditEvent(
                    at=datetime(2025, 3, day, 12),
                    username="u",
                    face="cli",
                    action="update",
                    entity="pilot",
                    entity_id=str(day),
                    before=None,
                    after={"name": "=1+1"},
                )
            )
    with db.session_scope(engine) as s:
        got = audit_trail(s, admin, entity="pilot", since=datetime(2025, 3, 2), until=datetime(2025, 3, 3))
    assert got["entity_id"].tolist() == ["2"]
    assert got["after"].tolist() == [
        '{"name": "=1+1"}'
    ]  # JSON text: starts with '{', never runs as a formula


def test_the_page_has_no_editing_widgets(app_as) -> None:
    at = _open(app_as)
    assert not at.exception
    assert len(at.main.button) == 0 and len(at.text_input) == 0 and len(at.text_area) == 0
    assert len(at.get("data_editor")) == 0 and len(at.main.get("form")) == 0
    # what there is: filters and two downloads
    assert {w.key for w in at.selectbox} >= {"audit_entity", "audit_user", "audit_face"}
    assert len(at.get("download_button")) == 2


def test_no_code_path_changes_or_deletes_an_audit_event() -> None:
    """Read-only by design: the only writes to audit_event are the inserts in pilots/audit.py."""
    offenders = []
    for package in ("pilots", "instruments", "cooperation_model", "workbench"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
                    name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                    args = [a.id for a in node.args if isinstance(a, ast.Name)]
                    if name in ("update", "delete") and "AuditEvent" in args:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            text = path.read_text(encoding="utf-8").lower()
            for needle in ("update audit_event", "delete from audit_event", "truncate audit_event"):
                if needle in text:
                    offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []
    from pilots import audit

    public = sorted(n for n in dir(audit) if not n.startswith("_") and callable(getattr(audit, n)))
    writers = [n for n in public if n in ("record_event",)]
    assert writers == ["record_event"]  # append-only: no update_event, delete_event, purge...
    assert not any(word in n for n in public for word in ("delete", "purge", "edit", "update", "clear"))


def test_cli_import_is_recorded_with_face_import(engine, monkeypatch, tmp_path: Path) -> None:
    from pilots.access import SYSTEM_USER
    from pilots.audit import audit_frame
    from pilots.sites import create_pilot
    from workbench.cli import cli

    with db.session_scope(engine, user=SYSTEM_USER) as s:
        create_pilot(
            s,
            SYSTEM_USER,
            slug="trygg",
            name="Trygg",
            purpose="",
            start_date=date(2025, 1, 1),
            end_date=date(2025, 12, 31),
        )
    file = tmp_path / "platser.csv"
    file.write_text("pilot;kommunkod\ntrygg;2482\ntrygg;1880\n", encoding="utf-8")
    monkeypatch.setenv(db.ENV_URL, engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(cli, ["import", "sites", str(file)])
    db.dispose_engines()
    assert result.exit_code == 0, result.output
    with db.session_scope(engine) as s:
        trail = audit_frame(s, face="import")
    assert sorted(trail["entity"]) == ["site", "site", "sites"]  # two rows created plus the import event
    assert set(trail["action"]) == {"create", "import"}
