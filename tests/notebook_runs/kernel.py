"""Run a notebook's cells one at a time in a fresh kernel, any cell's source swapped for another.

nbval runs a notebook as it is written. The student-copy run and the wrong-answer run need more: run a
cell with other code (a wrong answer, then the right one), run its check again, and read what a failed
cell showed (one ✗ line, or a traceback). This is that runner, on jupyter_client, as nbval does.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import start_new_kernel

from tests.lab_processes import PROBE, PROBE_MARK, _leftovers

# Output a student should never see in a cell: JVM log lines, Python warnings, Java stack frames.
NOISE = re.compile(r"\bWARN\b|Warning:|WARNING|Exception in thread|at org\.apache\.")
CELL_TIMEOUT_S = 120.0


@dataclass
class CellRun:
    """What one cell printed, and the error it ended with (None when it ran through)."""

    source: str
    stdout: str = ""
    stderr: str = ""
    error: dict[str, Any] | None = None
    shown: list[str] = field(default_factory=list)  # text/plain of display_data and execute_result

    @property
    def one_line_error(self) -> str | None:
        """The ✗ line when the cell failed with exactly one ✗ line and no traceback, else None."""
        if self.error is None:
            return None
        lines = [_strip_ansi(line) for line in self.error.get("traceback", [])]
        return lines[0] if len(lines) == 1 and lines[0].startswith("✗ ") else None

    def describe(self) -> str:
        """What went wrong, short enough for a test's failure message."""
        if self.error is not None:
            shown = "\n".join(_strip_ansi(line) for line in self.error.get("traceback", []))
            return f"{self.error['ename']}: {shown[-1500:]}"
        return f"stdout={self.stdout[-500:]!r} stderr={self.stderr[-500:]!r}"

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


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


class NotebookKernel:
    """A fresh IPython kernel in ``cwd``; ``run(source)`` executes one cell and returns its CellRun."""

    def __init__(self, cwd: Path) -> None:
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(cwd))
        self.probe_before = self.probe()

    def run(self, source: str, timeout_s: float = CELL_TIMEOUT_S) -> CellRun:
        result = CellRun(source)

        def collect(message: dict[str, Any]) -> None:
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                if content["name"] == "stderr":
                    result.stderr += content["text"]
                else:
                    result.stdout += content["text"]
            elif kind == "error":
                result.error = content
            elif kind in ("display_data", "execute_result"):
                result.shown.append(content.get("data", {}).get("text/plain", ""))

        try:
            self.client.execute_interactive(
                source, timeout=timeout_s, output_hook=collect, allow_stdin=False, store_history=True
            )
        except TimeoutError:
            self.manager.interrupt_kernel()
            time.sleep(2)
            result.error = {"ename": "CellTimeout", "evalue": f"ran over {timeout_s:.0f} s", "traceback": []}
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

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=False)

    def __enter__(self) -> NotebookKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
