"""The instrument and round commands: sync, list, add with path errors, diff, score, invite."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from instruments.answers import save_answers, start_response, submit_response
from instruments.invitations import hash_token
from instruments.rounds import create_round
from instruments.store import add_instrument_version
from pilots import db
from pilots.access import SYSTEM_USER
from pilots.models import Invitation
from pilots.sites import add_site, create_pilot
from workbench.cli import cli

SMALL = (Path(__file__).resolve().parents[1] / "instruments" / "data" / "small.yaml").read_text(
    encoding="utf-8"
)


@pytest.fixture
def runner(engine, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv(db.ENV_URL, engine.url.render_as_string(hide_password=False))
    yield CliRunner()
    db.dispose_engines()


def test_sync_then_list(runner: CliRunner) -> None:
    first = runner.invoke(cli, ["instruments", "sync"])
    assert first.exit_code == 0, first.output
    assert "La till mfof-sju-steg 0.1.0." in first.output
    assert "finns redan" in runner.invoke(cli, ["instruments", "sync"]).output
    listed = json.loads(runner.invoke(cli, ["instruments", "list", "--format", "json"]).output)
    assert len(listed) == 6 and {r["status"] for r in listed} == {"provisional"}


def test_add_reports_every_path_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "trasig.yaml"
    bad.write_text(
        SMALL.replace("scale: STEG5, success_factor: steg", "scale: INST5, success_factor: steg").replace(
            "status: provisional", "status: klar"
        ),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["instruments", "add", str(bad)])
    assert result.exit_code == 1
    assert "sections[1].items[0].scale" in result.output and "status" in result.output
    assert "Traceback" not in result.output
    good = tmp_path / "liten.yaml"
    good.write_text(SMALL, encoding="utf-8")
    ok = runner.invoke(cli, ["instruments", "add", str(good)])
    assert ok.exit_code == 0 and "liten version 1.0.0 (provisional) är sparad" in ok.output
    v2 = tmp_path / "liten2.yaml"
    v2.write_text(
        SMALL.replace('version: "1.0.0"', 'version: "1.1.0"').replace('"Text b"', '"Text B2"', 1),
        encoding="utf-8",
    )
    assert runner.invoke(cli, ["instruments", "add", str(v2)]).exit_code == 0
    diff = json.loads(
        runner.invoke(cli, ["instruments", "diff", "liten", "1.0.0", "1.1.0", "--format", "json"]).output
    )
    assert [(d["change"], d["item_id"], d["comparable"]) for d in diff] == [("text_changed", "b", False)]


def test_score_and_invite(runner: CliRunner, engine) -> None:
    with db.session_scope(engine, user=SYSTEM_USER) as session:
        pilot = create_pilot(
            session,
            SYSTEM_USER,
            slug="p",
            name="Pilot",
            purpose="",
            start_date=date(2025, 1, 1),
            end_date=date(2026, 12, 31),
        )
        site = add_site(session, SYSTEM_USER, pilot, "2482")
        version = add_instrument_version(session, SYSTEM_USER, SMALL)
        rnd = create_round(session, SYSTEM_USER, site.id, version.id, "Nollmätning", date(2099, 3, 1))
        for label, values in (("R1", {"a": 2, "b": 0, "c": 4}), ("R2", {"a": 1, "b": "vet_ej", "c": 2})):
            resp = start_response(session, SYSTEM_USER, rnd.id, label)
            save_answers(session, SYSTEM_USER, resp.id, values)
            submit_response(session, SYSTEM_USER, resp.id)
    result = runner.invoke(
        cli, ["instruments", "score", "--site", "2482", "--instrument", "liten", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = {(r["level"], r["id"]): r for r in json.loads(result.output)}
    assert rows[("item", "a")]["value"] == 1.5 and rows[("item", "b")]["n_dont_know"] == 1
    assert rows[("item", "c")]["value"] == 3.0  # median of 4 and 2
    assert rows[("factor", "f1")]["value"] == pytest.approx((1.5 + 0) / 2)
    assert rows[("indicator", "sys")]["value"] == pytest.approx(3 / 6)  # (2+1+0)/(2*3)
    missing = runner.invoke(
        cli, ["instruments", "score", "--site", "2482", "--instrument", "liten", "--round", "X"]
    )
    assert missing.exit_code == 1 and "Nollmätning" in missing.output

    invite = runner.invoke(
        cli,
        [
            "rounds",
            "invite",
            "--site",
            "2482",
            "--instrument",
            "liten",
            "--round",
            "Nollmätning",
            "--respondent",
            "Rektor",
            "--base-url",
            "http://app.example",
        ],
    )
    assert invite.exit_code == 0, invite.output
    link = invite.stdout.strip()
    assert link.startswith("http://app.example/?token=")
    with db.session_scope(engine) as session:
        stored = session.query(Invitation).one()
        assert stored.token_hash == hash_token(link.split("token=")[1])
    listed = runner.invoke(cli, ["rounds", "list", "--site", "2482", "--format", "json"])
    assert json.loads(listed.output)[0]["n_submitted"] == 2
