"""The `workbench` command line: a thin layer over the domain packages."""

from __future__ import annotations

import click

from workbench.commands import core


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pilot-workbench")
def cli() -> None:
    """Pilot workbench: evaluate MFoF pilots against honour-related violence and oppression.

    The database is the SQLite file data/workbench.db unless WORKBENCH_DATABASE_URL names another.
    """


def _register() -> None:
    modules = [core]
    for name in ("records", "meetings", "instruments", "analysis", "reports", "protection"):
        try:
            modules.append(__import__(f"workbench.commands.{name}", fromlist=["COMMANDS"]))
        except ModuleNotFoundError as exc:
            if exc.name != f"workbench.commands.{name}":
                raise
    for module in modules:
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
