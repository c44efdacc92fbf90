"""Every command has help text and a README entry; the README's Quick start is the two make targets."""

from __future__ import annotations

import re

from agent.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands():
    import typer.main

    group = typer.main.get_command(app)
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            for sub, subcmd in cmd.commands.items():
                yield f"{name} {sub}", subcmd
        else:
            yield name, cmd


def test_every_command_has_help_and_readme_entry():
    for name, cmd in _commands():
        assert (cmd.help or "").strip(), f"{name} has no help"
        assert f"duizhao {name}" in README, f"README does not mention duizhao {name}"
        for param in cmd.params:
            if param.param_type_name == "option":
                assert (param.help or "").strip(), f"{name} {param.opts} has no help"


def test_quick_start_is_two_make_commands_and_ci_runs_the_test_one():
    block = re.search(r"## 快速开始.*?```bash\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_public_api_names_resolve_and_have_docstrings():
    import agent

    for name in agent.__all__[1:]:
        obj = getattr(agent, name)
        assert (obj.__doc__ or "").strip(), name
