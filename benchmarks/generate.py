"""Build and load the synthetic national-scale dataset the benchmark measures: 290 sites, 3 years of meetings.

Usage::

    python benchmarks/generate.py --seed 2026 --out /tmp/national [--scale national|small]
    python benchmarks/generate.py load /tmp/national --database sqlite:////tmp/national.db

``generate`` writes files in the formats users import (column names taken from the importers' RecordSpecs)
plus a few loader-only files (actors, forums, instrument answers) for data the app enters through forms.
``load`` migrates the database, imports the verified reference copies with ``workbench reference import``,
and loads everything through the same import paths and service functions the app uses.
All data is fictitious; the same seed gives the same files (CSV byte for byte, the xlsx cell for cell).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REFERENCE_DIR = ROOT.parent / "shared" / "reference"
REFERENCE_FILES = ("municipalities.csv", "skr_groups.csv")
PILOT_SLUG = "nationell"
PILOT_NAME = "Nationell uppföljning (syntetisk)"
# A fixed three-year window in the past, so the files do not depend on the day they are built.
PERIOD_START = date(2023, 10, 2)
PERIOD_END = date(2026, 9, 30)

# (name, sector, level) — organisations and functions, never persons.
ACTORS: tuple[tuple[str, str, str], ...] = (
    ("Socialtjänsten, förebyggande enheten", "socialtjänst", "operativ"),
    ("Socialtjänsten, barn och unga", "socialtjänst", "arendeniva"),
    ("Socialnämnden", "socialtjänst", "strategisk"),
    ("Grundskolan, rektorsgruppen", "skola", "strategisk"),
    ("Gymnasieskolan", "skola", "operativ"),
    ("Elevhälsan", "elevhälsa", "operativ"),
    ("Förskolan", "förskola", "operativ"),
    ("Fritidsgården", "fritid", "operativ"),
    ("Polisen, lokalpolisområde", "polis", "operativ"),
    ("Barnavårdscentralen", "bvc_mvc", "operativ"),
    ("Ungdomsmottagningen", "halso_sjukvard", "operativ"),
    ("Föreningsrådet", "civilsamhalle", "operativ"),
    ("Trossamfundens råd", "trossamfund", "strategisk"),
)
# (name, level, cadence, purpose, member indexes into ACTORS, days between meetings or 0 = monthly)
FORUMS: tuple[tuple[str, str, str, str, tuple[int, ...], int], ...] = (
    (
        "Styrgrupp mot hedersrelaterat våld",
        "strategisk",
        "manadsvis",
        "Styrning och uppföljning",
        (2, 3, 0, 8, 10, 12),
        0,
    ),
    (
        "Operativ samverkansgrupp",
        "operativ",
        "varannan_vecka",
        "Lägesbild och gemensamma insatser",
        (0, 4, 5, 6, 7, 8, 9, 10, 11),
        14,
    ),
    (
        "Ärendegrupp barn och unga",
        "arendeniva",
        "veckovis",
        "Samordning kring enskilda ärenden (avidentifierat)",
        (1, 0, 5, 8, 4, 9, 6, 10),
        7,
    ),
)
PURPOSES = (
    "Lägesbild",
    "Planering av föräldraträffar",
    "Uppföljning av insatser",
    "Kartläggning",
    "Kompetensutveckling",
    "Rutiner för orosanmälan",
    "Samordning inför lovet",
)
DECISIONS = (
    "Gemensam information till vårdnadshavare",
    "Ny rutin för konsultation",
    "Utbildningsdag i vår",
    "Kartläggningen uppdateras",
    "",
)
ACTION_TEXTS = (
    "boka lokal",
    "sammanställa lägesbild",
    "ta fram underlag",
    "kontakta skolan",
    "skicka kallelse",
    "uppdatera rutinen",
    "planera utbildning",
    "återkoppla till styrgruppen",
)
LOG_KINDS_SV = ("observation", "intervju", "dokumentanalys", "workshop", "beslut", "reflektion")
LOG_TEXTS = (
    "Styrgruppen följde upp handlingsplanen",
    "Operativa gruppen gick igenom lägesbilden",
    "Gruppintervju med skolans personal om rutinerna",
    "Dokumentanalys av samverkansöverenskommelsen",
    "Workshop om föräldraperspektivet",
    "Beslut om gemensam kartläggning",
    "Reflektion om sammankallandets roll",
)
LOG_TAGS = (
    "tydligt-syfte",
    "namngiven-sammankallande",
    "forankring",
    "uppfoljning",
    "kunskapslage",
    "foraldraperspektiv",
    "samverkan-systematik:c02-tydligt-syfte",
)
SURVEY_UNITS = ("förskola", "grundskola", "gymnasieskola", "ifo_barn_unga")
REGION_UNITS = ("mhv", "bhv", "primarvard")
SURVEY_FILE = "mfof-enkat-2025.xlsx"


@dataclass(frozen=True)
class Scale:
    """How much to generate."""

    sites: int | None  # None = all 290 municipalities
    months: int
    log_entries: int
    respondents: int
    rounds: int
    instruments: int | None  # None = all
    survey_share: float


SCALES: dict[str, Scale] = {
    "national": Scale(
        sites=None, months=36, log_entries=40_000, respondents=3, rounds=4, instruments=None, survey_share=0.9
    ),
    "small": Scale(
        sites=4, months=3, log_entries=40, respondents=2, rounds=2, instruments=2, survey_share=0.9
    ),
}


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})
            n += 1
    return n


def _columns(importer: Any) -> list[str]:
    return [c.name for c in importer.spec.columns]


def _meeting_dates(every_days: int, offset: int, end: date) -> list[date]:
    if every_days:
        out, day = [], PERIOD_START + timedelta(days=offset)
        while day <= end:
            out.append(day)
            day += timedelta(days=every_days)
        return out
    out, year, month = [], PERIOD_START.year, PERIOD_START.month
    while True:
        first = date(year, month, 1)
        tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7 * (offset % 2))
        if tuesday > end:
            return out
        if tuesday >= PERIOD_START:
            out.append(tuesday)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _period_end(scale: Scale) -> date:
    if scale.months >= 36:
        return PERIOD_END
    return PERIOD_START + timedelta(days=int(scale.months * 30.4))


def _municipality_codes() -> list[tuple[str, str]]:
    """(code, county code) of the 290 municipalities, from the verified reference copy."""
    with (REFERENCE_DIR / "municipalities.csv").open(encoding="utf-8") as fh:
        return [(r["code"], r["county_code"]) for r in csv.DictReader(fh)]


def generate(out: Path, seed: int = 2026, scale_name: str = "national") -> dict[str, Any]:
    """Write the dataset's files to ``out`` and return the manifest (counts, period, files)."""
    import pandas as pd

    from instruments.schema import load_builtin_definitions
    from pilots.exporting import write_records
    from pilots.log import LOG_IMPORTER
    from pilots.meetings_import import MEETINGS_IMPORTER
    from pilots.sites_import import SITES_IMPORTER
    from pilots.survey_store import QUESTIONS, SURVEY_IMPORTER

    scale = SCALES[scale_name]
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    end = _period_end(scale)
    municipalities = _municipality_codes()
    codes = [c for c, _ in municipalities]
    site_codes = codes if scale.sites is None else sorted(rng.sample(codes, scale.sites))
    counts: dict[str, int] = {}

    # Sites: the first row also creates the pilot.
    site_rows = []
    for i, code in enumerate(site_codes):
        row: dict[str, Any] = {
            "pilot": PILOT_SLUG,
            "kommunkod": code,
            "kontaktroll": "Samordnare, socialtjänsten",
            "projektorganisation": "Styrgrupp, operativ grupp, ärendegrupp",
        }
        if i == 0:
            row.update(
                {
                    "pilotnamn": PILOT_NAME,
                    "pilottyp": "pilot",
                    "syfte": "Syntetiskt data för prestandamätning",
                    "pilotstart": PERIOD_START.isoformat(),
                    "pilotslut": PERIOD_END.isoformat(),
                }
            )
        site_rows.append(row)
    counts["sites"] = _write_csv(out / "sites.csv", _columns(SITES_IMPORTER), site_rows)

    # Actors and forums (entered in the app: loader-only files).
    counts["actors"] = _write_csv(
        out / "actors.csv",
        ["kommunkod", "name", "sector", "level"],
        (
            {"kommunkod": code, "name": name, "sector": sector, "level": level}
            for code in site_codes
            for name, sector, level in ACTORS
        ),
    )
    counts["forums"] = _write_csv(
        out / "forums.csv",
        ["kommunkod", "name", "level", "cadence", "purpose", "members"],
        (
            {
                "kommunkod": code,
                "name": name,
                "level": level,
                "cadence": cadence,
                "purpose": purpose,
                "members": "; ".join(ACTORS[i][0] for i in members),
            }
            for code in site_codes
            for name, level, cadence, purpose, members, _ in FORUMS
        ),
    )

    # Meetings: one row per meeting, in the importer's columns.
    meeting_columns = _columns(MEETINGS_IMPORTER)
    n_attendance = n_actions = 0

    def meetings() -> Iterable[dict[str, Any]]:
        nonlocal n_attendance, n_actions
        for code in site_codes:
            for f_index, (forum, _level, _cadence, _purpose, members, every) in enumerate(FORUMS):
                names = [ACTORS[i][0] for i in members]
                offset = rng.randrange(0, 5) + f_index
                for when in _meeting_dates(every, offset, end):
                    attended = [n for n in names if rng.random() < 0.85] or names[:1]
                    absent = [n for n in names if n not in attended and rng.random() < 0.5]
                    owners = rng.sample(attended, min(len(attended), rng.choice((0, 1, 2, 2, 3, 4))))
                    actions = [
                        f"{owner}: {rng.choice(ACTION_TEXTS)} (klart "
                        f"{(when + timedelta(days=rng.randrange(7, 40))).isoformat()})"
                        for owner in owners
                    ]
                    n_attendance += len(attended) + len(absent)
                    n_actions += len(actions)
                    yield {
                        "kommunkod": code,
                        "pilot": PILOT_SLUG,
                        "forum": forum,
                        "datum": when.isoformat(),
                        "syfte": rng.choice(PURPOSES),
                        "dagordning": "Lägesbild; insatser; övrigt",
                        "sammankallande": names[0],
                        "dokumenterande": names[1],
                        "deltagare": "; ".join(attended),
                        "inbjudna_ej_narvarande": "; ".join(absent),
                        "beslut": rng.choice(DECISIONS),
                        "atgarder": "; ".join(actions),
                        "foregaende_uppfoljda": "ja" if rng.random() < 0.7 else "nej",
                    }

    # One file per calendar year, as a coordinator would send them (each stays under the upload limit).
    by_year: dict[str, list[dict[str, Any]]] = {}
    for row in meetings():
        by_year.setdefault(row["datum"][:4], []).append(row)
    counts["meetings"] = sum(
        _write_csv(out / f"meetings-{year}.csv", meeting_columns, rows)
        for year, rows in sorted(by_year.items())
    )
    counts["attendance"], counts["actions"] = n_attendance, n_actions

    # Follow-research log.
    span = (end - PERIOD_START).days
    log_rows = []
    for n in range(scale.log_entries):
        code = site_codes[n % len(site_codes)]
        log_rows.append(
            {
                "pilot": PILOT_SLUG,
                "kommunkod": code,
                "datum": (PERIOD_START + timedelta(days=rng.randrange(span + 1))).isoformat(),
                "typ": rng.choice(LOG_KINDS_SV),
                "kalltyp": "mötesanteckningar",
                "text": f"{rng.choice(LOG_TEXTS)} (anteckning {n + 1}).",
                "taggar": "; ".join(rng.sample(LOG_TAGS, rng.randrange(0, 3))),
            }
        )
    counts["log_entries"] = _write_csv(out / "log.csv", _columns(LOG_IMPORTER), log_rows)

    # National survey: four municipal units per responding municipality plus the regions' three units.
    survey_columns = _columns(SURVEY_IMPORTER)
    answers = ("ja", "ja", "nej", "vet ej", "")
    survey_rows = []
    for code, _ in municipalities:
        if rng.random() >= scale.survey_share:
            continue
        for unit in SURVEY_UNITS:
            survey_rows.append(
                {"kommunkod": code, "verksamhet": unit, **{q: rng.choice(answers) for q in QUESTIONS}}
            )
    for county in sorted({c for _, c in municipalities}):
        for unit in REGION_UNITS:
            survey_rows.append(
                {"kommunkod": county, "verksamhet": unit, **{q: rng.choice(answers) for q in QUESTIONS}}
            )
    write_records(pd.DataFrame(survey_rows, columns=survey_columns), out / SURVEY_FILE)
    counts["survey_units"] = len(survey_rows)

    # Instrument answers (entered in the self-assessment form: loader-only file).
    instruments = sorted(load_builtin_definitions(), key=lambda i: i.id)[: scale.instruments]
    round_dates = [
        PERIOD_START + timedelta(days=int(span * (k + 0.5) / scale.rounds)) for k in range(scale.rounds)
    ]
    answer_columns = [
        "kommunkod",
        "instrument",
        "version",
        "round",
        "due_date",
        "respondent",
        "item",
        "value",
    ]

    def answer_rows() -> Iterable[dict[str, Any]]:
        for code in site_codes:
            for ins in instruments:
                items = [
                    (it.id, ins.scale(it.scale).allowed_values()) for s in ins.sections for it in s.items
                ]
                for k, due in enumerate(round_dates):
                    for r in range(scale.respondents):
                        for item_id, allowed in items:
                            value = "vet_ej" if rng.random() < 0.05 else str(rng.choice(allowed))
                            yield {
                                "kommunkod": code,
                                "instrument": ins.id,
                                "version": ins.version,
                                "round": f"Omgång {k + 1}",
                                "due_date": due.isoformat(),
                                "respondent": f"Svarande {r + 1}",
                                "item": item_id,
                                "value": value,
                            }

    counts["answers"] = _write_csv(out / "instrument_answers.csv", answer_columns, answer_rows())
    counts["responses"] = len(site_codes) * len(instruments) * scale.rounds * scale.respondents
    counts["instruments"] = len(instruments)
    manifest = {
        "seed": seed,
        "scale": scale_name,
        "pilot": PILOT_SLUG,
        "period_start": PERIOD_START.isoformat(),
        "period_end": end.isoformat(),
        "site_codes": site_codes,
        "counts": counts,
        "files": sorted(p.name for p in out.iterdir() if p.name != "manifest.json"),
        "params": asdict(scale),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


# --- loading -----------------------------------------------------------------------------------------

BENCH_USERS = (
    ("bench-admin", "admin"),
    ("bench-forskare", "researcher"),
    ("bench-mfof", "mfof"),
    ("bench-kommun", "municipality"),
    ("bench-presentator", "presenter"),
)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _reference_import(url: str) -> None:
    """The verified reference copies through the CLI users run (`workbench reference import FILE`)."""
    env = {**os.environ, "WORKBENCH_DATABASE_URL": url}
    for name in REFERENCE_FILES:
        done = subprocess.run(
            [sys.executable, "-m", "workbench.cli", "reference", "import", str(REFERENCE_DIR / name)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"workbench reference import {name} failed: {done.stderr or done.stdout}")


def meeting_files(directory: Path) -> list[Path]:
    """The dataset's meeting files, oldest year first."""
    return sorted(directory.glob("meetings-*.csv"))


def load(directory: Path, url: str, *, echo: bool = True) -> dict[str, float]:
    """Load a generated dataset into the database at ``url``; returns seconds per step."""
    from sqlalchemy import select

    from instruments.answers import save_answers, start_response, submit_response
    from instruments.rounds import create_round
    from instruments.store import find_version, sync_builtin_instruments
    from pilots import db
    from pilots.access import SYSTEM_USER
    from pilots.importing import run_import
    from pilots.log import LOG_IMPORTER
    from pilots.meetings import create_actor, create_forum
    from pilots.meetings_import import MEETINGS_IMPORTER
    from pilots.models import Pilot, Site, UserAccount
    from pilots.sites_import import SITES_IMPORTER
    from pilots.survey_store import SURVEY_IMPORTER
    from pilots.users import create_user
    from workbench.database import prepare_workbench

    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    engine = db.make_engine(url)
    timings: dict[str, float] = {}

    def step(name: str) -> Any:
        class _Step:
            def __enter__(self) -> None:
                self.t0 = time.perf_counter()

            def __exit__(self, *exc: object) -> None:
                timings[name] = time.perf_counter() - self.t0
                if echo and exc[0] is None:
                    print(f"  {name}: {timings[name]:.1f} s", flush=True)

        return _Step()

    with step("migrate"):  # as `workbench db upgrade`: schema, municipalities, the shipped definitions
        prepare_workbench(engine)
    with step("reference"):
        _reference_import(url)
    user = SYSTEM_USER
    with step("sites"), db.session_scope(engine, user=user, face="import") as s:
        run_import(s, user, SITES_IMPORTER, directory / "sites.csv")
        sync_builtin_instruments(s)
    with db.session_scope(engine, user=user, face="system") as s:
        pilot_id = s.scalar(select(Pilot.id).where(Pilot.slug == manifest["pilot"]))
        site_of = dict(
            s.execute(select(Site.municipality_code, Site.id).where(Site.pilot_id == pilot_id)).all()
        )
    with step("users"), db.session_scope(engine, user=user, face="cli") as s:
        for username, role in BENCH_USERS:
            if s.scalar(select(UserAccount.id).where(UserAccount.username == username)) is not None:
                continue
            create_user(
                s,
                username,
                None,
                role,
                municipality_code=manifest["site_codes"][0] if role == "municipality" else None,
                pilot_slugs=[manifest["pilot"]] if role == "researcher" else None,
            )
    with step("actors_forums"), db.session_scope(engine, user=user, face="app") as s:
        actor_ids: dict[tuple[str, str], int] = {}
        for row in _read_csv(directory / "actors.csv"):
            actor = create_actor(
                s, user, site_of[row["kommunkod"]], name=row["name"], sector=row["sector"], level=row["level"]
            )
            actor_ids[(row["kommunkod"], row["name"])] = actor.id
        for row in _read_csv(directory / "forums.csv"):
            members = [actor_ids[(row["kommunkod"], n.strip())] for n in row["members"].split(";")]
            create_forum(
                s,
                user,
                site_of[row["kommunkod"]],
                name=row["name"],
                level=row["level"],
                cadence=row["cadence"],
                purpose=row["purpose"],
                convener_actor_id=members[0],
                documenter_actor_id=members[1],
                follow_up_actor_id=members[0],
                member_ids=members,
            )
    with step("meetings"):
        for path in meeting_files(directory):
            with db.session_scope(engine, user=user, face="import") as s:
                run_import(s, user, MEETINGS_IMPORTER, path)
    with step("log"), db.session_scope(engine, user=user, face="import") as s:
        run_import(s, user, LOG_IMPORTER, directory / "log.csv")
    with step("survey"), db.session_scope(engine, user=user, face="import") as s:
        run_import(s, user, SURVEY_IMPORTER, directory / SURVEY_FILE)
    with step("instruments"):
        _load_answers(
            engine,
            directory / "instrument_answers.csv",
            site_of,
            user,
            create_round,
            find_version,
            start_response,
            save_answers,
            submit_response,
        )
    engine.dispose()
    return timings


def _load_answers(
    engine: Any,
    path: Path,
    site_of: dict[str, int],
    user: Any,
    create_round: Any,
    find_version: Any,
    start_response: Any,
    save_answers: Any,
    submit_response: Any,
) -> None:
    """Rounds, responses and answers through the self-assessment services, one site per transaction."""
    from pilots import db

    by_site: dict[str, dict[tuple[str, str, str, str, str], dict[str, str]]] = {}
    for row in _read_csv(path):
        key = (row["instrument"], row["version"], row["round"], row["due_date"], row["respondent"])
        by_site.setdefault(row["kommunkod"], {}).setdefault(key, {})[row["item"]] = row["value"]
    versions: dict[tuple[str, str], int] = {}
    for code, responses in by_site.items():
        with db.session_scope(engine, user=user, face="app") as s:
            rounds: dict[tuple[str, str], int] = {}
            for (ins_id, version, label, due, respondent), answers in responses.items():
                if (ins_id, version) not in versions:
                    versions[(ins_id, version)] = find_version(s, ins_id, version).id
                if (ins_id, label) not in rounds:
                    rounds[(ins_id, label)] = create_round(
                        s, user, site_of[code], versions[(ins_id, version)], label, date.fromisoformat(due)
                    ).id
                response = start_response(s, user, rounds[(ins_id, label)], respondent, "individual")
                save_answers(s, user, response.id, answers)
                submit_response(s, user, response.id)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "load":
        parser = argparse.ArgumentParser(prog="generate.py load", description="Load a generated dataset.")
        parser.add_argument("directory", type=Path)
        parser.add_argument("--database", required=True, help="database URL, e.g. sqlite:////tmp/national.db")
        args = parser.parse_args(argv[1:])
        t0 = time.perf_counter()
        load(args.directory, args.database)
        print(f"loaded {args.directory} into {args.database} in {time.perf_counter() - t0:.0f} s")
        return 0
    parser = argparse.ArgumentParser(prog="generate.py", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", choices=sorted(SCALES), default="national")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    manifest = generate(args.out, args.seed, args.scale)
    print(json.dumps(manifest["counts"], indent=1))
    print(f"wrote {args.out} ({args.scale}, seed {args.seed}) in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
