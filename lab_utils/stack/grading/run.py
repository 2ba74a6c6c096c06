"""Grade one handed-in notebook, in a process of its own: ``python -m lab_utils.stack.grading.run JOB.json``.

``lab-grade`` starts one such process per notebook (several at a time) and reads the result it writes.
The process adopts everything the kernel starts (``limits.become_subreaper``), so on any ending (the last
cell, a time limit, a memory or process limit, Ctrl-C) it can stop all of it.

The run: rebuild the notebook (``submissions.rebuild``), point the lab's settings at this run alone (a
work folder as the kernel's working directory, ``LAB_HOME`` inside it, topics named after a run tag,
created and seeded with a class's untidy records as ``make test`` does), run every code cell in order in a
fresh kernel, each within the cell limit and all within the notebook limit, and judge each exercise by
its exercise cell and its check cells (the code cells after it that start with ``answered(``):

- passed: the exercise cell and every check ran without an error;
- not attempted: a check raised ``NotDoneYet`` (the answer is still empty);
- failed: ``SelfCheckFailed`` (the ✗ line is kept);
- timed out: a cell ran over its limit (or the notebook over its own, before the exercise ran);
- error: any other error, in one line.

The first failing cell of an exercise decides. Before each check the real ``answered`` and ``check`` are
imported again, so an answer cell that redefines them changes nothing. A kernel that dies (a limit, or
code that ended Python) is replaced once: the cells before the one that killed it run again, unrecorded,
and grading goes on after it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat
import psutil

from lab_utils.config import LabConfig
from lab_utils.stack.grading.kernel import CellRun, NotebookKernel, strip_ansi
from lab_utils.stack.grading.limits import Limits, TreeWatch, become_subreaper, kill_tree, set_backstops
from lab_utils.stack.grading.submissions import Exercise, exercises_of, read_notebook, rebuild

PASSED, FAILED, NOT_ATTEMPTED, ERROR, TIMED_OUT = "passed", "failed", "not attempted", "error", "timed out"
RESULTS = (PASSED, FAILED, NOT_ATTEMPTED, ERROR, TIMED_OUT)
GUARD = "from lab_utils.notebook import answered, check  # the lab's own, whatever a cell redefined"
SPARK_STARTS = ("get_spark(", ".getOrCreate(")
DETAIL_CHARS = 300


@dataclass
class Job:
    """What ``lab-grade`` asks one run process to do (written as JSON)."""

    student: str
    notebook: str
    instructor: str  # the instructor notebook's path
    submission: str  # the handed-in file, as saved beside the result
    workdir: str
    result: str  # where the result JSON goes
    graded: str  # the executed notebook (the feedback's source)
    feedback: str  # the feedback page
    tag: str  # names this run's topics
    key: str  # what the result was computed from (see cli.cache_key)
    limits: dict[str, float] = field(default_factory=dict)
    profile: str = "fast"
    seed_topic: bool = True
    keep_work: bool = False


@dataclass
class Verdict:
    """One exercise's result."""

    number: int
    cell: str
    result: str
    detail: str = ""
    matched_by: str = "id"


def _one_line(text: str) -> str:
    line = " ".join(strip_ansi(text).split())
    return line if len(line) <= DETAIL_CHARS else line[: DETAIL_CHARS - 1] + "…"


def classify(run: CellRun, limits: Limits) -> tuple[str, str]:
    """The result a failed cell gives its exercise, and the line that says why."""
    name, error = run.ename, run.error or {}
    shown = run.one_line_error or next(iter(str(error.get("evalue", "")).splitlines()), "")
    if name == "NotDoneYet":
        return NOT_ATTEMPTED, _one_line(shown)
    if name == "SelfCheckFailed":
        return FAILED, _one_line(shown)
    if name == "CellTimeout":
        return TIMED_OUT, _one_line(str(error.get("evalue")) or f"ran over {limits.cell_s:g} s")
    if name == "KernelDied":
        return ERROR, _one_line(str(error.get("evalue")))
    if run.one_line_error:
        return ERROR, _one_line(run.one_line_error)
    return ERROR, _one_line(f"{name}: {shown}")


def judge(
    exercise: Exercise, runs: dict[str, CellRun], limits: Limits, not_run: tuple[str, str]
) -> tuple[str, str]:
    """An exercise's result from its exercise cell and check cells (the first failing one decides).

    ``not_run`` is the result and the line for cells that never ran (the notebook's limit, a lost kernel).
    """
    for cell_id in (exercise.cell, *exercise.checks):
        run = runs.get(cell_id)
        if run is None:
            return not_run
        if run.error is not None:
            return classify(run, limits)
    if not exercise.checks:
        return ERROR, "the instructor's notebook has no check cell (starting with answered) for this exercise"
    return PASSED, ""


class NotebookRun:
    """Run the rebuilt notebook's code cells in order, recording each cell's outputs into the notebook."""

    def __init__(self, notebook: nbformat.NotebookNode, exercises: list[Exercise], job: Job) -> None:
        self.notebook = notebook
        self.exercises = exercises
        self.job = job
        self.limits = Limits(**job.limits)  # type: ignore[arg-type]
        self.checks = {check for exercise in exercises for check in exercise.checks}
        self.answers = {exercise.cell for exercise in exercises}
        self.runs: dict[str, CellRun] = {}
        self.not_run = (ERROR, "not run")  # the result of cells that did not run, and why
        self.timings = {"kernel start": 0.0, "cells that start Spark": 0.0, "exercise cells": 0.0}
        self.timings |= {"check cells": 0.0, "other cells": 0.0}
        self.watch = TreeWatch(self.limits)
        self.kernel: NotebookKernel | None = None
        self.replays = 0

    def _start_kernel(self) -> NotebookKernel:
        kernel = NotebookKernel(Path(self.job.workdir))
        self.timings["kernel start"] += kernel.start_seconds
        return kernel

    def execute(self) -> None:
        deadline = time.monotonic() + self.limits.notebook_s
        self.watch.start()
        try:
            self.kernel = self._start_kernel()
            cells = self.notebook.cells
            for i, cell in enumerate(cells):
                if cell.cell_type != "code":
                    continue
                remaining = deadline - time.monotonic()
                over = f"the notebook ran over its {self.limits.notebook_s:g} s limit"
                if remaining <= 1:
                    self.not_run = (TIMED_OUT, f"not run: {over}")
                    break
                if cell.id in self.checks:
                    self.kernel.run(GUARD, timeout_s=30, store_history=False)
                run = self.kernel.run(cell.source, timeout_s=min(self.limits.cell_s, remaining))
                if run.ename == "CellTimeout":
                    cell_over = f"this cell ran over the {self.limits.cell_s:g} s limit for a cell"
                    run.error = {
                        **(run.error or {}),
                        "evalue": over if remaining < self.limits.cell_s else cell_over,
                    }
                self._record(cell, run)
                lost = run.ename == "KernelDied" or (
                    run.ename == "CellTimeout" and self.kernel.run("pass", timeout_s=20).error is not None
                )
                if lost and not self._replace_kernel(run, i, deadline):
                    break
        finally:
            self.watch.stop()
            self.close()

    def _record(self, cell: nbformat.NotebookNode, run: CellRun) -> None:
        self.runs[cell.id] = run
        cell.outputs = [nbformat.from_dict(output) for output in run.outputs]
        if run.ename in ("CellTimeout", "KernelDied"):
            text = f"⏱ Grading stopped this cell: {run.error['evalue'] if run.error else ''}\n"
            cell.outputs.append(nbformat.v4.new_output("stream", name="stderr", text=text))
        cell.execution_count = run.execution_count
        kind = (
            "check cells"
            if cell.id in self.checks
            else "exercise cells"
            if cell.id in self.answers
            else "cells that start Spark"
            if any(start in cell.source for start in SPARK_STARTS)
            else "other cells"
        )
        self.timings[kind] += run.seconds

    def _replace_kernel(self, run: CellRun, failed_at: int, deadline: float) -> bool:
        """A fresh kernel that ran the cells before ``failed_at`` again (unrecorded); False if none."""
        if self.watch.tripped:
            reason = self.watch.tripped
        elif run.ename == "CellTimeout":
            evalue = run.error["evalue"] if run.error else "it ran over its limit"
            reason = f"{evalue}, and the kernel stopped answering"
        else:
            reason = "the kernel stopped (did a cell end Python, or crash it?)"
        run.error = {"ename": "KernelDied", "evalue": reason, "traceback": []}
        self.watch.tripped = None
        self.close()
        if self.replays >= 1:
            self.not_run = (ERROR, f"not run: the kernel stopped twice ({reason})")
            return False
        self.replays += 1
        self.kernel = self._start_kernel()
        for cell in self.notebook.cells[:failed_at]:
            if cell.cell_type == "code" and cell.id in self.runs:
                remaining = deadline - time.monotonic()
                again = self.kernel.run(cell.source, timeout_s=max(1.0, min(self.limits.cell_s, remaining)))
                if again.ename in ("KernelDied", "CellTimeout"):
                    self.not_run = (ERROR, f"not run: the kernel stopped again while catching up ({reason})")
                    return False
        return True

    def close(self) -> None:
        if self.kernel is not None:
            with contextlib.suppress(Exception):
                self.kernel.close()
            self.kernel = None
        kill_tree(grace_s=3)

    def verdicts(self, matched_by: dict[str, str]) -> list[Verdict]:
        found = []
        for exercise in self.exercises:
            result, detail = judge(exercise, self.runs, self.limits, self.not_run)
            found.append(
                Verdict(exercise.number, exercise.cell, result, detail, matched_by.get(exercise.cell, "id"))
            )
        return found


def run_topics(tag: str) -> dict[str, str]:
    """The lab's settings that give this run topics of its own (the alerts topic follows LAB_TOPIC)."""
    topic = f"sensor-suhu-grade-{tag}"
    return {
        "LAB_TOPIC": topic,
        "LAB_DLQ_TOPIC": f"{topic}-dlq",
        "LAB_WAREHOUSE_TEMPERATURE_TOPIC": f"sensor-suhu-gudang-grade-{tag}",
        "LAB_WAREHOUSE_HUMIDITY_TOPIC": f"sensor-kelembaban-gudang-grade-{tag}",
    }


def prepare_workdir(job: Job, lab_home: Path) -> dict[str, str]:
    """A fresh work folder whose ``.lab`` holds a copy of the resolved classpaths; the run's settings."""
    workdir = Path(job.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / ".lab").mkdir(parents=True)
    if (lab_home / "jvm").is_dir():
        shutil.copytree(lab_home / "jvm", workdir / ".lab" / "jvm")
    return {"LAB_HOME": str(workdir / ".lab"), "LAB_PROFILE": job.profile, **run_topics(job.tag)}


def _markdown_cell(text: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = ["grading-feedback"]
    return cell


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


RESULT_MARKS = {PASSED: "✓", FAILED: "✗", NOT_ATTEMPTED: "·", ERROR: "!", TIMED_OUT: "⏱"}


def feedback_notebook(
    notebook: nbformat.NotebookNode, job: Job, verdicts: list[Verdict], notes: list[str]
) -> nbformat.NotebookNode:
    """The executed notebook with a results table on top and a line before each exercise cell."""
    rows = [f"| {v.number} | {RESULT_MARKS[v.result]} {v.result} | {_escape(v.detail)} |" for v in verdicts]
    passed = sum(v.result == PASSED for v in verdicts)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = [
        f"# Feedback: {job.notebook}, {_escape(job.student)}",
        "",
        f"{passed} of {len(verdicts)} exercises passed. Graded {when} on the lab's Kafka broker.",
        "",
        "Your exercise cells ran inside the notebook as it was handed out, top to bottom, in a fresh kernel.",
        "Every other cell is the original, so each check below is the instructor's.",
        "",
        "| exercise | result | what the check said |",
        "|---|---|---|",
        *rows,
    ]
    header += ["", *[f"- {_escape(note)}" for note in notes]] if notes else []
    by_cell = {v.cell: v for v in verdicts}
    cells = [_markdown_cell("\n".join(header))]
    for cell in notebook.cells:
        verdict = by_cell.get(cell.id)
        if verdict is not None:
            line = f"**Exercise {verdict.number}: {RESULT_MARKS[verdict.result]} {verdict.result}**"
            cells.append(_markdown_cell(line + (f". {_escape(verdict.detail)}" if verdict.detail else "")))
        cells.append(cell)
    copy = nbformat.from_dict(notebook)
    copy.cells = cells
    return copy


def write_html(notebook: nbformat.NotebookNode, path: Path) -> None:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically: a reader never sees half a result."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)


def grade(job: Job) -> dict[str, Any]:
    """Grade the job's notebook (the caller has set the run's settings in the environment)."""
    started = time.perf_counter()
    instructor = nbformat.read(job.instructor, as_version=4)
    raw, problem = read_notebook(Path(job.submission).read_bytes())
    if raw is None:
        return {"key": job.key, "status": "unreadable", "problem": problem, "exercises": []}
    rebuilt = rebuild(instructor, raw)
    exercises = exercises_of(instructor)
    runner = NotebookRun(rebuilt.notebook, exercises, job)
    runner.execute()
    verdicts = runner.verdicts(rebuilt.matched_by)
    feedback = feedback_notebook(rebuilt.notebook, job, verdicts, rebuilt.notes)
    nbformat.write(feedback, job.graded)
    html_started = time.perf_counter()
    write_html(feedback, Path(job.feedback))
    timings = {**runner.timings, "feedback page": time.perf_counter() - html_started}
    return {
        "key": job.key,
        "status": "graded",
        "problem": None,
        "exercises": [asdict(v) for v in verdicts],
        "notes": rebuilt.notes,
        "timings": {name: round(seconds, 2) for name, seconds in timings.items()},
        "seconds": round(time.perf_counter() - started, 2),
        "peak_memory_mb": round(runner.watch.peak_mb),
        "peak_processes": runner.watch.peak_processes,
    }


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _delete_topics(names: set[str], config: LabConfig) -> None:
    from lab_utils.clients import admin_client

    with admin_client(config) as admin:
        existing = names & set(admin.list_topics())
        if existing:
            admin.delete_topics(sorted(existing))


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.grading.run JOB.json``: grade one notebook, write its result JSON."""
    from lab_utils.config import load_config
    from lab_utils.realtime import alerts_topic
    from lab_utils.reference.topics import ensure_topic
    from lab_utils.stack.classroom import Classroom

    process_start = time.time() - psutil.Process().create_time()  # Python and the imports
    args = sys.argv[1:] if argv is None else argv
    job = Job(**json.loads(Path(args[0]).read_text()))
    signal.signal(signal.SIGTERM, _interrupted)  # lab-grade stopped (Ctrl-C): clean up, then end
    become_subreaper()
    set_backstops()
    os.environ.update(prepare_workdir(job, load_config().lab_home))
    config = load_config()
    result: dict[str, Any] = {"key": job.key, "status": "failed to grade", "exercises": []}
    started = time.perf_counter()
    try:
        if job.seed_topic:
            Classroom(config).seed()  # creates the topic too
        else:
            ensure_topic(config=config)
        topics_s = time.perf_counter() - started
        result = grade(job)
        result["timings"] = {
            "grading process start": round(process_start, 2),
            "topics": round(topics_s, 2),
        } | (result.get("timings") or {})
    except Exception as error:  # the grader's own failure: one line in the report, the others go on
        result["problem"] = _one_line(f"{type(error).__name__}: {error}")
    finally:
        cleanup_started = time.perf_counter()
        left = kill_tree(grace_s=3)
        with contextlib.suppress(Exception):
            _delete_topics({*run_topics(job.tag).values(), alerts_topic(config)}, config)
        if not job.keep_work:
            shutil.rmtree(job.workdir, ignore_errors=True)
    result.setdefault("timings", {})["cleanup"] = round(time.perf_counter() - cleanup_started, 2)
    result["left_running"] = left
    write_json(Path(job.result), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
