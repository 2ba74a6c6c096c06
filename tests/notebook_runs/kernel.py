"""Run a notebook's cells one at a time in a fresh kernel, any cell's source swapped for another.

nbval runs a notebook as it is written. The student-copy run and the wrong-answer run need more: run a
cell with other code (a wrong answer, then the right one), run its check again, and read what a failed
cell showed (one ✗ line, or a traceback). The runner itself is the grader's
(``lab_utils.stack.grading.kernel``); this adds what only the tests need: the noise a student should never
see, and a probe for what a notebook left running.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

from lab_utils.config import load_config
from lab_utils.stack.grading import kernel as runner
from tests.lab_processes import PROBE, PROBE_MARK, _leftovers

# Output a student should never see in a cell: JVM log lines, Python warnings, Java stack frames.
NOISE = re.compile(r"\bWARN\b|Warning:|WARNING|Exception in thread|at org\.apache\.")
CELL_TIMEOUT_S = runner.CELL_TIMEOUT_S
_strip_ansi = runner.strip_ansi


class CellRun(runner.CellRun):
    """What one cell printed, and the error it ended with (None when it ran through)."""

    def noise(self) -> str | None:
        """Why this cell's output would bother a student (stderr, JVM logs, warnings), or None."""
        if self.stderr.strip():
            return f"stderr: {self.stderr[:300]!r}"
        match = NOISE.search(self.stdout)
        return (
            f"noise in stdout: {self.stdout[max(0, match.start() - 100) : match.end() + 200]!r}"
            if match
            else None
        )


class NotebookKernel(runner.NotebookKernel):
    """A fresh IPython kernel in ``cwd``; ``run(source)`` executes one cell and returns its CellRun."""

    cell_run = CellRun

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.probe_before = self.probe()

    def run(self, source: str, timeout_s: float = CELL_TIMEOUT_S, store_history: bool = True) -> CellRun:
        result = super().run(source, timeout_s, store_history)
        assert isinstance(result, CellRun)
        return result

    def probe(self) -> dict[str, Any]:
        """Threads, child processes and Spark in the kernel (tests/lab_processes.py's probe)."""
        run = self.run(PROBE, timeout_s=30)
        line = next(text for text in run.stdout.splitlines() if text.startswith(PROBE_MARK))
        return json.loads(line[len(PROBE_MARK) :])

    def leftovers(self) -> list[str]:
        """What the notebook left running after its cleanup cell (waits up to 10 s for it to end)."""
        problems = _leftovers(self.probe_before, self.probe())
        for _ in range(10):
            if not problems:
                break
            time.sleep(1)
            problems = _leftovers(self.probe_before, self.probe())
        return problems

    def __enter__(self) -> NotebookKernel:
        return self


def own_lab_home(folder: Path) -> dict[str, str]:
    """The environment of a kernel with a ``LAB_HOME`` of its own in ``folder`` (the lab's resolved jars
    copied in), so it can run beside nbval's run of the same notebook: 06 resets and rewrites its history
    under ``LAB_HOME``, and two runs of it in one ``.lab`` would write one history twice."""
    shared, home = load_config().lab_home, folder / ".lab"
    if (shared / "jvm").is_dir():
        shutil.copytree(shared / "jvm", home / "jvm")
    return {"LAB_HOME": str(home)}
