"""duizhao：起草与检查个人对照检查材料。

The public API is listed in `__all__`; names load lazily so `duizhao --help` stays fast.
"""

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "Document": "agent.document",
    "parse_text": "agent.parser",
    "parse_file": "agent.parser",
    "clean_text": "agent.cleaner",
    "build_corpus": "agent.cleaner",
    "Notes": "agent.notes",
    "load_notes": "agent.notes",
    "check_document": "agent.check",
    "check_file": "agent.check",
    "check_paths": "agent.check",
    "draft": "agent.draft",
    "revise_source": "agent.revise",
    "run_suite": "agent.evals",
    "resolve_settings": "agent.settings",
    "get_theme": "agent.themes",
    "typeset": "agent.typeset",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'agent' has no attribute {name!r}")
