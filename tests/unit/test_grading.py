"""The grader's logic without a kernel: layouts, rebuilding from the instructor's notebook, verdicts, CSV."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lab_utils.stack.grading import report
from lab_utils.stack.grading.cli import Options, cache_key, slug
from lab_utils.stack.grading.kernel import CellRun
from lab_utils.stack.grading.limits import Limits
from lab_utils.stack.grading.points import DEFAULT_POINTS, POINTS, points_for
from lab_utils.stack.grading.run import judge
from lab_utils.stack.grading.submissions import (
    exercises_of,
    find_submissions,
    read_notebook,
    rebuild,
    solved_copy,
    student_from_file,
    student_from_folder,
)
from lab_utils.stack.student import BEGIN, END

STEMS = ["01_create_topic", "02_producer", "04_spark_streaming"]


def instructor() -> nbformat.NotebookNode:
    cells = [
        new_code_cell("from lab_utils.notebook import answered, check, setup\nconfig = setup()", id="setup"),
        new_markdown_cell("Exercise 1", id="m1"),
        new_code_cell(f"# Your turn: 42\nanswer = None\n{BEGIN}\nanswer = 42\n{END}", id="ex1"),
        new_code_cell("answered(answer=answer)\ncheck(answer == 42, 'yes', 'no')", id="ck1"),
        new_code_cell("print('between')", id="given"),
        new_code_cell("answered(answer=answer)\ncheck(answer > 0, 'yes', 'no')", id="ck1b"),
        new_markdown_cell("*Instructor only*", id="note", metadata={"tags": ["instructor"]}),
        new_code_cell(f"# Your turn: three\nitems = []\n{BEGIN}\nitems = [1, 2, 3]\n{END}", id="ex2"),
        new_code_cell("answered(items=items)\ncheck(len(items) == 3, 'yes', 'no')", id="ck2"),
        new_markdown_cell(f"Why?\n{BEGIN}\nBecause.\n{END}", id="think"),
    ]  # fmt: skip
    return new_notebook(cells=cells)


def test_exercises_and_their_checks_are_the_answered_cells_before_the_next_exercise() -> None:
    found = exercises_of(instructor())
    assert [(e.number, e.cell, e.checks) for e in found] == [
        (1, "ex1", ("ck1", "ck1b")),
        (2, "ex2", ("ck2",)),
    ]


def _submission(notebook: nbformat.NotebookNode) -> dict:
    return json.loads(nbformat.writes(notebook))


def test_only_the_answer_cells_come_from_the_submission() -> None:
    handed_in = solved_copy(instructor())
    for cell in handed_in.cells:
        if cell.id == "ck1":
            cell.source = "check(True, 'yes', 'no')"  # an edited check
    handed_in.cells = [cell for cell in handed_in.cells if cell.id != "ck2"]  # a deleted check
    handed_in.cells.insert(2, new_code_cell("helper = 1", id="mine"))
    rebuilt = rebuild(instructor(), _submission(handed_in))
    sources = {cell.id: cell.source for cell in rebuilt.notebook.cells}
    assert sources["ex1"] == "# Your turn: 42\nanswer = None\nanswer = 42"
    assert sources["ck1"].startswith("answered(") and sources["ck2"].startswith("answered(")
    assert (
        "mine" not in sources and "note" not in sources
    )  # not the student's extra cell, not instructor-only
    assert sources["think"] == "Why?\nBecause."
    assert rebuilt.matched_by == {"ex1": "id", "ex2": "id"}
    assert any("not exercise cells (cell ck1)" in note for note in rebuilt.notes)
    assert any("1 code cell(s) of your own" in note for note in rebuilt.notes)


def test_without_cell_ids_the_nth_exercise_is_found_by_its_given_code() -> None:
    raw = _submission(solved_copy(instructor()))
    for cell in raw["cells"]:
        del cell["id"]
    raw["cells"].insert(1, {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": []})
    rebuilt = rebuild(instructor(), raw)
    sources = {cell.id: cell.source for cell in rebuilt.notebook.cells}
    assert sources["ex1"].endswith("answer = 42") and sources["ex2"].endswith("items = [1, 2, 3]")
    assert rebuilt.matched_by == {"ex1": "position", "ex2": "position"}
    assert any("matched by position" in note for note in rebuilt.notes)


def test_an_exercise_with_no_matching_cell_runs_as_handed_out() -> None:
    raw = _submission(solved_copy(instructor()))
    raw["cells"] = [cell for cell in raw["cells"] if cell["id"] != "ex2"]
    rebuilt = rebuild(instructor(), raw)
    assert rebuilt.matched_by["ex2"] == "not found"
    assert "YOUR CODE HERE" in next(c.source for c in rebuilt.notebook.cells if c.id == "ex2")


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe\x00", "not text"),
        (b'{"hello": 1}', "without a list of cells"),
        (b'{"worksheets": []}', "version 3"),
        (b'{"cells": [1]}', "cell 1 has no source"),
    ],
)
def test_a_file_that_is_not_a_notebook_gets_one_line(data: bytes, why: str) -> None:
    notebook, problem = read_notebook(data)
    assert notebook is None and problem is not None and why in problem and "\n" not in problem


def test_the_layouts_an_lms_export_gives(tmp_path: Path) -> None:
    notebook = nbformat.writes(new_notebook()).encode()
    files = {
        "Budi Santoso_123456_assignsubmission_file_/01_create_topic.ipynb": notebook,  # Moodle
        "citra/work/notebooks/02-producer (1).ipynb": notebook,  # a folder per student, any depth
        "citra/.ipynb_checkpoints/01_create_topic-checkpoint.ipynb": notebook,
        "citra/notes.txt": b"hello",
        "santosodewi_LATE_12345_67890_04_spark_streaming.ipynb": notebook,  # Canvas, flat
        "Eko Prasetyo - 01_create_topic.ipynb": notebook,
        "02_producer.ipynb": notebook,  # whose?
        "fajar/01_create_topic.ipynb": notebook,
        "fajar/01_create_topic_v2.ipynb": notebook,
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    with zipfile.ZipFile(tmp_path / "gita.zip", "w") as archive:
        archive.writestr("lab/01_create_topic.ipynb", notebook)
        archive.writestr("__MACOSX/lab/._01_create_topic.ipynb", b"junk")
    found = find_submissions(tmp_path, STEMS)
    got = sorted(((s.student, s.notebook) for s in found.submissions), key=lambda pair: pair[0].lower())
    assert got == [
        ("Budi Santoso", "01_create_topic"),
        ("citra", "02_producer"),
        ("Eko Prasetyo", "01_create_topic"),
        ("fajar", "01_create_topic"),
        ("gita", "01_create_topic"),
        ("santosodewi", "04_spark_streaming"),
    ]
    fajar = next(s for s in found.submissions if s.student == "fajar")
    assert fajar.origin == "fajar/01_create_topic.ipynb" and "01_create_topic_v2.ipynb" in fajar.notes[0]
    assert found.problems == ["02_producer.ipynb: whose is it? Put it in a folder named after the student."]
    assert "citra/notes.txt" in found.ignored


def test_student_names_from_folders_and_file_names() -> None:
    assert student_from_folder("Budi Santoso_123456_assignsubmission_file_") == "Budi Santoso"
    assert (
        student_from_file("budisantoso_12345_67890_01_create_topic.ipynb", "01_create_topic") == "budisantoso"
    )
    assert slug("Budi Santoso / 2") == "Budi_Santoso_2"


def _run(ename: str | None, line: str = "") -> CellRun:
    run = CellRun("")
    if ename:
        run.error = {"ename": ename, "evalue": line, "traceback": [f"✗ {line}"] if line else []}
    return run


@pytest.mark.parametrize(
    ("runs", "result"),
    [
        ({"e": _run(None), "c1": _run(None), "c2": _run(None)}, "passed"),
        ({"e": _run(None), "c1": _run("NotDoneYet", "Not done yet")}, "not attempted"),
        (
            {"e": _run(None), "c1": _run(None), "c2": _run("SelfCheckFailed", "80.0 is not above 80")},
            "failed",
        ),
        ({"e": _run("NameError", "name 'x' is not defined")}, "error"),
        ({"e": _run("CellTimeout", "ran over the 120 s limit")}, "timed out"),
        ({"e": _run(None), "c1": _run("KernelDied", "memory")}, "error"),
        ({"e": _run(None)}, "timed out"),  # the checks never ran: the notebook's limit
    ],
)
def test_the_first_failing_cell_of_an_exercise_decides(runs: dict[str, CellRun], result: str) -> None:
    exercise = exercises_of(instructor())[0].__class__("e", 1, ("c1", "c2"))
    got, detail = judge(exercise, runs, Limits(), ("timed out", "not run: the notebook's limit"))
    assert got == result
    if result == "failed":
        assert detail == "✗ 80.0 is not above 80"


def test_grades_rows_points_and_notebook_wide_results(tmp_path: Path) -> None:
    exercises = exercises_of(instructor())
    graded = report.Graded("ana", "01_x", "graded", exercises=[
        {"cell": "ex1", "result": "passed", "detail": ""},
        {"cell": "ex2", "result": "failed", "detail": "✗ 2 items, not 3"},
    ])  # fmt: skip
    POINTS["01_x/ex1"] = 2.5
    try:
        rows = report.rows_of(graded, exercises)
        rows += report.rows_of(report.Graded("budi", "01_x", report.NOT_HANDED_IN), exercises)
    finally:
        del POINTS["01_x/ex1"]
    assert points_for("01_x", "ex1") == DEFAULT_POINTS == 1.0
    report.write_grades(rows, tmp_path / "grades.csv")
    with (tmp_path / "grades.csv").open() as handle:
        got = [
            (r["student"], r["cell"], r["result"], r["points"], r["max_points"])
            for r in csv.DictReader(handle)
        ]
    assert got == [
        ("ana", "ex1", "passed", "2.5", "2.5"),
        ("ana", "ex2", "failed", "0", "1"),
        ("budi", "ex1", "not handed in", "0", "2.5"),
        ("budi", "ex2", "not handed in", "0", "1"),
    ]
    totals = report.totals(rows, ["01_x"])
    assert [(t.student, t.points, t.max_points) for t in totals] == [("ana", 2.5, 3.5), ("budi", 0.0, 3.5)]
    lines = report.terminal_summary(totals, [], tmp_path)
    assert len(lines) <= 24 and lines[1].startswith("ana")


def test_a_changed_file_or_setting_means_grading_again(tmp_path: Path) -> None:
    options = Options(tmp_path, tmp_path, tmp_path)
    key = cache_key(b"a", b"instructor", options)
    assert key == cache_key(b"a", b"instructor", options)
    assert key != cache_key(b"b", b"instructor", options) != cache_key(b"a", b"changed", options)
    slower = Options(tmp_path, tmp_path, tmp_path, limits=Limits(cell_s=10))
    assert key != cache_key(b"a", b"instructor", slower)
