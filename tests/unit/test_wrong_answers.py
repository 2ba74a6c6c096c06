"""The wrong answers kept for the exercises fit the notebooks: each names a real exercise and check cell,
changes its solution in exactly one place, and every code exercise keeps at least one."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from lab_utils.config import PROJECT_ROOT
from tests.notebook_runs.exercises import exercise_cells, solution_text, wrong_answers

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_keeps_a_wrong_answer_that_fits_its_cell(path: Path) -> None:
    cells = nbformat.read(path, as_version=4).cells
    index = {cell.id: i for i, cell in enumerate(cells)}
    kept = wrong_answers(path.stem)
    for wrong in kept:
        assert wrong.cell in index and wrong.check in index, (
            f"{wrong.name}: no cell {wrong.cell}/{wrong.check}"
        )
        assert index[wrong.check] >= index[wrong.cell], f"{wrong.name}: the check comes before the exercise"
        source = cells[index[wrong.cell]].source
        changed = wrong.apply(source)  # raises unless the text is exactly once in the solution
        assert solution_text(changed) != solution_text(source), f"{wrong.name}: changes nothing"
    missing = sorted(set(exercise_cells(nbformat.read(path, as_version=4))) - {w.cell for w in kept})
    assert missing == [], f"{path.name}: exercise cells {missing} keep no wrong answer"
