"""Every exercise tells right from wrong: each kept wrong answer fails its check with a ✗ line, then the
right answer passes, all in one kernel run of the instructor notebook (so the extra cost is a few cells,
not a notebook run per wrong answer). The run also proves that re-running an exercise and its check
after a failed try does what a student expects.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from lab_utils.config import PROJECT_ROOT
from tests.notebook_runs.exercises import WrongAnswer, wrong_answers
from tests.notebook_runs.kernel import CellRun, NotebookKernel

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _verdict(
    kernel: NotebookKernel, cells: list, start: int, wrong: WrongAnswer
) -> tuple[CellRun, list[str]]:
    """Run the exercise with the mistake and the cells up to its check; return the check's run."""
    index = {cell.id: i for i, cell in enumerate(cells)}
    run = kernel.run(wrong.apply(cells[start].source))
    if wrong.check == cells[start].id:
        return run, []
    problems = [f"the exercise cell itself failed: {run.describe()}"] if run.error else []
    for cell in cells[start + 1 : index[wrong.check]]:
        if cell.cell_type == "code" and not problems:
            between = kernel.run(cell.source)
            if between.error:
                problems.append(f"cell {cell.id} before the check failed: {between.describe()}")
    return kernel.run(cells[index[wrong.check]].source), problems


@pytest.mark.notebook_run
@pytest.mark.timeout(1500)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_wrong_answers_fail_their_checks_and_the_right_ones_pass(path: Path, tmp_path: Path) -> None:
    cells = nbformat.read(path, as_version=4).cells
    by_cell: dict[str, list[WrongAnswer]] = {}
    for wrong in wrong_answers(path.stem):
        by_cell.setdefault(wrong.cell, []).append(wrong)
    problems: list[str] = []
    with NotebookKernel(tmp_path) as kernel:
        for i, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            for wrong in by_cell.get(cell.id, []):
                verdict, before = _verdict(kernel, cells, i, wrong)
                line = verdict.one_line_error
                if before:
                    problems += [f"{wrong.name}: {text}" for text in before]
                elif line is None or not wrong.matches(line):
                    problems.append(f"{wrong.name}: check {wrong.check} said {verdict.describe()!r}")
                if noise := verdict.noise():
                    problems.append(f"{wrong.name}: check {wrong.check} printed {noise}")
            run = kernel.run(cell.source)
            assert run.error is None, f"cell {cell.id} (the right answer) failed: {run.describe()}"
            assert run.noise() is None, f"cell {cell.id}: {run.noise()}"
        problems += [f"after the cleanup cell: {text}" for text in kernel.leftovers()]
    assert problems == []
