"""Exceptions whose messages a user can act on; faces show them without a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class WorkbenchError(Exception):
    """Base for every error the workbench raises on purpose, with a user-facing message."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where: file, row, column or field path."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ValidationError(WorkbenchError):
    """Input was refused; ``problems`` lists every problem found (not only the first)."""

    def __init__(self, problems: list[Problem] | Problem | str, *, source: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        lines = [str(p) for p in self.problems]
        if len(lines) == 1:
            super().__init__(head + lines[0])
        else:
            super().__init__(head + f"{len(lines)} problems:\n" + "\n".join(f"  - {x}" for x in lines))


class PersonalDataError(ValidationError):
    """Text held what looks like a Swedish personal identity number; nothing was saved."""


class AccessDenied(WorkbenchError):
    """The user's role or scope does not allow this."""


class NotFound(WorkbenchError):
    """A named thing (site, pilot, municipality, user...) does not exist."""


class ConflictError(WorkbenchError):
    """Someone else changed the record since it was loaded; the save was refused."""

    def __init__(self, message: str, *, changes: dict[str, tuple[object, object]] | None = None) -> None:
        super().__init__(message)
        self.changes = changes or {}


class SchemaBehindError(WorkbenchError):
    """The database schema is older than the code."""
