"""Pytest plugin: a test run leaves nothing of the lab running, and every notebook cleans up after itself.

Two checks, both on what is really running rather than on what the code says:
- after a notebook's last cell (its cleanup cell), the kernel holds no Spark session, no thread started by
  the notebook (a producer loop, a Kafka client's network thread) and no child process (a JVM);
- at the end of the session, no Kafka or Spark JVM started during the run is still alive. Any that is gets
  killed, so a failing run cannot leave one behind, and the run fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from typing import Any

import psutil
import pytest

LAB_JVM_MARKERS = ("kafka.Kafka", "org.apache.spark.deploy.SparkSubmit", "org.apache.kafka.tools")
# Every process this run starts inherits this variable, so the final check finds exactly the run's own JVMs
# (never a broker or notebook someone else runs on the same machine).
RUN_MARK = "LAB_TEST_RUN"
# How long a JVM may take to exit after its test or notebook stopped it.
GRACE_S = float(os.environ.get("LAB_LEFTOVER_GRACE_S", "15"))
PROBE_MARK = "LAB-PROBE "
# Runs inside the notebook's kernel; prints one JSON line. Names start with _lab_ to stay out of the way.
PROBE = """
def _lab_probe():
    import json, threading
    import psutil
    from pyspark import SparkContext
    children = [p.name() for p in psutil.Process().children(recursive=True) if p.is_running()]
    # pyzmq's garbage collector thread starts with the first large output (an image) and is the kernel's own;
    # so is IPython's history thread, which IPython stops before every fork (a JVM start) and starts anew.
    threads = sorted(
        str(t.ident) + " " + t.name
        for t in threading.enumerate()
        if t.is_alive()
        and type(t).__module__ != "zmq.utils.garbage"
        and type(t).__name__ != "HistorySavingThread"
    )
    spark = SparkContext._active_spark_context is not None
    print("LAB-PROBE " + json.dumps({"threads": threads, "children": children, "spark": spark}))
_lab_probe()
del _lab_probe
"""


def lab_jvms(run_id: str) -> dict[int, str]:
    """The Kafka and Spark JVMs started by this test run, pid -> command line."""
    found = {}
    for process in psutil.process_iter(["pid", "name", "cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if "java" not in (process.info["name"] or "") or not any(mark in command for mark in LAB_JVM_MARKERS):
            continue
        try:
            started_here = process.environ().get(RUN_MARK) == run_id
        except (psutil.AccessDenied, psutil.NoSuchProcess):
            continue
        if started_here:
            found[process.info["pid"]] = command
    return found


def _run_probe(kernel: Any, timeout_s: float = 30.0) -> dict[str, Any]:
    """Run PROBE in the nbval kernel and return what it printed."""
    msg_id = kernel.execute_cell_input(PROBE, allow_stdin=False)
    printed = []
    while True:
        message = kernel.get_message(stream="iopub", timeout=timeout_s)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            raise AssertionError(f"the cleanup probe failed in the kernel: {content['evalue']}")
        elif kind == "status" and content["execution_state"] == "idle":
            break
    line = next(text for text in "".join(printed).splitlines() if text.startswith(PROBE_MARK))
    return json.loads(line[len(PROBE_MARK) :])


def _leftovers(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    threads = sorted(set(after["threads"]) - set(before["threads"]))
    problems = [f"thread {name.split(' ', 1)[1]!r} still runs" for name in threads]
    problems += [f"child process {name!r} still runs" for name in after["children"]]
    if after["spark"]:
        problems.append("a Spark session is still active")
    return problems


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the first and last cell of every notebook nbval collected."""
    cells: dict[pytest.Collector, list[pytest.Item]] = {}
    for item in items:
        if hasattr(item, "cell_num"):
            cells.setdefault(item.parent, []).append(item)
    for notebook_cells in cells.values():
        notebook_cells[0].lab_first_cell = True  # type: ignore[attr-defined]
        notebook_cells[-1].lab_last_cell = True  # type: ignore[attr-defined]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    kernel = getattr(item.parent, "kernel", None)
    if getattr(item, "lab_first_cell", False) and kernel is not None:
        item.parent.lab_probe_before = _run_probe(kernel)  # type: ignore[union-attr]
    result = yield
    before = getattr(item.parent, "lab_probe_before", None)
    if getattr(item, "lab_last_cell", False) and before is not None:
        problems = _leftovers(before, _run_probe(kernel))
        for _ in range(10):  # a stopped thread or JVM may need a moment to end
            if not problems:
                break
            time.sleep(1)
            problems = _leftovers(before, _run_probe(kernel))
        if problems:
            raise AssertionError(f"after the cleanup cell: {'; '.join(problems)}")
    return result


def pytest_sessionstart(session: pytest.Session) -> None:
    os.environ[RUN_MARK] = uuid.uuid4().hex


def pytest_sessionfinish(session: pytest.Session) -> None:
    run_id = os.environ[RUN_MARK]
    deadline = time.monotonic() + GRACE_S
    left = lab_jvms(run_id)
    while left and time.monotonic() < deadline:
        time.sleep(1)
        left = lab_jvms(run_id)
    if not left:
        return
    for pid in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).kill()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = "\n".join(f"  {pid}: {command[:160]}" for pid, command in left.items())
    if reporter is not None:
        reporter.write_line(f"FAILED: the run left {len(left)} lab JVM(s) running (now killed):\n{message}")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
