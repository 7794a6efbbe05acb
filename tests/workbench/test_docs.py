"""The README documents every CLI command (and the two set-up commands)."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _command_paths(group: click.Group, prefix: str = "workbench") -> list[str]:
    out = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            out.extend(_command_paths(command, path))
        else:
            out.append(path)
    return out


def test_every_cli_command_is_documented_in_the_readme() -> None:
    missing = [p for p in _command_paths(cli) if p not in README]
    assert missing == []


def test_every_cli_command_has_help_with_an_example() -> None:
    def walk(group: click.Group) -> list[click.Command]:
        found = []
        for command in group.commands.values():
            found.extend(walk(command) if isinstance(command, click.Group) else [command])
        return found

    lacking = [c.name for c in walk(cli) if not c.help or "Example" not in c.help]
    assert lacking == []


def test_readme_opens_with_the_two_setup_commands() -> None:
    head = README.split("## A short tour")[0]
    assert "scripts/start" in head and "scripts/test" in head
    assert "scripts/test" in (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
