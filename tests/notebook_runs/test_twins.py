"""Each Indonesian twin runs headless in one kernel: each exercise first as a student meets it, then solved.

At an exercise the student copy's cell runs first, and its check must end in one "Belum selesai" line (the
student's path: the Indonesian messages, the empty answer); then the solution runs, and from there every
cell, that check included, must pass with its Indonesian ✓ lines (the instructor's path). So one kernel run
tries both copies of a twin: a translated f-string or check line that breaks fails here, on either path.
The English notebooks run as nbval (with their wrong answers) and as student copies (test_student_copies.py);
the code is the same, only the text differs (tests/unit/test_translation.py proves that).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from lab_utils.config import LANGUAGE_MARK, PROJECT_ROOT
from lab_utils.stack.student import student_copy
from tests.notebook_runs.exercises import exercise_cells
from tests.notebook_runs.kernel import NotebookKernel, own_lab_home

TWINS = sorted((PROJECT_ROOT / "notebooks" / "id").glob("[0-9][0-9]_*.ipynb"))
NOT_DONE = "Belum selesai"


@pytest.mark.notebook_run
@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", TWINS, ids=lambda p: f"id-{p.stem}")
def test_indonesian_twin_runs_unsolved_then_solved(path: Path, tmp_path: Path) -> None:
    twin = nbformat.read(path, as_version=4)
    unsolved = {cell.id: cell.source for cell in student_copy(twin, language="id").cells}
    exercises = set(exercise_cells(twin))
    code = [cell for cell in twin.cells if cell.cell_type == "code"]
    (tmp_path / LANGUAGE_MARK).write_text("id\n")
    problems = []
    with NotebookKernel(tmp_path, env=own_lab_home(tmp_path)) as kernel:
        for index, cell in enumerate(code):
            if cell.id in exercises:
                problems += _unsolved_problems(kernel, unsolved[cell.id], code[index + 1])
            run = kernel.run(cell.source)
            if run.error is not None:
                problems.append(f"cell {cell.id}: {run.describe()}")
            if run.noise():
                problems.append(f"cell {cell.id}: {run.noise()}")
        problems += [f"after the cleanup cell: {text}" for text in kernel.leftovers()]
    assert problems == []


def _unsolved_problems(kernel: NotebookKernel, exercise: str, check: nbformat.NotebookNode) -> list[str]:
    """The student copy's exercise cell must run quietly, and the check after it say "not done yet"."""
    if not check.source.startswith("answered("):
        return [f"cell {check.id} after an exercise is not its check (it must start with answered()"]
    ran = kernel.run(exercise)
    if ran.error is not None:
        return [f"the unsolved exercise before cell {check.id}: {ran.describe()}"]
    checked = kernel.run(check.source)
    if NOT_DONE not in (checked.one_line_error or ""):
        return [f"the check {check.id} of an unsolved exercise: {checked.describe()}"]
    return []
