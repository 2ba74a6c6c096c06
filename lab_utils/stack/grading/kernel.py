"""Run a notebook's cells one at a time in a fresh IPython kernel, and keep what each cell showed.

nbclient runs a notebook top to bottom; grading and the notebook tests need more: run a cell with other
code (a student's answer, a wrong answer), time each cell out on its own, notice a kernel that died, and
read what a failed cell showed (one ✗ line, or a traceback). This is that runner, on jupyter_client.
The tests in ``tests/notebook_runs`` use it too (with their own probe for leftovers).
"""

from __future__ import annotations

import os
import queue
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import start_new_kernel

CELL_TIMEOUT_S = 120.0
KERNEL_START_TIMEOUT_S = 90.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_OUTPUT_MESSAGES = {
    "stream",
    "error",
    "display_data",
    "execute_result",
    "clear_output",
    "update_display_data",
}


def strip_ansi(text: str) -> str:
    """Text without terminal colour codes."""
    return _ANSI.sub("", text)


@dataclass
class CellRun:
    """What one cell printed, and the error it ended with (None when it ran through)."""

    source: str
    stdout: str = ""
    stderr: str = ""
    error: dict[str, Any] | None = None
    shown: list[str] = field(default_factory=list)  # text/plain of display_data and execute_result
    outputs: list[dict[str, Any]] = field(default_factory=list)  # as nbformat stores them in the cell
    execution_count: int | None = None
    seconds: float = 0.0

    @property
    def ename(self) -> str | None:
        """The error's class name (``SelfCheckFailed``, ``NotDoneYet``, ``CellTimeout``...), or None."""
        return None if self.error is None else str(self.error.get("ename", ""))

    @property
    def one_line_error(self) -> str | None:
        """The ✗ line when the cell failed with exactly one ✗ line and no traceback, else None."""
        if self.error is None:
            return None
        lines = [strip_ansi(line) for line in self.error.get("traceback", [])]
        return lines[0] if len(lines) == 1 and lines[0].startswith("✗ ") else None

    def describe(self) -> str:
        """What went wrong, short enough for a test's failure message."""
        if self.error is not None:
            shown = "\n".join(strip_ansi(line) for line in self.error.get("traceback", []))
            return f"{self.error['ename']}: {shown[-1500:]}"
        return f"stdout={self.stdout[-500:]!r} stderr={self.stderr[-500:]!r}"


class _Outputs:
    """A cell's outputs as a notebook keeps them: clear_output and display updates honoured."""

    def __init__(self, into: list[dict[str, Any]]) -> None:
        self.outputs = into
        self.display_ids: list[str | None] = []  # beside each output: the display id it can be updated by
        self.clear_pending = False

    def clear(self) -> None:
        self.outputs.clear()
        self.display_ids.clear()
        self.clear_pending = False

    def add(self, message: dict[str, Any]) -> None:
        kind, content = message["msg_type"], message["content"]
        display_id = content.get("transient", {}).get("display_id")
        if kind == "clear_output":
            self.clear_pending = bool(content.get("wait"))
            if not self.clear_pending:
                self.clear()
            return
        if kind == "update_display_data":
            for output, shown_id in zip(self.outputs, self.display_ids, strict=True):
                if display_id and shown_id == display_id:
                    output["data"], output["metadata"] = content["data"], content.get("metadata", {})
            return
        if self.clear_pending:
            self.clear()
        output = dict(nbformat.v4.output_from_msg(message))
        last = self.outputs[-1] if self.outputs else None
        if kind == "stream" and last and last["output_type"] == "stream" and last["name"] == output["name"]:
            last["text"] += output["text"]
        else:
            self.outputs.append(output)
            self.display_ids.append(display_id)


class NotebookKernel:
    """A fresh IPython kernel in ``cwd``; ``run(source)`` executes one cell and returns its CellRun.

    ``env`` adds to (or overrides) this process's environment for the kernel: the grader points each
    run at its own ``LAB_HOME`` and topics that way.
    """

    cell_run: type[CellRun] = CellRun

    def __init__(self, cwd: Path, env: Mapping[str, str] | None = None) -> None:
        options: dict[str, Any] = {"cwd": str(cwd)}
        if env is not None:
            options["env"] = {**os.environ, **env}
        started = time.perf_counter()
        self.manager, self.client = start_new_kernel(
            startup_timeout=KERNEL_START_TIMEOUT_S, kernel_name="python3", **options
        )
        self.start_seconds = time.perf_counter() - started

    @property
    def pid(self) -> int | None:
        """The kernel's process id (the root of its process tree)."""
        process = getattr(self.manager.provisioner, "process", None)
        return getattr(process, "pid", None)

    def alive(self) -> bool:
        return bool(self.manager.is_alive())

    def run(self, source: str, timeout_s: float = CELL_TIMEOUT_S, store_history: bool = True) -> CellRun:
        """Run one cell; a cell over ``timeout_s`` is interrupted and ends with a ``CellTimeout`` error."""
        result = self.cell_run(source)
        outputs = _Outputs(result.outputs)
        started = time.perf_counter()
        msg_id = self.client.execute(source, store_history=store_history, allow_stdin=False)
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.manager.interrupt_kernel()
                time.sleep(2)
                result.error = {
                    "ename": "CellTimeout",
                    "evalue": f"ran over {timeout_s:.0f} s",
                    "traceback": [],
                }
                break
            try:
                message = self.client.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                if not self.alive():
                    result.error = {"ename": "KernelDied", "evalue": "the kernel stopped", "traceback": []}
                    break
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            if kind == "execute_input":
                result.execution_count = content.get("execution_count")
            elif kind == "stream":
                if content["name"] == "stderr":
                    result.stderr += content["text"]
                else:
                    result.stdout += content["text"]
            elif kind == "error":
                result.error = content
            elif kind in ("display_data", "execute_result"):
                result.shown.append(content.get("data", {}).get("text/plain", ""))
            if kind in _OUTPUT_MESSAGES:
                outputs.add(message)
        result.seconds = time.perf_counter() - started
        self._drain_replies()
        return result

    def _drain_replies(self) -> None:
        """Forget the shell channel's execute replies (what the cell did is read from iopub)."""
        while True:
            try:
                self.client.get_shell_msg(timeout=0.01)
            except queue.Empty:
                return

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=False)

    def __enter__(self) -> NotebookKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
