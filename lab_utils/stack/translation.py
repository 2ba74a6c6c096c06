"""Bahasa Indonesia twins of the notebooks: same cells, same code, translated text. You need not read this.

The Indonesian notebooks live in ``notebooks/id/`` under the English file names, cell for cell: the same
cell ids in the same order, the same code, with markdown, comments and the prose inside string literals
translated. Each translated cell records which English text it translates (``metadata.lab.translated_from``,
a hash of the English cell), so a later change to the English cell shows up as a stale twin, by cell id.

Why parallel notebooks and not a catalogue (nbtranslate's gettext files): students and translators open and
read the Indonesian notebook as it is; the twin test (:func:`twin_problems`) gives what a catalogue would
give, code that cannot drift and English changes that cannot go unnoticed.

``python -m lab_utils.stack.translation status`` lists every problem; ``init NN`` starts a twin as an
English copy; ``stamp NN [CELL ...]`` records that the named (or all) cells translate the current English.
"""

from __future__ import annotations

import ast
import hashlib
import sys
from pathlib import Path

import nbformat

from lab_utils.config import LANGUAGE_MARK, PROJECT_ROOT
from lab_utils.errors import LabError, run_cli

ENGLISH_DIR = PROJECT_ROOT / "notebooks"
TWIN_DIR = ENGLISH_DIR / "id"
PROSE = "<prose>"
USAGE = "status | init NN | stamp NN [CELL ...]"


def english_hash(source: str) -> str:
    """What a twin cell records of the English cell it translates."""
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _python_of(source: str) -> tuple[str, list[str]]:
    """A cell as plain Python, and its IPython lines (magics, ``!`` commands) that must stay exact."""
    from IPython.core.inputtransformer2 import TransformerManager

    lines = source.split("\n")
    if lines and lines[0].startswith("%%writefile"):
        return "\n".join(lines[1:]), [lines[0]]
    magic = [line.strip() for line in lines if line.strip().startswith(("!", "%"))]
    return TransformerManager().transform_cell(source), magic


def _shape(source: str) -> tuple[str, list[str], list[str]]:
    """The code's syntax tree with every string literal taken out, the literals, and the exact lines."""
    python, exact = _python_of(source)
    tree = ast.parse(python)
    literals = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            literals.append(node.value)
            node.value = PROSE
    return ast.dump(tree), literals, exact


def code_difference(english: str, twin: str) -> str | None:
    """Why two code cells are not the same code, or None.

    Comments may differ (they are not code), and so may string literals that hold prose (the English one
    has a space or a line break: a message, a docstring, a help text). Every other literal (a topic name,
    a column, ``"kafka"``), every name, number, operator and f-string expression must be the same.
    """
    try:
        ours, ours_literals, ours_exact = _shape(english)
        theirs, their_literals, their_exact = _shape(twin)
    except SyntaxError as error:
        return f"does not parse: {error.msg} (line {error.lineno})"
    if ours_exact != their_exact:
        return f"the magic or shell lines differ: {ours_exact} vs {their_exact}"
    if ours != theirs:
        return "the code differs (names, calls, numbers or structure), not only comments and messages"
    for word, translated in zip(ours_literals, their_literals, strict=True):
        if word != translated and not any(space in word for space in " \n"):
            return f"the literal {word!r} became {translated!r}: only prose may be translated"
    return None


def twin_problems(english_path: Path, twin_path: Path) -> list[str]:
    """Everything that keeps a twin from being the English notebook in Indonesian, one line each."""
    if not twin_path.exists():
        return [f"{twin_path.name}: no Indonesian twin (python -m lab_utils.stack.translation init ...)"]
    english = nbformat.read(english_path, as_version=4).cells
    twin = nbformat.read(twin_path, as_version=4).cells
    if [(c.id, c.cell_type) for c in english] != [(c.id, c.cell_type) for c in twin]:
        return [f"{twin_path.name}: not the same cells (ids and kinds, in order) as the English notebook"]
    problems = []
    for ours, theirs in zip(english, twin, strict=True):
        where = f"{twin_path.name} cell {ours.id}"
        if ours.cell_type == "code" and (difference := code_difference(ours.source, theirs.source)):
            problems.append(f"{where}: {difference}")
        recorded = theirs.metadata.get("lab", {}).get("translated_from")
        if recorded is None:
            problems.append(f"{where}: not translated yet")
        elif recorded != english_hash(ours.source):
            problems.append(f"{where}: the English cell changed after it was translated; update the twin")
    return problems


def all_problems() -> list[str]:
    problems = [] if (TWIN_DIR / LANGUAGE_MARK).is_file() else [f"{TWIN_DIR}/{LANGUAGE_MARK} is missing"]
    for path in sorted(ENGLISH_DIR.glob("[0-9][0-9]_*.ipynb")):
        problems += twin_problems(path, TWIN_DIR / path.name)
    return problems


def _notebook(number: str, directory: Path) -> Path:
    found = sorted(directory.glob(f"{number}_*.ipynb"))
    if not found:
        raise LabError(f"No notebook {number}_*.ipynb in {directory}.")
    return found[0]


def init(number: str) -> Path:
    """Start a twin as a copy of the English notebook, nothing marked translated."""
    english = _notebook(number, ENGLISH_DIR)
    twin = TWIN_DIR / english.name
    if twin.exists():
        raise LabError(f"{twin} exists already: edit it, then stamp its cells.")
    TWIN_DIR.mkdir(exist_ok=True)
    (TWIN_DIR / LANGUAGE_MARK).write_text("id\n")
    nbformat.write(nbformat.read(english, as_version=4), twin)
    return twin


def stamp(number: str, cell_ids: list[str]) -> int:
    """Record that these twin cells (all, if none named) translate the English cells as they are now."""
    english_path = _notebook(number, ENGLISH_DIR)
    twin_path = TWIN_DIR / english_path.name
    english = {cell.id: cell for cell in nbformat.read(english_path, as_version=4).cells}
    twin = nbformat.read(twin_path, as_version=4)
    stamped = 0
    for cell in twin.cells:
        if (not cell_ids or cell.id in cell_ids) and cell.id in english:
            cell.metadata.setdefault("lab", {})["translated_from"] = english_hash(english[cell.id].source)
            stamped += 1
    nbformat.write(twin, twin_path)
    return stamped


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.translation status | init NN | stamp NN [CELL ...]``."""
    args = sys.argv[1:] if argv is None else list(argv)
    command, rest = (args[0], args[1:]) if args else ("status", [])

    def act() -> int:
        if command == "status":
            problems = all_problems()
            print("\n".join(problems) if problems else "Every notebook has an up-to-date Indonesian twin.")
            return 1 if problems else 0
        if command == "init" and len(rest) == 1:
            print(f"Wrote {init(rest[0])}: translate it, then stamp its cells.")
            return 0
        if command == "stamp" and rest:
            print(f"Stamped {stamp(rest[0], rest[1:])} cells.")
            return 0
        print(
            "usage: python -m lab_utils.stack.translation status | init NN | stamp NN [CELL ...]",
            file=sys.stderr,
        )
        return 2

    return run_cli(act)


if __name__ == "__main__":
    sys.exit(main())
