"""``make student``: write the students' copies of the notebooks, with the exercise solutions cut out.

The instructor notebooks keep each solution in the exercise's own code cell, between nbgrader's
markers ``### BEGIN SOLUTION`` and ``### END SOLUTION``, so the headless run in CI executes every
solution and none can rot. A student copy is the same notebook with each marked block replaced by
a placeholder; every other cell and line stays exactly as it was. (nbgrader's generate_assignment
does the same, but brings a database and a server extension for what is a few lines here.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from lab_utils.errors import LabError, run_cli

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
CODE_PLACEHOLDER = [
    "# YOUR CODE HERE",
    'raise NotImplementedError("Your turn: write the code this cell asks for.")',
]
ANSWER_PLACEHOLDER = ["*Your answer here.*"]


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
            kept.extend(indent + text for text in placeholder)
        elif marker == END:
            if not inside:
                raise LabError(f"'{END}' without a '{BEGIN}' before it.")
            inside = False
        elif not inside:
            kept.append(line)
    if inside:
        raise LabError(f"'{BEGIN}' without a matching '{END}'.")
    return "\n".join(kept)


def student_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with every solution replaced; cells without markers are left untouched."""
    copy = nbformat.from_dict(notebook)
    for cell in copy.cells:
        if has_solution(cell.source):
            placeholder = CODE_PLACEHOLDER if cell.cell_type == "code" else ANSWER_PLACEHOLDER
            cell.source = strip_solutions(cell.source, placeholder)
    return copy


def write_student_notebooks(source_dir: Path, target_dir: Path) -> list[Path]:
    """Write a student copy of every notebook in ``source_dir`` into ``target_dir``."""
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source_dir.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        try:
            copy = student_copy(notebook)
        except LabError as error:
            raise LabError(f"{path.name}: {error}") from None
        target = target_dir / path.name
        nbformat.write(copy, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.student SOURCE_DIR TARGET_DIR``: used by ``make student``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m lab_utils.stack.student SOURCE_DIR TARGET_DIR", file=sys.stderr)
        return 2
    source_dir, target_dir = (Path(arg) for arg in args)

    def write() -> None:
        written = write_student_notebooks(source_dir, target_dir)
        print(f"Wrote {len(written)} student notebooks to {target_dir}/, solutions replaced by placeholders.")

    return run_cli(write)


if __name__ == "__main__":
    sys.exit(main())
