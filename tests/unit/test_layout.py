"""The package's shape is a promise to students: a small helper, the reference and the stack apart,
and settings read from the environment only where a program or a notebook starts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lab_utils.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "lab_utils"
# What a student reads to know what a notebook's call does. It was 1,200 until the class accounts (config)
# and the exercise helpers (answered, answer_or_reference, one-line errors) came; trimming it is open work.
HELPER_BUDGET_LINES = 1_450
ENTRY_POINTS = {"main", "setup", "service_main"}  # main(), a notebook's setup(), the stack commands' main


def _calls(node: ast.AST, name: str) -> bool:
    """``name(...)`` or ``anything.name(...)`` somewhere in ``node``."""
    called = (n.func for n in ast.walk(node) if isinstance(n, ast.Call))
    return any(getattr(func, "id", None) == name or getattr(func, "attr", None) == name for func in called)


def _functions_calling(tree: ast.Module, name: str) -> set[str]:
    """Names of the functions (at any depth) whose body calls ``name(...)``."""
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _calls(node, name)
    }


def test_the_helper_students_read_stays_small() -> None:
    lines = sum(len(path.read_text().splitlines()) for path in PACKAGE.glob("*.py"))
    assert 0 < lines <= HELPER_BUDGET_LINES, f"lab_utils/*.py has {lines} lines"


@pytest.mark.parametrize("folder", ["reference", "programs", "stack"])
def test_each_part_says_what_it_is_for(folder: str) -> None:
    docstring = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
    assert docstring and len(docstring.split()) >= 10, f"lab_utils/{folder}/__init__.py needs a docstring"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_entry_points_load_settings(path: Path) -> None:
    tree = ast.parse(path.read_text())
    loaders = _functions_calling(tree, "load_config") - {"load_config"}
    # a module-level call would read the environment at import time: not an entry point either
    at_import = [
        node for node in tree.body if not isinstance(node, ast.FunctionDef) and _calls(node, "load_config")
    ]
    assert loaders <= ENTRY_POINTS and not at_import, f"{path.name}: load_config() in {sorted(loaders)}"
