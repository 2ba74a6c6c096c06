"""``lab-grade`` on a made-up class, on the real broker: exactly the expected gradebook.

One notebook (01: kafka-python only, no Spark, a few seconds a run), eight students, graded two at a time:
all right; all unsolved; one kept wrong answer per exercise; the same wrong answers with the checks edited
to ``check(True, ...)`` or deleted and ``check`` redefined; an endless loop; a file that is not JSON; a
binary file named like a notebook; a notebook without cell ids. Then a second run grades only what changed.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lab_utils.config import PROJECT_ROOT, LabConfig
from lab_utils.stack.grading.submissions import Exercise, exercises_of, solved_copy
from lab_utils.stack.student import student_copy
from tests.notebook_runs.exercises import WrongAnswer, solution_text, wrong_answers

pytestmark = pytest.mark.integration

NOTEBOOK = PROJECT_ROOT / "notebooks" / "01_create_topic.ipynb"
CELL_TIMEOUT_S = 20
LOOP = "\nwhile True:  # never ends\n    pass"
REDEFINED = "\ndef check(*args, **kwargs):\n    print('✓ trust me')\n\n\ndef answered(**answers):\n    pass"


def _wrong_answer(exercise: Exercise, source: str) -> WrongAnswer:
    """A kept wrong answer of this exercise that its check (not the exercise cell) must catch."""
    kept = [w for w in wrong_answers(NOTEBOOK.stem) if w.check != w.cell]
    by_id = [w for w in kept if w.cell == exercise.cell]
    by_text = [w for w in kept if solution_text(source).count(w.old) == 1]  # if the ids moved
    return (by_id or by_text)[0]


def _write(folder: Path, notebook: nbformat.NotebookNode) -> None:
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / NOTEBOOK.name)


def make_class(root: Path) -> dict[str, object]:
    """The submissions folder; returns what the test expects of each exercise's check."""
    instructor = nbformat.read(NOTEBOOK, as_version=4)
    exercises = exercises_of(instructor)
    sources = {cell.id: cell.source for cell in instructor.cells}
    wrongs = {e.cell: _wrong_answer(e, sources[e.cell]) for e in exercises}

    def with_answers(change: dict[str, str]) -> nbformat.NotebookNode:
        copy = solved_copy(instructor)
        for cell in copy.cells:
            cell.source = change.get(cell.id, cell.source)
        return copy

    def unmarked(source: str) -> str:
        return "\n".join(line for line in source.split("\n") if not line.startswith("### "))

    wrong_cells = {cell: unmarked(wrong.apply(sources[cell])) for cell, wrong in wrongs.items()}
    _write(root / "ana", solved_copy(instructor))
    _write(root / "budi", student_copy(instructor))
    _write(root / "citra", with_answers(wrong_cells))
    edited = with_answers(wrong_cells)
    first = exercises[0].cell
    edited.cells = [
        cell for cell in edited.cells if cell.id not in {c for e in exercises for c in e.checks[1:]}
    ]
    for cell in edited.cells:
        if any(cell.id == e.checks[0] for e in exercises if e.checks):
            cell.source = 'check(True, "all good", "never")'
        if cell.id == first:
            cell.source += REDEFINED
    _write(root / "dewi", edited)
    _write(root / "eko", with_answers({first: unmarked(sources[first]) + LOOP}))
    (root / "fajar").mkdir()
    (root / "fajar" / NOTEBOOK.name).write_text("I could not finish, sorry!\n")
    (root / "hana").mkdir()
    (root / "hana" / NOTEBOOK.name).write_bytes(b"%PDF-1.7\n\xff\xfe\x00binary")
    no_ids = json.loads(nbformat.writes(solved_copy(instructor)))
    no_ids["nbformat_minor"] = 4
    for cell in no_ids["cells"]:
        del cell["id"]
    (root / "gita").mkdir()
    (root / "gita" / NOTEBOOK.name).write_text(json.dumps(no_ids))
    return {"exercises": exercises, "wrongs": wrongs}


def expected_results(exercises: list[Exercise]) -> dict[str, list[str]]:
    count = len(exercises)
    return {
        "ana": ["passed"] * count,
        "budi": ["not attempted"] * count,
        "citra": ["failed"] * count,
        "dewi": ["failed"] * count,
        "eko": ["timed out"] + ["passed"] * (count - 1),
        "fajar": ["unreadable"] * count,
        "gita": ["passed"] * count,
        "hana": ["unreadable"] * count,
    }


def _grade(submissions: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lab_utils.stack.grading", str(submissions), "--out", str(out)]
    command += ["--jobs", "2", "--cell-timeout", str(CELL_TIMEOUT_S), "--only", "01"]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "LAB_PROFILE": "fast"}, timeout=600
    )


@pytest.fixture(scope="module")
def graded(broker: LabConfig, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("grading")
    made = make_class(root / "submissions")
    run = _grade(root / "submissions", root / "out")  # how long it takes: make bench, section grading
    assert run.returncode == 0, run.stdout + run.stderr
    return {**made, "root": root, "out": root / "out", "run": run}


def test_the_gradebook_is_exactly_what_each_submission_earns(graded: dict) -> None:
    exercises, wrongs = graded["exercises"], graded["wrongs"]
    with (graded["out"] / "grades.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    got = [(r["student"], r["notebook"], r["exercise"], r["cell"], r["result"], r["points"]) for r in rows]
    expected = [
        (student, NOTEBOOK.stem, str(e.number), e.cell, result, "1" if result == "passed" else "0")
        for student, results in expected_results(exercises).items()
        for e, result in zip(exercises, results, strict=True)
    ]
    assert got == expected, graded["run"].stdout
    details = {(r["student"], r["cell"]): r["detail"] for r in rows}
    for exercise in exercises:  # a failed exercise keeps its ✗ line, which names the likely cause
        for student in ("citra", "dewi"):
            line = details[student, exercise.cell]
            assert line.startswith("✗ ") and wrongs[exercise.cell].matches(line), (student, line)
        assert details["budi", exercise.cell].startswith("✗ Not done yet")
    assert f"{CELL_TIMEOUT_S} s limit" in details["eko", exercises[0].cell]
    assert "not JSON" in details["fajar", exercises[0].cell]
    assert "not text" in details["hana", exercises[0].cell]


def test_the_report_says_what_could_not_be_graded_and_how_cells_were_matched(graded: dict) -> None:
    printed = graded["run"].stdout
    report = (graded["out"] / "report.txt").read_text(encoding="utf-8")
    assert "fajar/01_create_topic.ipynb: not a notebook: not JSON" in report
    assert "hana/01_create_topic.ipynb: not a notebook: not text" in report
    assert "gita/01_create_topic.ipynb: Cell ids were missing" in report and "matched by position" in report
    assert "ana" in printed and "Grades:" in printed and "nothing left running." in printed
    with (graded["out"] / "summary.csv").open(encoding="utf-8") as handle:
        totals = {row["student"]: row["points"] for row in csv.DictReader(handle)}
    count = len(graded["exercises"])
    assert totals["ana"] == totals["gita"] == str(count) and totals["eko"] == str(count - 1)
    assert totals["budi"] == totals["citra"] == totals["fajar"] == "0"


def test_each_student_gets_feedback_pages_without_the_solutions(graded: dict) -> None:
    feedback = graded["out"] / "feedback"
    solved = feedback / "ana" / "01_create_topic.html"
    assert f"{len(graded['exercises'])} of {len(graded['exercises'])} exercises passed" in solved.read_text()
    unsolved = (feedback / "budi" / "01_create_topic.html").read_text()
    assert "Not done yet" in unsolved and "BEGIN SOLUTION" not in unsolved
    shown = nbformat.read(graded["out"] / "results" / "budi" / "01_create_topic.graded.ipynb", as_version=4)
    instructor = {cell.id: cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells}
    for exercise in graded["exercises"]:  # the page is this notebook: the instructor's answers are not in it
        answer = solution_text(instructor[exercise.cell]).strip()
        assert all(answer not in cell.source for cell in shown.cells)
    index = (feedback / "fajar" / "index.html").read_text()
    assert "unreadable" in index and "not JSON" in index


def test_a_second_run_grades_only_what_changed(graded: dict) -> None:
    (graded["root"] / "submissions" / "fajar" / NOTEBOOK.name).write_text("still not JSON\n")
    stored = {p: p.stat().st_mtime_ns for p in (graded["out"] / "results").glob("*/*.json")}
    again = _grade(graded["root"] / "submissions", graded["out"])
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 to run, 7 unchanged (kept)" in again.stdout
    changed = sorted(p.parent.name for p, mtime in stored.items() if p.stat().st_mtime_ns != mtime)
    assert changed == ["fajar"]


if __name__ == "__main__":  # the made-up class, to try `make grade SUBMISSIONS=...` by hand
    make_class(Path(sys.argv[1]))
    print(f"A made-up class of 8 students in {sys.argv[1]}: make grade SUBMISSIONS={sys.argv[1]}")
