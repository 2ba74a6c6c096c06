"""``make student``: write the students' copies of the notebooks, with the exercise solutions cut out.

The instructor notebooks keep each solution in the exercise's own code cell, between nbgrader's
markers ``### BEGIN SOLUTION`` and ``### END SOLUTION``, so the headless run in CI executes every
solution and none can rot. A student copy is the same notebook with each marked block replaced by
a placeholder; every other cell and line stays exactly as it was, except cells tagged for the
instructor only. (nbgrader's generate_assignment does the same, but brings a database and a server
extension for what is a few lines here.)

The placeholder raises nothing: the exercise's answer keeps the empty value the cell starts it with,
and the self-check below says "Not done yet" in one line (``lab_utils.notebook.answered``). Inside an
indented block the placeholder adds ``pass``, so the cell still parses.

Cell tags (``metadata.tags``):
- ``instructor``: only in the instructor's notebook (notes on solution markers, CI, ``make student``);
- ``answers-hint``: points the student at the lab's reference answers; kept only with ``--hints``
  (``make student HINTS=1``), the instructor's choice.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat

from lab_utils.config import LANGUAGE_MARK
from lab_utils.errors import LabError, run_cli

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
CODE_PLACEHOLDER = ["# YOUR CODE HERE"]
INDENTED_PLACEHOLDER = [*CODE_PLACEHOLDER, "pass"]
ANSWER_PLACEHOLDER = {"en": ["*Your answer here.*"], "id": ["*Jawaban Anda di sini.*"]}  # by language
INSTRUCTOR_TAG = "instructor"
HINT_TAG = "answers-hint"


def has_solution(source: str) -> bool:
    """Whether a cell holds a marked solution (a line that is just the BEGIN marker)."""
    return any(line.strip() == BEGIN for line in source.split("\n"))


def strip_solutions(source: str, placeholder: list[str] = CODE_PLACEHOLDER) -> str:
    """Replace every marked solution block of one cell by the placeholder, indented like its marker."""
    kept: list[str] = []
    inside = False
    for line in source.split("\n"):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise LabError(f"'{BEGIN}' twice without '{END}' in between.")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            lines = INDENTED_PLACEHOLDER if indent and placeholder == CODE_PLACEHOLDER else placeholder
            kept.extend(indent + text for text in lines)
        elif marker == END:
            if not inside:
                raise LabError(f"'{END}' without a '{BEGIN}' before it.")
            inside = False
        elif not inside:
            kept.append(line)
    if inside:
        raise LabError(f"'{BEGIN}' without a matching '{END}'.")
    return "\n".join(kept)


def kept_for_students(cell: nbformat.NotebookNode, hints: bool) -> bool:
    """Whether a cell goes into the student copy (see the tags in the module docstring)."""
    tags = cell.get("metadata", {}).get("tags", [])
    return INSTRUCTOR_TAG not in tags and (hints or HINT_TAG not in tags)


def student_copy(
    notebook: nbformat.NotebookNode, hints: bool = False, language: str = "en"
) -> nbformat.NotebookNode:
    """The notebook with every solution replaced and the instructor's cells left out."""
    copy = nbformat.from_dict(notebook)
    copy.cells = [cell for cell in copy.cells if kept_for_students(cell, hints)]
    for cell in copy.cells:
        if has_solution(cell.source):
            placeholder = CODE_PLACEHOLDER if cell.cell_type == "code" else ANSWER_PLACEHOLDER[language]
            cell.source = strip_solutions(cell.source, placeholder)
    return copy


def write_student_notebooks(source_dir: Path, target_dir: Path, hints: bool = False) -> list[Path]:
    """Write a student copy of every notebook in ``source_dir`` into ``target_dir``, and copy its pages.

    The Markdown pages (``*.md``, such as the glossary) go along as they are; only notebooks are returned.
    A folder of twins in another language (``notebooks/id/``, marked by its language file) gets its own
    copies in the same folder below ``target_dir``, mark and all, so both languages are handed out.
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    mark = source_dir / LANGUAGE_MARK
    language = mark.read_text().strip() if mark.is_file() else "en"
    written = []
    for path in sorted(source_dir.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        try:
            copy = student_copy(notebook, hints, language)
        except LabError as error:
            raise LabError(f"{path.name}: {error}") from None
        target = target_dir / path.name
        nbformat.write(copy, target)
        written.append(target)
    for page in sorted(source_dir.glob("*.md")):  # the glossary and other pages the notebooks link to
        shutil.copyfile(page, target_dir / page.name)
    for twins in sorted(path for path in source_dir.iterdir() if (path / LANGUAGE_MARK).is_file()):
        written += write_student_notebooks(twins, target_dir / twins.name, hints)
        shutil.copyfile(twins / LANGUAGE_MARK, target_dir / twins.name / LANGUAGE_MARK)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.student [--hints] SOURCE_DIR TARGET_DIR``: used by ``make student``."""
    args = sys.argv[1:] if argv is None else list(argv)
    hints = "--hints" in args
    args = [arg for arg in args if arg != "--hints"]
    if len(args) != 2:
        print("usage: python -m lab_utils.stack.student [--hints] SOURCE_DIR TARGET_DIR", file=sys.stderr)
        return 2
    source_dir, target_dir = (Path(arg) for arg in args)

    def write() -> None:
        written = write_student_notebooks(source_dir, target_dir, hints)
        pointers = "with" if hints else "without"
        print(
            f"Wrote {len(written)} student notebooks to {target_dir}/ (and its language folders), solutions "
            "replaced by placeholders, "
            f"{pointers} pointers to the lab's reference answers."
        )

    return run_cli(write)


if __name__ == "__main__":
    sys.exit(main())
