"""The copy `make student` hands out runs top to bottom, unsolved: for each exercise exactly one ✗ line
saying it is not done yet, no traceback or other error, later sections still pass (they fall back to the
reference answer where they need an exercise's result), and nothing is left running after cleanup.
(The Indonesian copies run in test_twins.py, in the same kernel run as their solved twins.)
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from lab_utils.config import PROJECT_ROOT
from lab_utils.stack.student import student_copy
from tests.notebook_runs.exercises import exercise_cells
from tests.notebook_runs.kernel import NotebookKernel, own_lab_home

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NOT_DONE = "Not done yet"


@pytest.mark.notebook_run
@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_copy_runs_with_one_not_done_line_per_exercise(path: Path, tmp_path: Path) -> None:
    instructor = nbformat.read(path, as_version=4)
    copy = student_copy(instructor)
    not_done, problems = [], []
    with NotebookKernel(tmp_path, env=own_lab_home(tmp_path)) as kernel:
        for cell in copy.cells:
            if cell.cell_type != "code":
                continue
            run = kernel.run(cell.source)
            line = run.one_line_error
            if line is not None and NOT_DONE in line:
                not_done.append(cell.id)
            elif run.error is not None:
                problems.append(f"cell {cell.id}: {run.describe()}")
            if run.noise():
                problems.append(f"cell {cell.id}: {run.noise()}")
        problems += [f"after the cleanup cell: {text}" for text in kernel.leftovers()]
    assert problems == []
    assert len(not_done) == len(exercise_cells(instructor)), (
        f"{len(exercise_cells(instructor))} exercises, but 'not done yet' lines in cells {not_done}"
    )
    assert not (tmp_path / "spark-warehouse").exists()
