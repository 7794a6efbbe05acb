"""Protection commands: backup, restore (asks first), audit (filters, formula-safe CSV); serve's cookie secret."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from pilots import db
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.models import Pilot, Site
from pilots.security import ENV_COOKIE_SECRET
from pilots.sites import add_site, create_pilot
from workbench.cli import cli


@pytest.fixture
def runner(engine, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv(db.ENV_URL, engine.url.render_as_string(hide_password=False))
    yield CliRunner()
    db.dispose_engines()


def _sites(engine) -> list[str]:
    with db.session_scope(engine) as s:
        return sorted(s.scalars(select(Site.municipality_code)))


def test_backup_then_restore_with_confirmation(runner: CliRunner, engine, tmp_path: Path) -> None:
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        pilot = create_pilot(
            s,
            SYSTEM_USER,
            slug="p",
            name="P",
            purpose="",
            start_date=date(2025, 1, 1),
            end_date=date(2025, 12, 31),
        )
        add_site(s, SYSTEM_USER, pilot, "2482")
    file = tmp_path / "kopia.backup"
    result = runner.invoke(cli, ["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert "Säkerhetskopian är sparad" in result.output and file.stat().st_size > 0

    again = runner.invoke(cli, ["backup", str(file)])
    assert again.exit_code == 1 and "finns redan" in again.output

    with db.session_scope(engine, user=SYSTEM_USER) as s:
        add_site(s, SYSTEM_USER, s.scalar(select(Pilot)), "1880")
    assert _sites(engine) == ["1880", "2482"]

    declined = runner.invoke(cli, ["restore", str(file)], input="n\n")
    assert declined.exit_code != 0 and "Fortsätta?" in declined.output
    assert _sites(engine) == ["1880", "2482"]  # nothing happened

    accepted = runner.invoke(cli, ["restore", str(file)], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert _sites(engine) == ["2482"]
    db.dispose_engines()

    with db.session_scope(engine, user=SYSTEM_USER) as s:
        add_site(s, SYSTEM_USER, s.scalar(select(Pilot)), "0180")
    assert runner.invoke(cli, ["restore", str(file), "--yes"]).exit_code == 0
    assert _sites(engine) == ["2482"]


def test_restore_of_a_file_that_is_no_backup_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    junk = tmp_path / "anteckningar.txt"
    junk.write_text("inte en databas", encoding="utf-8")
    result = runner.invoke(cli, ["restore", str(junk), "--yes"])
    assert result.exit_code == 1
    assert result.output.startswith("fel: ") and "ingen säkerhetskopia" in result.output
    assert "Traceback" not in result.output


def test_audit_filters_by_face_and_entity_and_neutralises_formulas(runner: CliRunner, engine) -> None:
    anna = CurrentUser(id=None, username="anna", role="admin")
    with db.session_scope(engine, user=anna, face="app") as s:
        create_pilot(
            s,
            anna,
            slug="formel",
            name='=HYPERLINK("http://x")',
            purpose="",
            start_date=date(2025, 1, 1),
            end_date=date(2025, 12, 31),
        )
    with db.session_scope(engine, user=SYSTEM_USER, face="import") as s:
        pilot = s.scalar(select(Pilot))
        add_site(s, SYSTEM_USER, pilot, "2482")

    result = runner.invoke(cli, ["audit", "--entity", "pilot", "--format", "json"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    assert [(e["username"], e["face"], e["action"]) for e in events] == [("anna", "app", "create")]
    assert json.loads(events[0]["after"])["name"] == '=HYPERLINK("http://x")'

    by_face = json.loads(runner.invoke(cli, ["audit", "--face", "import", "--format", "json"]).output)
    assert {e["entity"] for e in by_face} == {"site"}

    text = runner.invoke(cli, ["audit", "--user", "anna", "--format", "csv"]).output
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1 and rows[0]["username"] == "anna"
    # A cell starting with '=' would run in Excel; a JSON cell starts with '{', the name inside is inert.
    assert not any(v.startswith(("=", "+", "-", "@")) for v in rows[0].values())

    later = runner.invoke(cli, ["audit", "--since", "2999-01-01", "--format", "json"])
    assert json.loads(later.output) == []
    bad = runner.invoke(cli, ["audit", "--since", "igår"])
    assert bad.exit_code == 1 and "ÅÅÅÅ-MM-DD" in bad.output


def test_serve_hands_the_configured_cookie_secret_to_streamlit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[dict] = []

    def fake_call(cmd: list[str], env: dict[str, str]) -> int:
        calls.append({"cmd": cmd, "env": env})
        return 0

    monkeypatch.setenv(db.ENV_URL, f"sqlite:///{tmp_path / 'wb.db'}")
    monkeypatch.setattr(subprocess, "call", fake_call)
    secret = "delad-hemlighet-for-alla-repliker-0123456789"
    monkeypatch.setenv(ENV_COOKIE_SECRET, secret)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    env, cmd = calls[0]["env"], calls[0]["cmd"]
    assert env["STREAMLIT_SERVER_COOKIE_SECRET"] == secret
    assert secret not in " ".join(cmd)  # never on the command line (visible in the process list)

    monkeypatch.delenv(ENV_COOKIE_SECRET)
    result = CliRunner().invoke(cli, ["serve"])
    assert "slumpad" in result.output
    first, second = calls[1]["env"]["STREAMLIT_SERVER_COOKIE_SECRET"], None
    CliRunner().invoke(cli, ["serve"])
    second = calls[2]["env"]["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert len(first) >= 32 and first != second  # random per start
    db.dispose_engines()
    with db.session_scope(db.make_engine(f"sqlite:///{tmp_path / 'wb.db'}")) as s:
        assert s.scalar(select(func.count()).select_from(Pilot)) == 0


def test_no_secret_is_committed() -> None:
    """Tracked files hold no cookie secret, secrets file, private key or hard-coded secret value."""
    import re

    root = Path(__file__).resolve().parents[2]
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    assert not [f for f in tracked if f.endswith(("secrets.toml", ".pem", ".key", "id_rsa", ".env"))]
    assignment = re.compile(r"""(cookie_?secret|secret_?key|api_?key)\s*[=:]\s*["'][^"'\s]{12,}["']""", re.I)
    offenders = []
    for name in tracked:
        path = root / name
        if not path.is_file() or path.suffix in (".png", ".xlsx", ".db", ".gpkg", ".pdf", ".docx", ".pptx"):
            continue
        content = path.read_text(encoding="utf-8", errors="ignore")
        if re.search("-----BEGIN [A-Z ]*" + "PRIVATE KEY-----", content):  # split so this file does not match
            offenders.append(f"{name}: private key")
        for match in assignment.finditer(content):
            if "WORKBENCH_" not in match.group(0) and "STREAMLIT_" not in match.group(0):
                offenders.append(f"{name}: {match.group(0)[:40]}")
    assert offenders == []
