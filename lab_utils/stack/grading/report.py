"""What the instructor gets: ``grades.csv``, ``summary.csv``, a page per student, and the terminal summary.

``grades.csv`` has one row per student and exercise (of every notebook graded): the result (passed,
failed, not attempted, error, timed out; or, for the whole notebook, not handed in, unreadable, failed to
grade), the points earned and possible (``points.py``), and the line that says why. ``summary.csv`` has
one row per student. ``feedback/<student>/index.html`` lists a student's results with a link to each
notebook's feedback page, the notebook as it ran, with the checks' lines in place.
"""

from __future__ import annotations

import csv
import html
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab_utils.stack.grading.points import points_for
from lab_utils.stack.grading.run import RESULT_MARKS, RESULTS
from lab_utils.stack.grading.submissions import Exercise

NOT_HANDED_IN, UNREADABLE, FAILED_TO_GRADE = "not handed in", "unreadable", "failed to grade"
GRADE_COLUMNS = ["student", "notebook", "exercise", "cell", "result", "points", "max_points", "detail"]


@dataclass
class Graded:
    """One student's notebook: how it went, and each exercise's verdict (dicts as run.py writes them)."""

    student: str
    notebook: str
    status: str  # "graded", or a notebook-wide result: not handed in, unreadable, failed to grade
    problem: str | None = None
    exercises: list[dict[str, Any]] = field(default_factory=list)
    origin: str = ""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    fresh: bool = False  # graded in this run (not kept from an earlier one)
    feedback: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    student: str
    notebook: str
    exercise: int
    cell: str
    result: str
    points: float
    max_points: float
    detail: str


def rows_of(graded: Graded, exercises: list[Exercise]) -> list[Row]:
    """The gradebook rows of one student's notebook."""
    verdicts = {v["cell"]: v for v in graded.exercises}
    rows = []
    for exercise in exercises:
        worth = points_for(graded.notebook, exercise.cell)
        verdict = verdicts.get(exercise.cell)
        if graded.status == "graded" and verdict is not None:
            result, detail = verdict["result"], verdict["detail"]
        else:
            result = graded.status if graded.status != "graded" else FAILED_TO_GRADE
            detail = graded.problem or ""
        earned = worth if result == "passed" else 0.0
        rows.append(
            Row(
                graded.student, graded.notebook, exercise.number, exercise.cell, result, earned, worth, detail
            )
        )
    return rows


def _number(value: float) -> str:
    return f"{value:g}"


def write_grades(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(GRADE_COLUMNS)
        for row in rows:
            writer.writerow(
                [row.student, row.notebook, row.exercise, row.cell, row.result,
                 _number(row.points), _number(row.max_points), row.detail]
            )  # fmt: skip


@dataclass
class StudentTotal:
    student: str
    points: float
    max_points: float
    counts: Counter[str]
    per_notebook: dict[str, tuple[float, float]]

    @property
    def percent(self) -> float:
        return 100 * self.points / self.max_points if self.max_points else 0.0


def totals(rows: list[Row], notebooks: list[str]) -> list[StudentTotal]:
    """Per student: points, results counted, and points per notebook."""
    found: dict[str, StudentTotal] = {}
    for row in rows:
        total = found.setdefault(
            row.student, StudentTotal(row.student, 0.0, 0.0, Counter(), dict.fromkeys(notebooks, (0.0, 0.0)))
        )
        total.points += row.points
        total.max_points += row.max_points
        total.counts[row.result] += 1
        earned, worth = total.per_notebook.get(row.notebook, (0.0, 0.0))
        total.per_notebook[row.notebook] = (earned + row.points, worth + row.max_points)
    return list(found.values())


ALL_RESULTS = (*RESULTS, NOT_HANDED_IN, UNREADABLE, FAILED_TO_GRADE)


def write_summary(students: list[StudentTotal], notebooks: list[str], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "points", "max_points", "percent", *ALL_RESULTS, *notebooks])
        for total in students:
            writer.writerow(
                [total.student, _number(total.points), _number(total.max_points), f"{total.percent:.0f}",
                 *(total.counts[result] for result in ALL_RESULTS),
                 *(_number(total.per_notebook[notebook][0]) for notebook in notebooks)]
            )  # fmt: skip


def write_student_page(total: StudentTotal, rows: list[Row], graded: list[Graded], folder: Path) -> Path:
    """``feedback/<student>/index.html``: the student's results, and a link to each notebook's page."""
    pages = {g.notebook: g for g in graded}
    lines = [
        "<!doctype html><meta charset='utf-8'>",
        f"<title>Feedback: {html.escape(total.student)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:.2em .6em;"
        "text-align:left;vertical-align:top;border-bottom:1px solid #ddd}</style>",
        f"<h1>Feedback: {html.escape(total.student)}</h1>",
        f"<p>{_number(total.points)} of {_number(total.max_points)} points ({total.percent:.0f}%).</p>",
        "<table><tr><th>notebook</th><th>exercise</th><th>result</th><th>points</th>"
        "<th>what the check said</th></tr>",
    ]
    for row in rows:
        page = pages.get(row.notebook)
        name = html.escape(row.notebook)
        if page is not None and page.feedback is not None and page.feedback.exists():
            name = f"<a href='{html.escape(page.feedback.name)}'>{name}</a>"
        mark = RESULT_MARKS.get(row.result, "")
        lines.append(
            f"<tr><td>{name}</td><td>{row.exercise}</td><td>{mark} {html.escape(row.result)}</td>"
            f"<td>{_number(row.points)} / {_number(row.max_points)}</td>"
            f"<td>{html.escape(row.detail)}</td></tr>"
        )
    lines.append("</table>")
    notes = [f"{g.notebook}: {note}" for g in graded for note in g.notes]
    if notes:
        lines += ["<ul>", *(f"<li>{html.escape(note)}</li>" for note in notes), "</ul>"]
    folder.mkdir(parents=True, exist_ok=True)
    page_path = folder / "index.html"
    page_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return page_path


def clear_stale_pages(folder: Path, keep: set[str]) -> None:
    """Remove feedback folders of students no longer in the submissions."""
    if folder.is_dir():
        for child in folder.iterdir():
            if child.is_dir() and child.name not in keep:
                shutil.rmtree(child)


def terminal_summary(
    students: list[StudentTotal], problems: list[str], out: Path, max_students: int = 12
) -> list[str]:
    """One screen: each student's points and results, the problems, and where the files are."""
    legend = "  ".join(f"{mark} {result}" for result, mark in RESULT_MARKS.items())
    name_width = min(24, max([len(t.student) for t in students] + [7]))
    lines = [f"{'student':<{name_width}}  {'points':>11}  " + "  ".join(RESULT_MARKS.values()) + "  other"]
    for total in students[:max_students]:
        counts = "  ".join(str(total.counts[result]) for result in RESULTS)
        other = sum(total.counts[result] for result in (NOT_HANDED_IN, UNREADABLE, FAILED_TO_GRADE))
        score = f"{_number(total.points)}/{_number(total.max_points)}"
        lines.append(f"{total.student[:name_width]:<{name_width}}  {score:>11}  {counts}  {other}")
    if len(students) > max_students:
        lines.append(f"... and {len(students) - max_students} more students (summary.csv)")
    lines.append(legend + "  other: not handed in, unreadable, failed to grade")
    if problems:
        lines.append(f"{len(problems)} problem(s):")
        lines += [f"  {problem}" for problem in problems[:6]]
        if len(problems) > 6:
            lines.append(f"  ... and {len(problems) - 6} more ({out / 'report.txt'})")
    lines += [
        f"Grades: {out / 'grades.csv'}   students: {out / 'summary.csv'}",
        f"Feedback: {out / 'feedback'}/<student>/index.html",
    ]
    return lines
