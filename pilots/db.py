"""Database engine, sessions and schema state: SQLite under data/ by default, PostgreSQL by URL."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import repeat
from operator import add, itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Connection, Engine, Table, create_engine, event, insert, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pilots.errors import SchemaBehindError, WorkbenchError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENV_URL = "WORKBENCH_DATABASE_URL"
ENV_DATA_DIR = "WORKBENCH_DATA_DIR"
FACES = ("app", "cli", "import", "invitation", "system")


def data_dir() -> Path:
    """Folder for the default SQLite file and backups (``WORKBENCH_DATA_DIR`` or ./data of the project)."""
    return Path(os.environ.get(ENV_DATA_DIR) or PROJECT_ROOT / "data")


def database_url() -> str:
    """The configured database URL: ``WORKBENCH_DATABASE_URL`` or the SQLite file data/workbench.db."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / 'workbench.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Python 3.11's sqlite3 does not BEGIN for SELECT/DDL ("legacy" mode); emit BEGIN ourselves
    # so transactions and SAVEPOINTs behave, with WAL and a busy timeout against lock errors.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


_ENGINES: dict[str, Engine] = {}


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (or the configured one) with the house settings; a bad URL is a clear error."""
    url = url or database_url()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise WorkbenchError(
            f"Ogiltig databas-URL {url!r} ({ENV_URL}). Exempel: sqlite:///data/workbench.db eller "
            "postgresql+psycopg://user@127.0.0.1:5432/workbench"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    elif backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True)
    else:
        raise WorkbenchError(
            f"Databasen {backend!r} stöds inte: använd sqlite:/// eller postgresql:// i {ENV_URL}."
        )
    return engine


def get_engine(url: str | None = None) -> Engine:
    """A shared engine per URL (engines and their pools are thread-safe and meant to be shared)."""
    url = url or database_url()
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every pooled connection (tests and restore use this)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def check_reachable(engine: Engine) -> None:
    """Connect once; an unreachable database becomes one clear line."""
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise WorkbenchError(
            f"Kan inte nå databasen {engine.url.render_as_string(hide_password=True)}: {reason}. "
            f"Kontrollera {ENV_URL} och att databasservern är igång."
        ) from exc


def alembic_config(engine: Engine | None = None) -> Any:
    """Alembic configuration pointing at pilots/migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest migration the code knows."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    heads = script.get_heads()
    return heads[0] if heads else ""


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` through the Alembic migrations."""
    from alembic import command

    check_reachable(engine)
    command.upgrade(alembic_config(engine), revision)


def ensure_schema_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is behind the code, saying what to run."""
    check_reachable(engine)
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        if current is None and not inspect(engine).get_table_names():
            raise SchemaBehindError(
                "Databasen är tom. Kör `workbench db upgrade` (eller `workbench demo` för exempeldata). "
                "(The database is empty: run `workbench db upgrade`.)"
            )
        raise SchemaBehindError(
            f"Databasens schema ({current or 'okänt'}) är äldre än koden ({head}). "
            "Kör `workbench db upgrade`. (The database schema is behind the code: run `workbench db upgrade`.)"
        )


_SESSIONMAKERS: dict[int, sessionmaker[Session]] = {}


def session_factory(engine: Engine) -> sessionmaker[Session]:
    key = id(engine)
    if key not in _SESSIONMAKERS:
        _SESSIONMAKERS[key] = sessionmaker(bind=engine, expire_on_commit=False)
    return _SESSIONMAKERS[key]


@contextmanager
def session_scope(engine: Engine | None = None, *, user: Any = None, face: str = "cli") -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error. ``user``/``face`` go to the audit trail."""
    engine = engine or get_engine()
    session = session_factory(engine)()
    session.info["user"] = user
    session.info["face"] = face
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]] | Sequence[tuple[Any, ...]],
    columns: Sequence[str] | None = None,
) -> None:
    """INSERT validated rows straight through the driver's ``executemany``.

    For bulk imports: each column's type conversion and scalar default are looked up once per column, not
    once per row as in SQLAlchemy's statement processing (which cost several times the database's own
    work for half a million attendance rows). Rows are mappings by column name, or, with ``columns``,
    tuples of values in that order (no dict per row: the fastest form). Columns the rows leave out take
    their scalar default or NULL. Dialects with another parameter style fall back to a Core insert.

    >>> insert_rows(conn, MeetingAttendance.__table__, [(1, 7, True, False)],  # doctest: +SKIP
    ...             columns=("meeting_id", "actor_id", "invited", "attended"))
    """
    if not rows:
        return
    by_name = {c.name: c for c in table.columns}
    if columns is not None:
        unknown = [name for name in columns if name not in by_name]
        if unknown:
            raise ValueError(f"insert_rows into {table.name}: no column {', '.join(unknown)}")
        if len(set(columns)) != len(columns):
            raise ValueError(f"insert_rows into {table.name}: a column is named twice in {list(columns)}")
        if set(map(len, rows)) != {len(columns)}:
            raise ValueError(f"insert_rows into {table.name}: each row must have {len(columns)} values")
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(conn.dialect.paramstyle)
    if marker is None:
        named = rows if columns is None else [dict(zip(columns, r, strict=True)) for r in rows]
        conn.execute(insert(table), [dict(r) for r in named])  # type: ignore[call-overload]
        return
    given = set().union(*rows) if columns is None else set(columns)  # iterating a dict gives its keys
    left_out = [c for c in table.columns if c.name not in given and c.default is not None]
    computed = [c.name for c in left_out if not c.default.is_scalar]  # type: ignore[union-attr]
    if computed:
        raise ValueError(
            f"insert_rows into {table.name}: give {', '.join(computed)} (computed defaults are not applied)"
        )
    # Column by column, the per-value work in C (map, zip, list comprehensions).
    if columns is None:
        targets = [c for c in table.columns if c.name in given]
        values: list[Sequence[Any]] = [
            [row.get(c.name, default) for row in rows]  # type: ignore[union-attr]
            for c, default in ((c, _scalar_default(c)) for c in targets)
        ]

        def column(i: int) -> Iterable[Any]:
            return values[i]
    else:
        targets = [by_name[name] for name in columns]

        def column(i: int) -> Iterable[Any]:
            return map(itemgetter(i), rows)  # type: ignore[arg-type]

    converters = {}
    for i, c in enumerate(targets):
        convert = c.type.bind_processor(conn.dialect)
        if convert is not None and not (isinstance(c.type, Boolean) and _only_booleans(column(i))):
            converters[i] = convert
    tail = tuple(_bound_default(c, conn) for c in left_out)
    if columns is not None and not converters:
        # Value tuples that need no conversion go to the driver as they are (with the defaults appended).
        data = rows if not tail else list(map(add, rows, repeat(tail)))  # type: ignore[arg-type]
    else:
        if columns is not None:
            values = list(zip(*rows, strict=True))
        for i, convert in converters.items():
            values[i] = [None if v is None else convert(v) for v in values[i]]
        values += [[default] * len(rows) for default in tail]
        data = list(zip(*values, strict=True))  # type: ignore[assignment]
    names = ", ".join(conn.dialect.identifier_preparer.quote(c.name) for c in [*targets, *left_out])
    target = conn.dialect.identifier_preparer.format_table(table)
    markers = ", ".join([marker] * (len(targets) + len(left_out)))
    sql = f"INSERT INTO {target} ({names}) VALUES ({markers})"
    conn.exec_driver_sql(sql, data)  # type: ignore[arg-type]


def _scalar_default(column: Any) -> Any:
    return column.default.arg if column.default is not None and column.default.is_scalar else None


def _bound_default(column: Any, conn: Connection) -> Any:
    default = _scalar_default(column)
    convert = column.type.bind_processor(conn.dialect)
    if convert is None or default is None or (isinstance(column.type, Boolean) and _only_booleans([default])):
        return default
    return convert(default)


def _only_booleans(values: Iterable[Any]) -> bool:
    # sqlite3 and psycopg take Python booleans as they are (no conversion needed)
    return set(map(type, values)) <= {bool, type(None)}
