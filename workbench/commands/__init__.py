"""CLI command groups, one module per capability; each command parses arguments, calls one library function, prints."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from sqlalchemy import Engine

from pilots import db
from pilots.access import SYSTEM_USER, CurrentUser
from pilots.errors import ValidationError, WorkbenchError

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Show a WorkbenchError as clear lines on stderr and exit non-zero, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as err:
            head = f"{err.source}: " if err.source else ""
            if len(err.problems) == 1:
                click.echo(f"fel: {head}{err.problems[0]}", err=True)
            else:
                click.echo(f"fel: {head}{len(err.problems)} problem (inget har ändrats):", err=True)
                for p in err.problems:
                    click.echo(f"  - {p}", err=True)
            sys.exit(1)
        except WorkbenchError as err:
            click.echo(f"fel: {err}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def ready_engine() -> Engine:
    """The configured database, refusing (with what to run) when its schema is behind the code."""
    engine = db.get_engine()
    db.ensure_schema_current(engine)
    return engine


def cli_user() -> CurrentUser:
    """The CLI runs with the operator's rights on the machine (recorded in the audit trail as 'cli')."""
    return SYSTEM_USER


def echo_frame(frame: Any, fmt: str) -> None:
    """Print a DataFrame as csv, json or an aligned table."""
    if fmt == "json":
        click.echo(frame.to_json(orient="records", force_ascii=False, date_format="iso", indent=1))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        click.echo(frame.to_string(index=False) if len(frame) else "(inga rader)")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))
