"""The exercises of the notebooks, and the wrong answers kept for each.

An exercise is a code cell holding a solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION``.
Each notebook's plausible wrong answers live in ``wrong_answers/nbNN.py`` as a list ``WRONG_ANSWERS``:
the exercise cell (by cell id), a text replacement inside its solution, the check cell that must then
fail, and words its ✗ line must contain (the likely cause it names). Kept out of the notebooks, so the
student copies never show them (otter-grader keeps its hidden tests apart the same way).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

import nbformat

from lab_utils.stack.student import BEGIN, END, has_solution


@dataclass(frozen=True)
class WrongAnswer:
    """One plausible mistake in one exercise, and what its self-check must say about it."""

    cell: str  # the exercise cell's id
    check: str  # the id of the cell that must fail (the exercise cell itself, if the mistake fails there)
    name: str  # what the mistake is, in a few words
    old: str  # text in the solution block...
    new: str  # ...replaced by this
    expect: str  # a regular expression the ✗ line must match (case-insensitive)

    def apply(self, source: str) -> str:
        """The exercise cell with this mistake in its solution (the markers stay, as a student's would)."""
        solution = solution_text(source)
        if solution.count(self.old) != 1:
            raise ValueError(
                f"{self.name!r}: {self.old!r} is not exactly once in cell {self.cell}'s solution"
            )
        return source.replace(solution, solution.replace(self.old, self.new), 1)

    def matches(self, line: str) -> bool:
        return re.search(self.expect, line, re.IGNORECASE) is not None


def solution_text(source: str) -> str:
    """The lines between the markers of a cell (all blocks, joined as they stand in the cell)."""
    inside, kept = False, []
    for line in source.split("\n"):
        if line.strip() in (BEGIN, END):
            inside = line.strip() == BEGIN
        elif inside:
            kept.append(line)
    return "\n".join(kept)


def exercise_cells(notebook: nbformat.NotebookNode) -> list[str]:
    """The ids of the notebook's code exercises (markdown "think" exercises have no check to run)."""
    return [cell.id for cell in notebook.cells if cell.cell_type == "code" and has_solution(cell.source)]


def wrong_answers(stem: str) -> list[WrongAnswer]:
    """The wrong answers kept for a notebook (``02_producer`` -> ``wrong_answers/nb02.py``)."""
    try:
        module = importlib.import_module(f"tests.notebook_runs.wrong_answers.nb{stem[:2]}")
    except ModuleNotFoundError:
        return []
    return list(module.WRONG_ANSWERS)
