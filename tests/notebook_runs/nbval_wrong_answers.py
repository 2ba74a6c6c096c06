"""Pytest plugin: nbval's run of an instructor notebook also tries each exercise's kept wrong answers.

Before nbval runs an exercise cell, this runs each of its wrong answers in the same kernel, then the cells
up to the answer's check, and asserts that the check fails with a one-line ✗ that names the likely cause.
Then nbval runs the right answer and the rest of the notebook as written. So one kernel run proves the
notebook, every wrong answer, and that an exercise and its check can be run again after a failed try,
instead of one notebook run per wrong answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.notebook_runs.exercises import WrongAnswer, wrong_answers
from tests.notebook_runs.kernel import CELL_TIMEOUT_S, CellRun, NotebookKernel

WRONG_ANSWERS_TIMEOUT_S = 900  # an exercise item runs its wrong answers too: more than one cell's time


class AttachedKernel(NotebookKernel):
    """nbval's running kernel, driven like a NotebookKernel (nbval started it and will stop it).

    Cells run without history, as nbval runs them: storing history starts IPython's history thread,
    which the cleanup probe would then count as left running.
    """

    def __init__(self, running: Any) -> None:
        self.manager, self.client = running.km, running.kc

    def run(self, source: str, timeout_s: float = CELL_TIMEOUT_S, store_history: bool = False) -> CellRun:
        return super().run(source, timeout_s, store_history=False)


def _try_wrong_answer(kernel: NotebookKernel, cells: list, start: int, wrong: WrongAnswer) -> str | None:
    """Run one wrong answer and the cells up to its check; what is wrong with the verdict, or None."""
    index = {cell.id: i for i, cell in enumerate(cells)}
    run: CellRun = kernel.run(wrong.apply(cells[start].source))
    if wrong.check != cells[start].id:
        if run.error is not None:
            return f"the exercise cell itself failed: {run.describe()}"
        for cell in cells[start + 1 : index[wrong.check]]:
            if cell.cell_type == "code" and (between := kernel.run(cell.source)).error is not None:
                return f"cell {cell.id} before the check failed: {between.describe()}"
        run = kernel.run(cells[index[wrong.check]].source)
    line = run.one_line_error
    if line is None or not wrong.matches(line):
        return f"check {wrong.check} did not fail as expected ({wrong.expect!r}): {run.describe()}"
    return f"check {wrong.check} printed {run.noise()}" if run.noise() else None


def _wrong_answers_here(item: pytest.Item) -> list[WrongAnswer]:
    cell = getattr(item, "cell", None)
    # English notebooks only: the ✗ lines the wrong answers expect are English (notebooks/id/ has twins)
    if cell is None or getattr(item.parent, "nb", None) is None or item.path.parent.name != "notebooks":
        return []
    return [wrong for wrong in wrong_answers(item.path.stem) if wrong.cell == cell.get("id")]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _wrong_answers_here(item):
            item.add_marker(pytest.mark.timeout(WRONG_ANSWERS_TIMEOUT_S))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    wrongs = _wrong_answers_here(item)
    problems = []
    if wrongs:
        cells = item.parent.nb.cells  # type: ignore[union-attr]
        start = next(i for i, cell in enumerate(cells) if cell.get("id") == item.cell.id)  # type: ignore[attr-defined]
        kernel = AttachedKernel(item.parent.kernel)  # type: ignore[union-attr]
        problems = [
            f"{wrong.name}: {problem}"
            for wrong in wrongs
            if (problem := _try_wrong_answer(kernel, cells, start, wrong))
        ]
    result = yield  # nbval runs the right answer
    if problems:
        raise AssertionError("wrong answers that their checks did not catch:\n" + "\n".join(problems))
    return result
