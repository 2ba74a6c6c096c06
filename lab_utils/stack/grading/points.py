"""Points per exercise: the one place to change them (``lab-grade`` reads it each time it writes the grades).

An exercise is named by its notebook and the id of its exercise cell (the cell holding
``### BEGIN SOLUTION``; the columns ``notebook`` and ``cell`` of ``grades.csv`` name each). Every exercise
not listed is worth ``DEFAULT_POINTS``. A passed exercise earns its points; any other result earns none.
Changing points needs no new grading run: the grades are written again from the stored results.
"""

from __future__ import annotations

DEFAULT_POINTS = 1.0

POINTS: dict[str, float] = {
    # "04_spark_streaming/36": 2.0,  # notebook stem / exercise cell id: points
}


def points_for(notebook: str, cell: str) -> float:
    """What the exercise in ``cell`` of ``notebook`` is worth."""
    return POINTS.get(f"{notebook}/{cell}", DEFAULT_POINTS)
