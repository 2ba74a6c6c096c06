"""Bahasa Indonesia twins of the notebooks: same cells, same code, translated text. You need not read this.

The Indonesian notebooks in ``notebooks/id/`` are BUILT from the English ones and a catalogue per notebook
(``lab_utils/stack/translations/id/NN_name.json``, gettext-style, as nbtranslate does):
- ``markdown``: cell id -> {"en": the English text it translates, "id": the Indonesian text};
- ``text``: an English comment or prose string literal, exactly as it stands in a code cell (quotes and
  all) -> its Indonesian twin. Prose is a literal with a space or a line break in it: a message, a
  docstring, a help text. Names, numbers, topic names, columns and ``"kafka"`` are not prose and are
  never translated.

So the code of a twin is the English code by construction, token for token, except comments and prose
literals; :func:`code_difference` checks it again on the built notebook (a translated f-string must keep
its expressions). A changed English cell shows up by cell id: a markdown entry whose "en" is no longer the
English text, or a comment or message with no entry yet.

``python -m lab_utils.stack.translation status | extract [NN] | build [NN]``: ``extract`` adds the
entries still missing (empty, for a translator to fill), ``build`` writes the twins, ``status`` lists
what is missing or stale.
"""

from __future__ import annotations

import ast
import io
import json
import sys
import tokenize
from pathlib import Path
from typing import Any

import nbformat

from lab_utils.config import LANGUAGE_MARK, PROJECT_ROOT
from lab_utils.errors import LabError, run_cli

ENGLISH_DIR = PROJECT_ROOT / "notebooks"
TWIN_DIR = ENGLISH_DIR / "id"
CATALOG_DIR = Path(__file__).resolve().parent / "translations" / "id"
PROSE = "<prose>"
USAGE = "status | extract [NN] | build [NN]"
# Comments that are markers for tools, not prose: they stay exactly as they are.
KEPT_COMMENTS = ("### BEGIN SOLUTION", "### END SOLUTION", "# YOUR CODE HERE", "# NBVAL", "# noqa", "# type:")
Catalog = dict[str, dict[str, Any]]


def _is_ipython_line(line: str) -> bool:
    return line.lstrip().startswith(("!", "%"))


def translatable(source: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of every comment and prose literal of a code cell, as offsets into ``source``."""
    lines = source.split("\n")
    masked = "\n".join("" if _is_ipython_line(line) else line for line in lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    found = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(masked).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    for token in tokens:
        text = token.string
        comment = token.type == tokenize.COMMENT and not text.startswith(KEPT_COMMENTS)
        prose = token.type == tokenize.STRING and any(space in text for space in " \n")
        if prose and "b" in text.split(text[-1], 1)[0].lower():
            prose = False  # a bytes literal is a record's bytes, never prose
        if comment or prose:
            start = starts[token.start[0] - 1] + token.start[1]
            end = starts[token.end[0] - 1] + token.end[1]
            found.append((start, end, text))
    return found


def translate_code(source: str, texts: dict[str, str]) -> tuple[str, list[str]]:
    """The code cell with its comments and prose in Indonesian, and the English pieces with no entry."""
    missing = []
    for start, end, text in reversed(translatable(source)):
        twin = texts.get(text, "")
        if twin:
            source = source[:start] + twin + source[end:]
        else:
            missing.append(text)
    return source, missing[::-1]


def _catalog_path(english: Path) -> Path:
    return CATALOG_DIR / f"{english.stem}.json"


def load_catalog(english: Path) -> Catalog:
    path = _catalog_path(english)
    if not path.exists():
        return {"markdown": {}, "text": {}}
    try:
        catalog: Catalog = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise LabError(f"{path.name} is not valid JSON ({error}): fix it, then run this again.") from None
    return catalog


def build_twin(english: Path) -> tuple[nbformat.NotebookNode, list[str]]:
    """The Indonesian notebook built from the English one, and what keeps it from being fully translated."""
    notebook = nbformat.read(english, as_version=4)
    catalog = load_catalog(english)
    problems = []
    for cell in notebook.cells:
        where = f"{english.name} cell {cell.id}"
        if cell.cell_type == "markdown":
            entry = catalog["markdown"].get(cell.id, {})
            if not entry.get("id"):
                problems.append(f"{where}: markdown not translated yet")
            elif entry.get("en") != cell.source:
                problems.append(f"{where}: the English markdown changed after it was translated")
            else:
                cell.source = entry["id"]
        elif cell.cell_type == "code":
            cell.source, missing = translate_code(cell.source, catalog["text"])
            problems += [f"{where}: no translation for {text[:60]!r}" for text in missing]
    notebook.metadata["language"] = "id"
    return notebook, problems


def extract(english: Path) -> int:
    """Add an empty entry for every English markdown cell and prose piece the catalogue lacks."""
    catalog = load_catalog(english)
    added = 0
    for cell in nbformat.read(english, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.id not in catalog["markdown"]:
            catalog["markdown"][cell.id] = {"en": cell.source, "id": ""}
            added += 1
        elif cell.cell_type == "code":
            for _, _, text in translatable(cell.source):
                if text not in catalog["text"]:
                    catalog["text"][text] = ""
                    added += 1
    CATALOG_DIR.mkdir(parents=True, exist_ok=True)
    _catalog_path(english).write_text(json.dumps(catalog, indent=1, ensure_ascii=False) + "\n")
    return added


def _shape(source: str) -> tuple[str, list[str], list[str]]:
    """The code's syntax tree with every string literal taken out, the literals, and the exact lines."""
    from IPython.core.inputtransformer2 import TransformerManager

    lines = source.split("\n")
    if lines and lines[0].startswith("%%writefile"):
        python, exact = "\n".join(lines[1:]), [lines[0]]
    else:
        python, exact = (
            TransformerManager().transform_cell(source),
            [line.strip() for line in lines if _is_ipython_line(line)],
        )
    tree = ast.parse(python)
    literals = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            literals.append(node.value)
            node.value = PROSE
    return ast.dump(tree), literals, exact


def code_difference(english: str, twin: str) -> str | None:
    """Why two code cells are not the same code, or None.

    Comments may differ, and so may string literals that hold prose (the English one has a space or a
    line break). Every other literal, every name, number, operator and f-string expression must be equal.
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


def english_notebooks(number: str = "") -> list[Path]:
    found = sorted(ENGLISH_DIR.glob(f"{number or '[0-9][0-9]'}_*.ipynb"))
    if not found:
        raise LabError(f"No notebook {number}_*.ipynb in {ENGLISH_DIR}.")
    return found


def build(number: str = "") -> list[str]:
    """Write the twins (all, or notebook NN) and return what is still untranslated or stale."""
    TWIN_DIR.mkdir(exist_ok=True)
    (TWIN_DIR / LANGUAGE_MARK).write_text("id\n")
    problems = []
    for english in english_notebooks(number):
        twin, found = build_twin(english)
        nbformat.write(twin, TWIN_DIR / english.name)
        problems += found
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.translation status | extract [NN] | build [NN]``."""
    args = sys.argv[1:] if argv is None else list(argv)
    command, number = (args[0] if args else "status"), (args[1] if len(args) > 1 else "")

    def act() -> int:
        if command == "status":
            problems = [p for english in english_notebooks(number) for p in build_twin(english)[1]]
            print("\n".join(problems) if problems else "Every notebook has an up-to-date Indonesian twin.")
            return 1 if problems else 0
        if command == "extract":
            added = sum(extract(english) for english in english_notebooks(number))
            print(f"Added {added} empty entries to {CATALOG_DIR}: translate them, then build.")
            return 0
        if command == "build":
            problems = build(number)
            print(f"Wrote the Indonesian notebooks to {TWIN_DIR}; {len(problems)} pieces still untranslated.")
            return 0
        print(f"usage: python -m lab_utils.stack.translation {USAGE}", file=sys.stderr)
        return 2

    return run_cli(act)


if __name__ == "__main__":
    sys.exit(main())
