"""`make student`: the student copies hold no solution code and are otherwise the instructor notebooks."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from lab_utils.config import LANGUAGE_MARK, PROJECT_ROOT
from lab_utils.errors import LabError
from lab_utils.stack.student import (
    ANSWER_PLACEHOLDER,
    BEGIN,
    CODE_PLACEHOLDER,
    END,
    HINT_TAG,
    INDENTED_PLACEHOLDER,
    INSTRUCTOR_TAG,
    has_solution,
    kept_for_students,
    strip_solutions,
    student_copy,
    write_student_notebooks,
)


def _solution_blocks(source: str) -> tuple[list[str], list[str]]:
    """(lines inside the markers, lines outside them), read independently of the tool under test."""
    inside, outside, within = [], [], False
    for line in source.split("\n"):
        if line.strip() in (BEGIN, END):
            within = line.strip() == BEGIN
        else:
            (inside if within else outside).append(line)
    return inside, outside


def test_a_marked_block_becomes_an_indented_placeholder_that_still_parses() -> None:
    source = f"x = 1\nif x:\n    {BEGIN}\n    y = secret(x)\n    {END}\nprint(y)"
    placeholder = "\n".join("    " + line for line in INDENTED_PLACEHOLDER)
    assert strip_solutions(source) == f"x = 1\nif x:\n{placeholder}\nprint(y)"
    compile(strip_solutions(source), "cell", "exec")


def test_a_top_level_placeholder_raises_nothing() -> None:
    """The exercise's answer keeps its empty value; the check says "not done yet", not a traceback."""
    source = f"answer = None\n{BEGIN}\nanswer = 42\n{END}"
    assert strip_solutions(source) == "answer = None\n" + "\n".join(CODE_PLACEHOLDER)


def test_instructor_cells_go_and_hint_cells_stay_only_when_asked() -> None:
    cells = [
        nbformat.v4.new_markdown_cell("for everyone"),
        nbformat.v4.new_markdown_cell("solution markers, CI", metadata={"tags": [INSTRUCTOR_TAG]}),
        nbformat.v4.new_markdown_cell("stuck? read lab_utils/programs", metadata={"tags": [HINT_TAG]}),
    ]
    book = nbformat.v4.new_notebook(cells=cells)
    assert [c.source for c in student_copy(book).cells] == ["for everyone"]
    assert [c.source for c in student_copy(book, hints=True).cells] == ["for everyone", cells[2].source]
    assert [kept_for_students(c, hints=True) for c in cells] == [True, False, True]


@pytest.mark.parametrize("source", [f"{BEGIN}\nx = 1", f"x = 1\n{END}", f"{BEGIN}\n{BEGIN}\n{END}"])
def test_unbalanced_markers_are_refused(source: str) -> None:
    with pytest.raises(LabError):
        strip_solutions(source)


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("student")
    write_student_notebooks(PROJECT_ROOT / "notebooks", target)
    return target


NOTEBOOKS = PROJECT_ROOT / "notebooks"


@pytest.mark.parametrize(
    "path", sorted(NOTEBOOKS.glob("*.ipynb")) + sorted(NOTEBOOKS.glob("id/*.ipynb")), ids=lambda p: p.name
)
def test_student_copy_has_no_solution_and_nothing_else_changed(path: Path, student_dir: Path) -> None:
    """In both languages: make student writes build/student/ and build/student/id/."""
    teacher = nbformat.read(path, as_version=4)
    teacher.cells = [cell for cell in teacher.cells if kept_for_students(cell, hints=False)]
    student = nbformat.read(student_dir / path.relative_to(NOTEBOOKS), as_version=4)
    assert len(student.cells) == len(teacher.cells)
    for ours, theirs in zip(teacher.cells, student.cells, strict=True):
        assert (theirs.cell_type, theirs.metadata) == (ours.cell_type, ours.metadata)
        if not has_solution(ours.source):
            assert theirs.source == ours.source
            continue
        solution, kept = _solution_blocks(ours.source)
        lines = theirs.source.split("\n")
        assert not has_solution(theirs.source) and END not in [line.strip() for line in lines]
        placeholders = INDENTED_PLACEHOLDER + ANSWER_PLACEHOLDER["id" if path.parent.name == "id" else "en"]
        assert [line for line in lines if line.strip() not in placeholders] == [line for line in kept], (
            "the student copy changed a line outside the solution"
        )
        leaked = [line for line in solution if line.strip() and line.strip() in {x.strip() for x in lines}]
        leaked = [line for line in leaked if line not in kept]
        assert leaked == [], f"solution lines left in the student copy: {leaked}"


def test_the_pages_the_notebooks_link_to_go_along(student_dir: Path) -> None:
    """The glossary (and any other Markdown page beside the notebooks) is copied unchanged."""
    pages = (
        sorted(NOTEBOOKS.glob("*.md"))
        + sorted(NOTEBOOKS.glob("id/*.md"))
        + [NOTEBOOKS / "id" / LANGUAGE_MARK]
    )
    assert "GLOSSARY.md" in [page.name for page in pages]
    for page in pages:
        copied = student_dir / page.relative_to(NOTEBOOKS)
        assert copied.read_text() == page.read_text(), page.name
