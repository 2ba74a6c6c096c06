"""The terminal programs are reference answers: one short file each, the real API on the first screen."""

from __future__ import annotations

import ast
import importlib
import os
import signal
import time
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from lab_utils.config import PROJECT_ROOT

PROGRAMS = PROJECT_ROOT / "lab_utils" / "programs"
# What a student must find in each answer: the calls the assignment is about.
ANSWERS = {
    "sensor_producer": ["make_producer(", ".send(", "add_callback(", ".flush(", ".close("],
    "sensor_consumer": ["make_consumer(", ".subscribe(", ".assign(", ".poll(", ".commit(", ".close("],
    "sensor_alerts": [
        ".readStream",
        '.format("kafka")',
        "parse_readings(",
        '.where(F.col("suhu") > config.threshold)',
        ".writeStream",
        ".foreachBatch(",
        "availableNow",
        "await_queries(",
    ],
    "sensor_history": [
        ".readStream",
        '.format("parquet")',
        "checkpointLocation",
        ".partitionBy(",
        "availableNow",
    ],
    "warehouse_producer": ["make_producer(", ".send(", "add_callback(", ".flush(", ".close("],
    "warehouse_alerts": [
        ".readStream",
        '.format("kafka")',
        "maxOffsetsPerTrigger",
        "parse(",
        "join_warehouses(",
        ".writeStream",
        ".foreachBatch(",
        "availableNow",
        "await_queries(",
    ],
}
FIRST_SCREEN = 70  # lines: a student sees the program's work without scrolling far


def test_every_command_runs_a_program_file() -> None:
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    # instructors' commands (lab-grade) are infrastructure, not reference answers
    scripts = {name: target for name, target in scripts.items() if not target.startswith("lab_utils.stack.")}
    assert scripts == {name.replace("_", "-"): f"lab_utils.programs.{name}:main" for name in ANSWERS}
    installed = {e.name: e.value for e in entry_points(group="console_scripts") if e.name in scripts}
    assert installed == scripts, "run `pip install -e .` again: the installed commands point elsewhere"


@pytest.mark.parametrize("name", list(ANSWERS))
def test_a_program_is_one_short_file_with_its_api_on_the_first_screen(name: str) -> None:
    lines = (PROGRAMS / f"{name}.py").read_text().splitlines()
    assert len(lines) <= 110, f"{name}.py has {len(lines)} lines"
    first_screen = "\n".join(lines[:FIRST_SCREEN])
    missing = [call for call in ANSWERS[name] if call not in first_screen]
    assert missing == [], f"{name}.py does not show {missing} in its first {FIRST_SCREEN} lines"
    assert callable(importlib.import_module(f"lab_utils.programs.{name}").main)


HELPER_MODULES = sorted(
    path.relative_to(PROJECT_ROOT / "lab_utils")
    for path in (PROJECT_ROOT / "lab_utils").rglob("*.py")
    if not {"programs", "stack"} & set(path.parts)  # the programs and the stack have their main()s
)


@pytest.mark.parametrize("module", HELPER_MODULES, ids=str)
def test_the_library_holds_no_program(module: Path) -> None:
    tree = ast.parse((PROJECT_ROOT / "lab_utils" / module).read_text())
    names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert "main" not in names, f"lab_utils/{module} still has a main(): programs live in lab_utils/programs/"


class FakeQuery:
    """Stands in for a StreamingQuery: ends after ``ends_after`` waits (never if None), records each wait."""

    def __init__(self, ends_after: int | None) -> None:
        self.ends_after, self.waits, self.stopped = ends_after, [], False

    @property
    def isActive(self) -> bool:  # noqa: N802 - PySpark's name
        return not self.stopped and (self.ends_after is None or len(self.waits) < self.ends_after)

    def awaitTermination(self, timeout: float | None = None) -> bool:  # noqa: N802 - PySpark's name
        assert timeout is not None and timeout > 0, "a bounded wait, and never awaitTermination(0)"
        self.waits.append(timeout)
        return not self.isActive

    def stop(self) -> None:
        self.stopped = True


def test_await_queries_waits_until_every_query_ended_and_stops_them() -> None:
    from lab_utils.programs.cli import await_queries

    queries = [FakeQuery(2), FakeQuery(1)]
    await_queries(queries, None)  # no --timeout: until the queries end (--available-now) or Ctrl-C
    assert [len(q.waits) for q in queries] == [2, 1] and all(q.stopped for q in queries)


def test_await_queries_stops_at_the_timeout() -> None:
    from lab_utils.programs.cli import WAIT_SLICE_S, await_queries

    endless = [FakeQuery(None)]
    started = time.monotonic()
    await_queries(endless, 0.01)
    assert time.monotonic() - started < 1 and endless[0].stopped
    assert all(0 < wait <= min(0.01, WAIT_SLICE_S) for wait in endless[0].waits)
    late = [FakeQuery(None)]
    await_queries(late, -1.0)  # the time is already up: no wait at all, but still stopped
    assert late[0].waits == [] and late[0].stopped


def test_await_queries_turns_ctrl_c_into_keyboard_interrupt_after_stopping() -> None:
    from lab_utils.programs.cli import await_queries

    class Interrupting(FakeQuery):
        def awaitTermination(self, timeout: float | None = None) -> bool:  # noqa: N802
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while waiting
            return super().awaitTermination(timeout)

    before = signal.getsignal(signal.SIGINT)
    query = Interrupting(None)
    with pytest.raises(KeyboardInterrupt):
        await_queries([query], None)
    assert query.stopped and len(query.waits) == 1 and signal.getsignal(signal.SIGINT) is before
