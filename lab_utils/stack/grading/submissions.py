"""Find the handed-in notebooks in an LMS export, and rebuild each from the instructor's notebook.

Layouts (``SUBMISSIONS`` is the folder given to ``make grade``):

- a folder per student: ``SUBMISSIONS/<student>/<NN_name>.ipynb``, at any depth below the student's folder
  (``<student>/notebooks/02_producer.ipynb``), and Moodle's folder names
  (``Budi Santoso_123456_assignsubmission_file_``: the student is "Budi Santoso");
- one flat folder with the student in the file name: Canvas (``santosobudi_123456_789012_02_producer.ipynb``,
  ``santosobudi_LATE_...``) or any ``<student> - 02_producer.ipynb`` / ``<student>_02_producer.ipynb``;
- a zip archive in either place (``SUBMISSIONS/<student>.zip``, ``<student>/work.zip``, a Canvas zip): the
  notebooks inside it are read without unpacking it.

A file belongs to the instructor notebook whose name it contains (``02_producer``), or, inside a student's
folder, whose number it starts with (``02-producer (1).ipynb``). Hidden folders, ``.ipynb_checkpoints`` and
``__MACOSX`` are skipped. When a student handed in two files for one notebook, the one named exactly like the
instructor's wins, else the newest; the report names the other.

Rebuilding: the notebook that runs is the instructor's, as students received it (``make student``: no
solutions, no instructor-only cells), with only the answer cells taken from the submission, matched by cell
id. Where ids are missing (an old Jupyter, a copy-paste into a new notebook), the n-th exercise is the next
code cell holding most of the code the exercise cell gives around its answer (its comments and the empty
answer it starts with); the report says which exercises were matched that way.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat

from lab_utils.stack.student import (
    BEGIN,
    CODE_PLACEHOLDER,
    END,
    INDENTED_PLACEHOLDER,
    has_solution,
    student_copy,
)

MAX_NOTEBOOK_BYTES = 50 * 2**20
CHECK_START = "answered("
CONFIRM_SHARE = 0.5  # share of an exercise's given lines a cell must hold to stand in for it without an id
_MOODLE = re.compile(r"^(?P<name>.+?)_\d+_assignsubmission_\w*$")
_CANVAS = re.compile(r"^(?P<name>.+?)(?:_late)?_\d+_\d+_", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*(\d\d)(?!\d)")
_PLACEHOLDER_LINES = {line.strip() for line in [*CODE_PLACEHOLDER, *INDENTED_PLACEHOLDER]}


@dataclass(frozen=True)
class Submission:
    """One handed-in notebook: whose, which, where it came from, and its bytes."""

    student: str
    notebook: str  # the instructor notebook's stem, e.g. "01_create_topic"
    origin: str  # relative to the submissions folder; a zip member as "work.zip:notebooks/01_x.ipynb"
    data: bytes
    modified: float = 0.0
    notes: tuple[str, ...] = ()


@dataclass
class Found:
    """What a submissions folder holds: the notebooks to grade, and one line per file that cannot be."""

    submissions: list[Submission] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # files that are not notebooks of this lab


def _hidden(part: str) -> bool:
    return part.startswith(".") or part in ("__MACOSX", ".ipynb_checkpoints")


def student_from_folder(name: str) -> str:
    """A student's folder name without Moodle's tail (``_123456_assignsubmission_file_``)."""
    match = _MOODLE.match(name)
    return (match.group("name") if match else name).strip()


def notebook_of(file_name: str, stems: list[str], in_student_folder: bool) -> str | None:
    """The instructor notebook a file is for, by the name it contains or (in a student folder) its number."""
    name = Path(file_name).stem.lower()
    for stem in sorted(stems, key=len, reverse=True):
        if stem.lower() in name:
            return stem
    match = _NUMBER.match(name)
    if in_student_folder and match:
        numbered = [stem for stem in stems if stem[:2] == match.group(1)]
        if len(numbered) == 1:
            return numbered[0]
    return None


def student_from_file(file_name: str, stem: str | None) -> str:
    """The student named in a flat export's file name (Canvas ids and separators removed)."""
    name = Path(file_name).stem
    if stem and stem.lower() in name.lower():
        name = name[: name.lower().index(stem.lower())]
    match = _CANVAS.match(name + "_")
    if match:
        name = match.group("name")
    return name.strip(" _-.")


def _read_zip(path: Path, student: str | None, stems: list[str], root: Path, found: Found) -> None:
    origin = str(path.relative_to(root))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        found.problems.append(f"{origin}: not a readable zip archive ({error})")
        return
    with archive:
        owner = student or student_from_file(path.name, None)
        for info in archive.infolist():
            parts = Path(info.filename).parts
            if info.is_dir() or any(_hidden(part) for part in parts):
                continue
            member = f"{origin}:{info.filename}"
            stem = notebook_of(parts[-1], stems, in_student_folder=True)
            if stem is None:
                found.ignored.append(member)
            elif info.file_size > MAX_NOTEBOOK_BYTES:
                found.problems.append(f"{member}: {info.file_size / 2**20:.0f} MB, too big for a notebook")
            else:
                modified = datetime(*info.date_time).timestamp()
                found.submissions.append(Submission(owner, stem, member, archive.read(info), modified))


def _add_file(path: Path, student: str | None, stems: list[str], root: Path, found: Found) -> None:
    origin = str(path.relative_to(root))
    if path.suffix.lower() == ".zip":
        _read_zip(path, student, stems, root, found)
        return
    stem = notebook_of(path.name, stems, in_student_folder=student is not None)
    if path.suffix.lower() != ".ipynb" or stem is None:
        found.ignored.append(origin)
        return
    owner = student if student is not None else student_from_file(path.name, stem)
    if not owner:
        found.problems.append(f"{origin}: whose is it? Put it in a folder named after the student.")
    elif path.stat().st_size > MAX_NOTEBOOK_BYTES:
        found.problems.append(f"{origin}: {path.stat().st_size / 2**20:.0f} MB, too big for a notebook")
    else:
        found.submissions.append(Submission(owner, stem, origin, path.read_bytes(), path.stat().st_mtime))


def find_submissions(root: Path, stems: list[str]) -> Found:
    """Every handed-in notebook below ``root`` (see the layouts above), one per student and notebook."""
    found = Found()
    for entry in sorted(root.iterdir()):
        if _hidden(entry.name):
            continue
        if entry.is_dir():
            student = student_from_folder(entry.name)
            for path in sorted(entry.rglob("*")):
                if path.is_file() and not any(_hidden(part) for part in path.relative_to(entry).parts):
                    _add_file(path, student, stems, root, found)
        elif entry.is_file():
            _add_file(entry, None, stems, root, found)
    found.submissions = _one_per_notebook(found.submissions, stems)
    return found


def _one_per_notebook(submissions: list[Submission], stems: list[str]) -> list[Submission]:
    """Keep one file per student and notebook: the one named like the instructor's, else the newest."""
    chosen: dict[tuple[str, str], list[Submission]] = {}
    for submission in submissions:
        chosen.setdefault((submission.student, submission.notebook), []).append(submission)
    kept = []
    for (_, stem), candidates in chosen.items():
        ranked = sorted(
            candidates,
            key=lambda s: (Path(s.origin.split(":")[-1]).name == f"{stem}.ipynb", s.modified, s.origin),
        )
        best = ranked[-1]
        others = [s.origin for s in ranked[:-1]]
        if others:
            note = f"also handed in for {stem}, not graded: {', '.join(others)}"
            best = Submission(best.student, stem, best.origin, best.data, best.modified, (*best.notes, note))
        kept.append(best)
    order = {stem: i for i, stem in enumerate(stems)}
    return sorted(kept, key=lambda s: (s.student.lower(), order.get(s.notebook, 99)))


def read_notebook(data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The submission as a notebook dict, or None and one line saying why it is not one."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, "not a notebook: not text (a binary file renamed .ipynb?)"
    except json.JSONDecodeError as error:
        return None, f"not a notebook: not JSON ({error})"
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        if isinstance(raw, dict) and "worksheets" in raw:
            return (
                None,
                "an old notebook format (version 3): open it in JupyterLab, save it, hand it in again",
            )
        return None, "not a notebook: JSON without a list of cells"
    for number, cell in enumerate(raw["cells"], start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("source"), str | list):
            return None, f"not a notebook: cell {number} has no source"
    return raw, None


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


@dataclass(frozen=True)
class Exercise:
    """One code exercise of a notebook: its cell, its number, and the check cells that judge it."""

    cell: str
    number: int
    checks: tuple[str, ...]


def is_check(source: str) -> bool:
    return source.lstrip().startswith(CHECK_START)


def handout(instructor: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as students received it (``make student``, without the hint cells)."""
    return student_copy(instructor, hints=False)


def solved_copy(instructor: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The handout as a student who wrote the instructor's answers hands it in (tests, benchmark)."""
    solutions = {cell.id: cell.source for cell in instructor.cells if has_solution(cell.source)}
    copy = handout(instructor)
    for cell in copy.cells:
        if cell.id in solutions:
            lines = solutions[cell.id].split("\n")
            cell.source = "\n".join(line for line in lines if line.strip() not in (BEGIN, END))
    return copy


def exercises_of(instructor: nbformat.NotebookNode) -> list[Exercise]:
    """The code exercises, each with its checks: the code cells after it, before the next exercise,
    that start with ``answered(`` (only cells a student copy keeps)."""
    answer_ids = {
        cell.id for cell in instructor.cells if cell.cell_type == "code" and has_solution(cell.source)
    }
    found: list[Exercise] = []
    current: str | None = None
    checks: list[str] = []
    for cell in handout(instructor).cells:
        if cell.id in answer_ids:
            if current is not None:
                found.append(Exercise(current, len(found) + 1, tuple(checks)))
            current, checks = cell.id, []
        elif current is not None and cell.cell_type == "code" and is_check(cell.source):
            checks.append(cell.id)
    if current is not None:
        found.append(Exercise(current, len(found) + 1, tuple(checks)))
    return found


def given_lines(handout_source: str) -> list[str]:
    """The lines an exercise cell gives around its answer (the placeholder left out)."""
    return [
        line.strip()
        for line in handout_source.split("\n")
        if line.strip() and line.strip() not in _PLACEHOLDER_LINES
    ]


@dataclass
class Rebuilt:
    """The notebook to run: the handout with the student's answer cells, and how each was found."""

    notebook: nbformat.NotebookNode
    matched_by: dict[str, str]  # exercise cell id -> "id", "position", or "not found"
    notes: list[str]


def _share_given(cell_source: str, given: list[str]) -> float:
    lines = {line.strip() for line in cell_source.split("\n")}
    return sum(line in lines for line in given) / len(given) if given else 0.0


def rebuild(instructor: nbformat.NotebookNode, submission: dict[str, Any]) -> Rebuilt:
    """The handout with each answer cell (code and written answers) taken from the submission.

    Every other cell stays the instructor's, so an edited or deleted check changes nothing.
    """
    notebook = handout(instructor)
    answer_ids = [cell.id for cell in instructor.cells if has_solution(cell.source)]
    code_answers = {ex.cell for ex in exercises_of(instructor)}
    cells = [cell for cell in submission["cells"] if isinstance(cell, dict)]
    by_id: dict[str, dict[str, Any]] = {}
    for cell in cells:
        if isinstance(cell.get("id"), str):
            by_id.setdefault(cell["id"], cell)
    index = {cell.id: i for i, cell in enumerate(notebook.cells)}
    matched_by: dict[str, str] = {}
    used: set[int] = set()
    position = 0  # answers without an id are looked for after the previous answer found
    for cell_id in answer_ids:
        if cell_id not in index:
            continue
        target = notebook.cells[index[cell_id]]
        found = by_id.get(cell_id)
        how = "id"
        if found is None or found.get("cell_type") != target.cell_type:
            found, how = _by_position(target, cells, used, position)
        if found is not None:
            used.add(id(found))
            position = max(position, next(i for i, cell in enumerate(cells) if cell is found) + 1)
            target.source = _source(found)
        if cell_id in code_answers:
            matched_by[cell_id] = how if found is not None else "not found"
    taken = [cell for cell in cells if id(cell) in used]
    return Rebuilt(notebook, matched_by, _notes(notebook, cells, taken, set(answer_ids), matched_by))


def _by_position(
    target: nbformat.NotebookNode, cells: list[dict[str, Any]], used: set[int], start: int
) -> tuple[dict[str, Any] | None, str]:
    """The first cell of the target's type after ``start`` holding the largest share (at least half) of
    the lines the target's cell gives around its answer."""
    given = given_lines(target.source)
    best, best_share = None, 0.0
    for cell in cells[start:]:
        if cell.get("cell_type") != target.cell_type or id(cell) in used:
            continue
        share = _share_given(_source(cell), given)
        if share >= CONFIRM_SHARE and share > best_share:
            best, best_share = cell, share
    return best, "position"


def _notes(
    notebook: nbformat.NotebookNode,
    cells: list[dict[str, Any]],
    taken: list[dict[str, Any]],
    answer_ids: set[str],
    matched_by: dict[str, str],
) -> list[str]:
    """What a student should know about how their notebook was read."""
    notes = []
    numbers = {cell_id: number for number, cell_id in enumerate(matched_by, start=1)}
    by_position = [str(numbers[c]) for c, how in matched_by.items() if how == "position"]
    missing = [str(numbers[c]) for c, how in matched_by.items() if how == "not found"]
    if by_position:
        notes.append(
            f"Cell ids were missing, so exercise(s) {', '.join(by_position)} were matched by position, "
            "confirmed by the code the exercise cell gives."
        )
    if missing:
        notes.append(
            f"Exercise(s) {', '.join(missing)}: no cell of yours matched (no cell id, and the given code "
            "was changed), so they ran as handed out."
        )
    given = {cell.id: cell.source for cell in notebook.cells}
    sources = set(given.values())
    changed = [
        cell["id"]
        for cell in cells
        if cell.get("cell_type") == "code"
        and cell.get("id") in given
        and cell["id"] not in answer_ids
        and _source(cell).strip() != given[cell["id"]].strip()
    ]
    own = [
        cell
        for cell in cells
        if cell.get("cell_type") == "code"
        and _source(cell).strip()
        and all(cell is not answer for answer in taken)
        and cell.get("id") not in given
        and _source(cell) not in sources
    ]
    if changed:
        notes.append(
            f"You changed {len(changed)} cell(s) that are not exercise cells "
            f"(cell {', '.join(changed[:5])}); grading ran the original ones."
        )
    if own:
        notes.append(
            f"{len(own)} code cell(s) of your own were not run: grading runs only the exercise cells, so put "
            "what an exercise needs inside its cell."
        )
    return notes
