"""`workbench template/import/export` end to end on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from pilots import db
from pilots.access import SYSTEM_USER
from pilots.models import Site
from tests.pilots.records_helpers import count, setup_pilot
from workbench.cli import cli


@pytest.fixture
def runner(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    db.dispose_engines()
    with db.session_scope(engine, user=SYSTEM_USER) as s:
        setup_pilot(s)
    yield CliRunner()
    db.dispose_engines()


def test_template_xlsx_has_drop_down_for_log_kind(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "logg.xlsx"
    result = runner.invoke(cli, ["template", "log", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == ["pilot", "kommunkod", "datum", "typ", "kalltyp", "text", "taggar"]
    assert sheet.data_validations.dataValidation  # the 'typ' column has a list


def test_import_then_export_json(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "ind.csv"
    source.write_bytes("pilot;kommunkod;indikator;periodstart;varde\r\ntryggvaxt;2482;andel_i_malomraden;"
                       "2025-04-01;62,5\r\n".encode("cp1252"))
    result = runner.invoke(cli, ["import", "indicators", str(source)])
    assert result.exit_code == 0, result.output
    assert "1 nya" in result.output
    result = runner.invoke(cli, ["export", "indicators", "--format", "json"])
    rows = json.loads(result.output)
    assert [(r["indikator"], r["varde"]) for r in rows] == [("andel_i_malomraden", "62,5")]


def test_failed_import_lists_all_problems_and_writes_nothing(runner: CliRunner, engine: Engine, tmp_path: Path) -> None:
    source = tmp_path / "platser.csv"
    source.write_text("pilot;kommunkod\ntryggvaxt;9999\nokand;0180\n", encoding="utf-8")
    with db.session_scope(engine) as s:
        before = count(s, Site)
    result = runner.invoke(cli, ["import", "sites", str(source)])
    assert result.exit_code == 1
    assert "2 problem (inget har ändrats)" in result.output
    assert "platser.csv, rad 2, kolumn kommunkod" in result.output
    assert "platser.csv, rad 3, kolumn pilot" in result.output
    with db.session_scope(engine) as s:
        assert count(s, Site) == before


def test_dry_run_writes_nothing(runner: CliRunner, engine: Engine, tmp_path: Path) -> None:
    source = tmp_path / "platser.csv"
    source.write_text("pilot;kommunkod\ntryggvaxt;0180\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", "sites", str(source), "--dry-run"])
    assert result.exit_code == 0, result.output
    with db.session_scope(engine) as s:
        assert count(s, Site) == 2


def test_export_to_xlsx_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "platser.xlsx"
    result = runner.invoke(cli, ["export", "sites", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out).worksheets[0].values)
    assert rows[0][:2] == ("pilot", "kommunkod") and len(rows) == 3
