"""The README documents every command and setting (a new one without docs fails here)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from assess.cli import cli
from assess.config import DEFAULTS, ENVIRONMENT

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def command_names(group: click.Group, prefix: str = "assess") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names += command_names(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


@pytest.mark.parametrize("command", command_names(cli))
def test_every_cli_command_is_in_the_readme(command):
    assert f"`{command}" in README


@pytest.mark.parametrize("variable", sorted(ENVIRONMENT))
def test_every_environment_variable_is_in_the_readme(variable):
    assert f"`{variable}`" in README


@pytest.mark.parametrize("setting", sorted(s for s, _ in ENVIRONMENT.values()))
def test_every_setting_is_in_the_readme(setting):
    assert setting in DEFAULTS
    assert f"`{setting}`" in README
