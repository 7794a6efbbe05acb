"""Backup and restore of the whole database: SQLite's online backup API, pg_dump/pg_restore on PostgreSQL.

A backup is one file. On SQLite it is itself a SQLite database (a consistent snapshot taken while the
app keeps running); on PostgreSQL it is a ``pg_dump --format=custom`` archive of the workbench's schema.
``restore`` puts back exactly what the file holds, in one transaction, and records the restore in the
audit trail of the restored database. Stop the app (every replica) before restoring.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from pilots import db
from pilots.access import SYSTEM_USER
from pilots.audit import record_event
from pilots.errors import WorkbenchError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
ENV_PG_BIN = "WORKBENCH_PG_BIN"  # folder holding pg_dump/pg_restore when they are not on PATH


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file is: its backend, size in bytes and (SQLite) schema revision."""

    path: Path
    backend: str
    size: int
    schema_revision: str | None = None


def _backend(engine: Engine) -> str:
    return engine.url.get_backend_name()


def backup(engine: Engine, path: Path | str, *, overwrite: bool = False) -> BackupInfo:
    """Write a consistent copy of the database to ``path`` (never replaces a file unless ``overwrite``)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise WorkbenchError(f"Filen {path} finns redan; välj ett nytt filnamn. (The file already exists.)")
    if path.parent and not path.parent.exists():
        raise WorkbenchError(f"Mappen {path.parent} finns inte. (The folder does not exist.)")
    db.check_reachable(engine)
    backend = _backend(engine)
    tmp = path.with_name(path.name + ".partial")
    tmp.unlink(missing_ok=True)
    try:
        if backend == "sqlite":
            _sqlite_backup(engine, tmp)
        elif backend == "postgresql":
            _pg_dump(engine, tmp)
        else:  # pragma: no cover - make_engine refuses other backends
            raise WorkbenchError(f"Säkerhetskopiering stöds inte för {backend!r}.")
        os.replace(tmp, path)  # a half-written backup never carries the final name
    finally:
        tmp.unlink(missing_ok=True)
    with db.session_scope(engine, user=SYSTEM_USER, face="cli") as session:
        record_event(session, "backup", "database", after={"file": path.name, "bytes": path.stat().st_size})
    return describe(path)


def restore(engine: Engine, path: Path | str) -> BackupInfo:
    """Replace the database's contents with the backup in ``path`` (everything written since is lost)."""
    path = Path(path)
    info = describe(path)
    backend = _backend(engine)
    if info.backend != backend:
        raise WorkbenchError(
            f"{path} är en säkerhetskopia av en {info.backend}-databas, men den konfigurerade databasen är "
            f"{backend}. (The backup is for another kind of database.)"
        )
    db.check_reachable(engine)
    engine.dispose()  # no pooled connection may hold the old contents or a lock
    if backend == "sqlite":
        _sqlite_restore(engine, path)
    else:
        _pg_restore(engine, path)
    engine.dispose()
    db.dispose_engines()
    with db.session_scope(engine, user=SYSTEM_USER, face="cli") as session:
        record_event(session, "restore", "database", after={"file": path.name})
    return info


def describe(path: Path | str) -> BackupInfo:
    """Recognise a backup file by its first bytes; anything else is refused with what was expected."""
    path = Path(path)
    if not path.is_file():
        raise WorkbenchError(f"Säkerhetskopian {path} finns inte. (Backup file not found.)")
    with path.open("rb") as fh:
        head = fh.read(16)
    size = path.stat().st_size
    if head.startswith(SQLITE_MAGIC):
        return BackupInfo(path, "sqlite", size, _sqlite_revision(path))
    if head.startswith(PGDUMP_MAGIC):
        return BackupInfo(path, "postgresql", size)
    raise WorkbenchError(
        f"{path} är ingen säkerhetskopia från arbetsbänken (väntade en SQLite-fil eller ett pg_dump-arkiv). "
        "(Not a workbench backup: expected a SQLite file or a pg_dump custom archive.)"
    )


# --- SQLite -----------------------------------------------------------------------------------------------


def _sqlite_connection(engine: Engine) -> tuple[Any, sqlite3.Connection]:
    raw = engine.raw_connection()
    conn = raw.driver_connection
    assert isinstance(conn, sqlite3.Connection)
    return raw, conn


def _sqlite_backup(engine: Engine, target: Path) -> None:
    raw, source = _sqlite_connection(engine)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dest.close()
        raw.close()


def _sqlite_revision(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise WorkbenchError(
            f"{path} är ingen läsbar arbetsbänksdatabas ({exc}). (Not a readable workbench database.)"
        ) from exc
    return str(row[0]) if row else None


def _sqlite_restore(engine: Engine, source_path: Path) -> None:
    _sqlite_revision(source_path)  # refuses a damaged or foreign file before anything is touched
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    raw, dest = _sqlite_connection(engine)
    try:
        source.backup(dest)  # page-by-page copy under one write lock: all or nothing
        result = dest.execute("PRAGMA integrity_check").fetchone()
        if not result or result[0] != "ok":
            raise WorkbenchError(f"Integritetskontrollen misslyckades efter återställning: {result}")
    finally:
        source.close()
        raw.close()


# --- PostgreSQL -------------------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    folder = os.environ.get(ENV_PG_BIN)
    found = str(Path(folder) / name) if folder and (Path(folder) / name).exists() else shutil.which(name)
    if not found:
        raise WorkbenchError(
            f"{name} hittades inte. Installera PostgreSQL-klientverktygen "
            f"(t.ex. `apt install postgresql-client`) eller ange mappen i {ENV_PG_BIN}. "
            f"({name} is needed to back up and restore PostgreSQL.)"
        )
    return found


def _pg_target(engine: Engine) -> tuple[str, dict[str, str], str]:
    """A libpq connection URI without the password, the environment carrying it, and the schema in use."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    with engine.connect() as conn:
        schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
    return conninfo, env, schema


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise WorkbenchError(f"{what} misslyckades: {' '.join(detail[-3:]) or proc.returncode}")


def _pg_dump(engine: Engine, target: Path) -> None:
    conninfo, env, schema = _pg_target(engine)
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}",
          f"--file={target}", f"--dbname={conninfo}"], env, "pg_dump")


def _pg_restore(engine: Engine, source: Path) -> None:
    conninfo, env, _schema = _pg_target(engine)
    tool = _pg_tool("pg_restore")
    # Restore the schema's objects but not the schema itself: it exists and may hold other objects.
    listing = subprocess.run(
        [tool, "--list", str(source)], env=env, capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise WorkbenchError(f"pg_restore kunde inte läsa {source}: {listing.stderr.strip()}")
    entries = [line for line in listing.stdout.splitlines() if not _is_schema_entry(line)]
    list_file = source.with_name(source.name + ".list")
    if source.parent.is_dir() and os.access(source.parent, os.W_OK):
        list_path = list_file
    else:  # pragma: no cover - read-only backup folder
        import tempfile

        list_path = Path(tempfile.mkstemp(suffix=".list")[1])
    list_path.write_text("\n".join(entries) + "\n", encoding="utf-8")
    try:
        _run([tool, "--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges",
              f"--use-list={list_path}", f"--dbname={conninfo}", str(source)], env, "pg_restore")
    finally:
        list_path.unlink(missing_ok=True)


def _is_schema_entry(line: str) -> bool:
    parts = line.split()
    return not line.startswith(";") and len(parts) > 3 and parts[3] == "SCHEMA"
