"""Prompt templates (prompts/*.j2): loaded strictly, so a missing variable is an error, not a blank."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from agent.resources import bundled_dir


@cache
def environment() -> Environment:
    """The jinja2 environment over prompts/."""
    return Environment(loader=FileSystemLoader(str(bundled_dir("prompts"))), undefined=StrictUndefined,
                       keep_trailing_newline=True, autoescape=False)


def render(name: str, **variables) -> str:
    """Render prompts/<name>.j2 with the given variables."""
    return environment().get_template(f"{name}.j2").render(**variables).strip()


def messages(step: str, **variables) -> list[dict]:
    """Chat messages for a chain step: the shared system text first, the step's template last."""
    system = render("system", subject=variables.get("subject", "我"))
    return [{"role": "system", "content": system}, {"role": "user", "content": render(step, **variables)}]
