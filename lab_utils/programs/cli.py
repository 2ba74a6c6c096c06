"""What the terminal programs share: the common flags with one wording, a bounded wait, one way to fail.

A problem the user can fix (no broker, no topic) ends a program with one ``error: ...`` line and
exit code 1, and Ctrl-C ends it quietly: that is :func:`lab_utils.errors.run_cli`. With ``LAB_LANG=id``
the program's ``--help``, errors and printed lines are in Indonesian (``lab_utils.stack.messages``: the
parser and :func:`run_cli` pass them through the catalogue); the code keeps its English sentences.
"""

from __future__ import annotations

import argparse
import math
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from pyspark.sql.streaming import StreamingQuery

from lab_utils import errors
from lab_utils.stack.messages import Parser, printed_in

__all__ = ["await_queries", "parser", "run_cli"]
WAIT_SLICE_S = 0.5  # how often a waiting program checks for Ctrl-C and its --timeout

SHARED_FLAGS: dict[str, dict[str, Any]] = {
    "--from-beginning": {"action": "store_true", "help": "read the topic from its oldest record"},
    "--available-now": {
        "action": "store_true",
        "help": "process what the topic holds now, then exit",
    },
    "--timeout": {"type": float, "help": "stop after this many seconds (default: run until Ctrl-C)"},
}


def parser(prog: str, description: str, *shared: str, language: str = "en") -> argparse.ArgumentParser:
    """An argument parser for ``prog`` with the named shared flags (``"--timeout"``...) already added;
    its ``--help`` and errors are in ``language`` (``config.language``)."""
    result = Parser(prog, description, language)
    for flag in shared:
        result.add_argument(flag, **SHARED_FLAGS[flag])
    return result


def run_cli(action: Callable[[], object], language: str = "en") -> int:
    """:func:`lab_utils.errors.run_cli`, with every line printed meanwhile in ``language``."""
    with printed_in(language):
        return errors.run_cli(action)


def await_queries(queries: list[StreamingQuery], timeout_s: float | None) -> None:
    """Wait until every query ended (``--available-now``), ``--timeout`` passed or Ctrl-C; then stop them all.

    ``awaitTermination`` in short slices, with PySpark's Ctrl-C handler set aside meanwhile: that handler
    calls into the JVM from inside the signal, which py4j reports with two long tracebacks.
    """
    interrupted = threading.Event()
    pyspark_handler = signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    deadline = math.inf if timeout_s is None else time.monotonic() + timeout_s
    try:
        while not interrupted.is_set() and (left := deadline - time.monotonic()) > 0:
            active = [query for query in queries if query.isActive]
            if not active:
                break
            # raises if the query failed; pyspark's hint says int, but seconds as a float work
            active[0].awaitTermination(min(WAIT_SLICE_S, left))  # type: ignore[arg-type]
    finally:
        signal.signal(signal.SIGINT, pyspark_handler)
        for query in queries:
            query.stop()
    if interrupted.is_set():
        raise KeyboardInterrupt  # run_cli: "Interrupted.", exit code 0
