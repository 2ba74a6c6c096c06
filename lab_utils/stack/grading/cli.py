"""``lab-grade SUBMISSIONS`` (``make grade SUBMISSIONS=dir``): grade a class's handed-in notebooks.

Finds the notebooks (``submissions.py`` lists the layouts), grades each changed one in a process of its
own (``run.py``), several at a time, with a progress bar, then writes ``grades.csv``, ``summary.csv``,
``report.txt`` and the feedback pages (``report.py``) and prints a one-screen summary. A notebook whose
file, instructor notebook and settings are unchanged since the last run keeps its stored result
(``--force`` grades everything again). Output goes to ``build/grading/<submissions folder name>/``:

    grades.csv, summary.csv, report.txt
    feedback/<student>/index.html, feedback/<student>/<NN_name>.html      (what a student gets)
    results/<student>/<NN_name>.json, .submitted.ipynb, .graded.ipynb, .log  (what the grader kept)
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import nbformat
import psutil

from lab_utils.config import PROJECT_ROOT, LabConfig, load_config
from lab_utils.errors import LabError, run_cli
from lab_utils.stack.grading import report
from lab_utils.stack.grading.limits import Limits, become_subreaper
from lab_utils.stack.grading.run import Job
from lab_utils.stack.grading.submissions import (
    Exercise,
    Submission,
    exercises_of,
    find_submissions,
    read_notebook,
)

GRADER_VERSION = "1"  # raise it when a change to grading should grade stored results again
# Two at a time on 2 cores: measured in the README (For instructors); --jobs changes it.
DEFAULT_JOBS = 2
RUN_MARK = "LAB_GRADING_RUN"  # every process of one grading run inherits it, so none is left behind
SLACK_S = 240.0  # a run process may take this much more than the notebook limit (kernel start, pages)


@dataclass
class Options:
    submissions: Path
    out: Path
    notebooks: Path
    jobs: int = DEFAULT_JOBS
    force: bool = False
    limits: Limits = field(default_factory=Limits)
    profile: str = "fast"
    seed_topic: bool = True
    keep_work: bool = False
    only: list[str] = field(default_factory=list)


def parse_args(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(
        prog="lab-grade",
        description="Grade handed-in notebooks on the lab's broker: grades.csv, summaries, feedback pages.",
    )
    parser.add_argument("submissions", type=Path, help="the folder of handed-in notebooks (an LMS export)")
    parser.add_argument("--out", type=Path, help="where results go (default build/grading/<folder name>)")
    parser.add_argument(
        "--notebooks", type=Path, default=PROJECT_ROOT / "notebooks", help="the instructor notebooks"
    )
    parser.add_argument("--jobs", "-j", type=int, default=DEFAULT_JOBS, help="notebooks graded at a time")
    parser.add_argument("--force", action="store_true", help="grade everything again, changed or not")
    parser.add_argument("--only", default="", help="grade only these notebooks, e.g. 01,04")
    defaults = Limits()
    parser.add_argument("--cell-timeout", type=float, default=defaults.cell_s, help="seconds per cell")
    parser.add_argument(
        "--notebook-timeout", type=float, default=defaults.notebook_s, help="seconds per notebook"
    )
    parser.add_argument(
        "--memory-mb", type=int, default=defaults.memory_mb, help="memory of one notebook's processes"
    )
    parser.add_argument("--processes", type=int, default=defaults.processes, help="processes of one notebook")
    parser.add_argument("--profile", default="fast", choices=["fast", "normal"], help="the lab's run profile")
    parser.add_argument(
        "--no-seed", action="store_true", help="do not seed each run's topic with a class's records"
    )
    parser.add_argument(
        "--keep-work", action="store_true", help="keep each run's work folder (for debugging)"
    )
    args = parser.parse_args(argv)
    out = args.out or PROJECT_ROOT / "build" / "grading" / args.submissions.resolve().name
    limits = Limits(args.cell_timeout, args.notebook_timeout, args.memory_mb, args.processes)
    only = [part.strip() for part in args.only.split(",") if part.strip()]
    return Options(
        args.submissions, out, args.notebooks, max(1, args.jobs), args.force, limits, args.profile,
        not args.no_seed, args.keep_work, only,
    )  # fmt: skip


def slug(name: str) -> str:
    """A student's name as a folder name."""
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "student"


def cache_key(data: bytes, instructor: bytes, options: Options) -> str:
    """What a stored result was computed from: the file, the instructor notebook and the settings."""
    settings = json.dumps(
        [
            GRADER_VERSION,
            asdict(options.limits),
            options.profile,
            options.seed_topic,
            os.environ.get("LAB_LANG", ""),
        ]
    )
    digest = hashlib.sha256()
    for part in (data, instructor, settings.encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


class Progress:
    """A progress bar on a terminal; a line per finished notebook elsewhere (CI logs, pipes)."""

    def __init__(self, total: int, stream: IO[str]) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.running: list[str] = []
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.lock = threading.Lock()

    def start(self, label: str) -> None:
        with self.lock:
            self.running.append(label)

    def finish(self, label: str, line: str) -> None:
        with self.lock:
            self.running.remove(label)
            self.done += 1
            if not self.tty:
                print(f"[{self.done}/{self.total}] {line}", file=self.stream, flush=True)

    def draw(self, final: bool = False) -> None:
        if not self.tty or not self.total:
            return
        with self.lock:
            width = shutil.get_terminal_size().columns
            filled = int(20 * self.done / self.total)
            elapsed = int(time.monotonic() - self.started)
            running = ", ".join(self.running)
            bar = "#" * filled + "." * (20 - filled)
            line = f"[{bar}] {self.done}/{self.total}  {elapsed // 60}:{elapsed % 60:02d}"
            line += f"  running: {running}" if running else ""
            print(
                "\r" + line[: width - 1].ljust(width - 1),
                end="\n" if final else "",
                file=self.stream,
                flush=True,
            )


@dataclass
class Planned:
    submission: Submission
    job: Job


class Grader:
    """One grading run over a submissions folder."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.slugs: dict[str, str] = {}
        self.run_id = uuid.uuid4().hex[:10]
        self.instructor = {path.stem: path for path in sorted(options.notebooks.glob("[0-9][0-9]_*.ipynb"))}
        if not self.instructor:
            raise LabError(f"No instructor notebooks (NN_name.ipynb) in {options.notebooks}.")
        self.exercises: dict[str, list[Exercise]] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = False

    def notebooks_to_grade(self, submissions: list[Submission]) -> list[str]:
        stems = list(self.instructor)
        if self.options.only:
            chosen = [s for s in stems if any(s.startswith(part) for part in self.options.only)]
            if not chosen:
                raise LabError(f"--only {','.join(self.options.only)} names no notebook of {stems}")
            return chosen
        return [stem for stem in stems if any(s.notebook == stem for s in submissions)]

    def results_dir(self, student: str) -> Path:
        return self.options.out / "results" / self.slugs[student]

    def plan(self, submissions: list[Submission]) -> tuple[list[report.Graded], list[Planned]]:
        """Stored results still valid, unreadable files, and the jobs to run."""
        kept: list[report.Graded] = []
        jobs: list[Planned] = []
        for submission in submissions:
            stem, folder = submission.notebook, self.results_dir(submission.student)
            key = cache_key(submission.data, self.instructor[stem].read_bytes(), self.options)
            stored = folder / f"{stem}.json"
            feedback = self.options.out / "feedback" / self.slugs[submission.student] / f"{stem}.html"
            if stored.exists() and not self.options.force:
                data = json.loads(stored.read_text(encoding="utf-8"))
                if data.get("key") == key and (data["status"] != "graded" or feedback.exists()):
                    kept.append(self.graded_from(submission, data, feedback, fresh=False))
                    continue
            folder.mkdir(parents=True, exist_ok=True)
            saved = folder / f"{stem}.submitted.ipynb"
            saved.write_bytes(submission.data)
            raw, problem = read_notebook(submission.data)
            if raw is None:
                data = {"key": key, "status": report.UNREADABLE, "problem": problem, "exercises": []}
                stored.write_text(json.dumps(data), encoding="utf-8")
                feedback.unlink(missing_ok=True)
                kept.append(self.graded_from(submission, data, feedback, fresh=True))
                continue
            job = Job(
                student=submission.student,
                notebook=stem,
                instructor=str(self.instructor[stem].resolve()),
                submission=str(saved.resolve()),
                workdir=str((self.options.out / "work" / self.slugs[submission.student] / stem).resolve()),
                result=str(stored.resolve()),
                graded=str((folder / f"{stem}.graded.ipynb").resolve()),
                feedback=str(feedback.resolve()),
                tag=f"{self.run_id}-{len(jobs)}",
                key=key,
                limits=asdict(self.options.limits),
                profile=self.options.profile,
                seed_topic=self.options.seed_topic,
                keep_work=self.options.keep_work,
            )
            jobs.append(Planned(submission, job))
        return kept, jobs

    def graded_from(
        self, submission: Submission, data: dict[str, Any], feedback: Path, fresh: bool
    ) -> report.Graded:
        status = data.get("status", report.FAILED_TO_GRADE)
        return report.Graded(
            student=submission.student,
            notebook=submission.notebook,
            status=status if status in ("graded", report.UNREADABLE) else report.FAILED_TO_GRADE,
            problem=data.get("problem"),
            exercises=data.get("exercises", []),
            origin=submission.origin,
            notes=[*submission.notes, *data.get("notes", [])],
            seconds=float(data.get("seconds", 0.0)),
            fresh=fresh,
            feedback=feedback if status == "graded" else None,
            timings=data.get("timings", {}),
        )

    def run_job(self, planned: Planned, progress: Progress) -> report.Graded:
        """Grade one notebook in its own process and read what it wrote."""
        job, label = planned.job, f"{planned.submission.student}/{planned.job.notebook[:2]}"
        folder = Path(job.result).parent
        spec = folder / f"{job.notebook}.job.json"
        spec.write_text(json.dumps(asdict(job)), encoding="utf-8")
        Path(job.result).unlink(missing_ok=True)
        progress.start(label)
        started = time.monotonic()
        with open(folder / f"{job.notebook}.log", "wb") as log:
            if self.stopping:
                process = None
            else:
                process = subprocess.Popen(
                    [sys.executable, "-m", "lab_utils.stack.grading.run", str(spec)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env={**os.environ, RUN_MARK: self.run_id, "PYTHONUNBUFFERED": "1"},
                    start_new_session=True,
                )
                self.processes[label] = process
                try:
                    process.wait(timeout=self.options.limits.notebook_s + SLACK_S)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=30)
                finally:
                    self.processes.pop(label, None)
        spec.unlink(missing_ok=True)
        result = Path(job.result)
        if result.exists():
            data = json.loads(result.read_text(encoding="utf-8"))
        else:
            why = (
                "stopped"
                if self.stopping
                else f"the grading process ended without a result (see {folder.name}/{job.notebook}.log)"
            )
            data = {"key": "", "status": report.FAILED_TO_GRADE, "problem": why, "exercises": []}
        graded = self.graded_from(planned.submission, data, Path(job.feedback), fresh=True)
        results = [e["result"] for e in graded.exercises]
        summary = (
            ", ".join(f"{results.count(r)} {r}" for r in dict.fromkeys(results))
            or graded.problem
            or graded.status
        )
        progress.finish(label, f"{label}: {summary} ({time.monotonic() - started:.0f} s)")
        return graded

    def run_jobs(self, jobs: list[Planned], stream: IO[str]) -> list[report.Graded]:
        # Longest first (more code cells, more Spark): the last ones to finish are then the short ones.
        order = sorted(jobs, key=lambda p: -len(nbformat.read(p.job.instructor, as_version=4).cells))
        progress = Progress(len(order), stream)
        done: list[report.Graded] = []
        with ThreadPoolExecutor(max_workers=self.options.jobs) as pool:
            futures: list[Future[report.Graded]] = [pool.submit(self.run_job, p, progress) for p in order]
            try:
                while not all(f.done() for f in futures):
                    progress.draw()
                    time.sleep(0.5)
            except KeyboardInterrupt:
                self.stopping = True
                for future in futures:
                    future.cancel()
                for process in list(self.processes.values()):
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGTERM)
                print("\nStopping: the notebooks being graded are stopped and cleaned up.", file=stream)
                raise
            finally:
                progress.draw(final=True)
            done = [f.result() for f in futures]
        return done

    def leftovers(self) -> list[str]:
        """Processes of this run still alive (none, unless something escaped): killed, and named."""
        found = []
        for process in psutil.process_iter(["pid", "name"]):
            with contextlib.suppress(psutil.Error):
                if process.pid != os.getpid() and process.environ().get(RUN_MARK) == self.run_id:
                    found.append(f"{process.info['name']} ({process.info['pid']})")
                    process.kill()
        return found

    def grade(self, stream: IO[str] = sys.stdout) -> int:
        started = time.monotonic()
        with contextlib.suppress(Exception):
            become_subreaper()
        found = find_submissions(self.options.submissions, list(self.instructor))
        notebooks = self.notebooks_to_grade(found.submissions)
        if not notebooks:
            raise LabError(
                f"No notebook of this lab in {self.options.submissions}: expected <student>/<NN_name>.ipynb "
                "(or <student>_<NN_name>.ipynb, or a zip per student); see the README, For instructors."
            )
        submissions = [s for s in found.submissions if s.notebook in notebooks]
        students = sorted({s.student for s in submissions}, key=str.lower)
        self.slugs = _unique_slugs(students)
        for stem in notebooks:
            self.exercises[stem] = exercises_of(nbformat.read(self.instructor[stem], as_version=4))
        kept, jobs = self.plan(submissions)
        print(
            f"Grading {len(submissions)} notebook(s) of {len(students)} student(s): {len(jobs)} to run, "
            f"{sum(not g.fresh for g in kept)} unchanged (kept), {self.options.jobs} at a time; "
            f"limits {self.options.limits.describe()}.",
            file=stream,
            flush=True,
        )
        graded = kept + (self.run_jobs(jobs, stream) if jobs else [])
        left = self.leftovers()
        self.write(graded, notebooks, students, found.problems, stream, time.monotonic() - started, left)
        return 0

    def write(
        self,
        graded: list[report.Graded],
        notebooks: list[str],
        students: list[str],
        problems: list[str],
        stream: IO[str],
        seconds: float,
        left: list[str],
    ) -> None:
        by_key = {(g.student, g.notebook): g for g in graded}
        rows: list[report.Row] = []
        lines = list(problems)
        for student in students:
            for stem in notebooks:
                entry = by_key.get((student, stem)) or report.Graded(student, stem, report.NOT_HANDED_IN)
                rows += report.rows_of(entry, self.exercises[stem])
                if entry.status != "graded" and entry.status != report.NOT_HANDED_IN:
                    lines.append(f"{entry.origin or student + '/' + stem}: {entry.problem}")
                lines += [f"{entry.origin}: {note}" for note in entry.notes if "matched by position" in note]
        out = self.options.out
        out.mkdir(parents=True, exist_ok=True)
        report.write_grades(rows, out / "grades.csv")
        totals = report.totals(rows, notebooks)
        report.write_summary(totals, notebooks, out / "summary.csv")
        report.clear_stale_pages(out / "feedback", {self.slugs[s] for s in students})
        for total in totals:
            mine = [g for g in graded if g.student == total.student]
            report.write_student_page(
                total,
                [r for r in rows if r.student == total.student],
                mine,
                out / "feedback" / self.slugs[total.student],
            )
        fresh = sum(g.fresh and g.status == "graded" for g in graded)
        ending = [
            f"Done in {seconds:.0f} s: {fresh} notebook(s) graded now, "
            f"{sum(not g.fresh for g in graded)} kept from before; "
            + (
                f"{len(left)} process(es) left running were killed: {', '.join(left)}."
                if left
                else "nothing left running."
            )
        ]
        summary = report.terminal_summary(totals, lines, out)
        (out / "report.txt").write_text("\n".join([*summary, *lines, *ending]) + "\n", encoding="utf-8")
        print("\n".join([*summary, *ending]), file=stream, flush=True)


def _unique_slugs(students: list[str]) -> dict[str, str]:
    slugs: dict[str, str] = {}
    for student in students:
        base = candidate = slug(student)
        number = 2
        while candidate in slugs.values():
            candidate, number = f"{base}-{number}", number + 1
        slugs[student] = candidate
    return slugs


def grade_class(options: Options, config: LabConfig) -> int:
    """Check the submissions folder and the broker, then grade (Ctrl-C stops and cleans up: 130)."""
    from lab_utils.clients import admin_client

    if not options.submissions.is_dir():
        raise LabError(f"{options.submissions} is not a folder: give the folder of handed-in notebooks.")
    with admin_client(config):  # one sentence now if no broker answers, not one per notebook later
        pass
    try:
        return Grader(options).grade()
    except KeyboardInterrupt:
        return 130


def main(argv: list[str] | None = None) -> int:
    """``lab-grade SUBMISSIONS [options]``: used by ``make grade``."""
    options = parse_args(sys.argv[1:] if argv is None else argv)
    return run_cli(lambda: grade_class(options, load_config()))
