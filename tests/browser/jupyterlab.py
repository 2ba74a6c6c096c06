"""JupyterLab for the browser test, started exactly as a student starts it: ``make lab``.

The only additions are passed through the Makefile's ``LAB_ARGS``: a free port, no browser window, a
COPY of the notebooks as the root folder (JupyterLab autosaves a notebook run in the page, outputs and
all, so the committed notebooks are never served), and fresh user-settings and workspace folders (a new
student's JupyterLab, unaffected by whoever ran it on this machine before). Token authentication and
the loopback address come from the lab's own server configuration, as in class.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
from nbformat import NotebookNode

from lab_utils.config import PROJECT_ROOT
from tests.conftest import free_port_block

START_TIMEOUT_S = 180.0  # `make lab` on a warm clone answers in seconds; a cold venv install is not this test
PROBE_MARK = "BROWSER-PROBE "

# The first cell the browser test adds to its copy of a notebook: what runs before the notebook starts.
PROBE_BEFORE = """# Added by the browser test (not in the lab's notebook): threads that run before it.
import threading as _browser_threading
_browser_threads_before = {thread.ident for thread in _browser_threading.enumerate()}"""

# The last cell it adds, after the notebook's cleanup cell: what the notebook left running.
PROBE_AFTER = """# Added by the browser test (not in the lab's notebook): what runs after the cleanup cell.
def _browser_probe():
    import json, sys, threading, time
    import psutil
    kernel_threads = {"IPythonHistorySavingThread"}  # IPython starts it by itself, on its first save
    deadline = time.monotonic() + 15  # a stopped thread or JVM may need a moment to end
    while True:
        threads = sorted(
            f"{t.name} ({type(t).__module__}.{type(t).__qualname__}, target {getattr(t, '_target', None)!r})"
            for t in threading.enumerate()
            if t.ident not in _browser_threads_before and t.name not in kernel_threads
        )
        children = [p.name() for p in psutil.Process().children(recursive=True) if p.is_running()]
        queries, spark = [], False
        if "pyspark" in sys.modules:
            from pyspark import SparkContext
            from pyspark.sql import SparkSession
            spark = SparkContext._active_spark_context is not None
            session = SparkSession.getActiveSession() if spark else None
            queries = [query.name or str(query.id) for query in session.streams.active] if session else []
        left = {"threads": threads, "children": children, "queries": queries, "spark": spark}
        if not (threads or children or queries or spark) or time.monotonic() > deadline:
            print("BROWSER-PROBE " + json.dumps(left))
            return
        time.sleep(0.5)
_browser_probe()"""


def copy_notebook(
    source: Path, target_dir: Path, change: Callable[[NotebookNode], NotebookNode] | None = None
) -> Path:
    """Copy ``source`` into ``target_dir`` with the two probe cells added (first and last).

    ``change``: a function that turns the notebook into the one to copy (the student copy, for example).
    """
    notebook = nbformat.read(source, as_version=4)
    if change is not None:
        notebook = change(notebook)
    target_dir.mkdir(parents=True, exist_ok=True)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(PROBE_BEFORE))
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE_AFTER))
    target = target_dir / source.name
    nbformat.write(notebook, target)
    return target


@dataclass
class LabServer:
    """A running ``make lab`` JupyterLab: where it answers, and how long it took to answer."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    seconds_to_answer: float

    def api(self, method: str, path: str) -> tuple[int, object]:
        """Call the server's REST API with the token; returns (status, decoded JSON or None)."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                return response.status, json.loads(body) if body else None
        except urllib.error.HTTPError as error:
            return error.code, None

    def shutdown_kernels(self) -> None:
        """Shut down every kernel (the next notebook gets a fresh one, as a student's would)."""
        _, kernels = self.api("GET", "/api/kernels")
        for kernel in kernels or []:
            self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def notebook_url(self, notebook: str, workspace: str) -> str:
        """The URL that opens ``notebook`` in a new, empty workspace (old tabs would stay open otherwise)."""
        return f"{self.url}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={self.token}"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def make_lab(root: Path, log_path: Path, env: dict[str, str] | None = None) -> Iterator[LabServer]:
    """Run ``make lab`` serving ``root``; stop it (and every process it started) when the block ends."""
    port, token = free_port_block(1), secrets.token_hex(16)
    (root / ".user-settings").mkdir(exist_ok=True)
    (root / ".workspaces").mkdir(exist_ok=True)
    lab_args = " ".join(
        [
            "--no-browser",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={root / '.user-settings'}",
            f"--LabApp.workspaces_dir={root / '.workspaces'}",
        ]
    )
    environment = {**os.environ, **(env or {}), "JUPYTER_TOKEN": token}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    make = shutil.which("make") or "make"
    with log_path.open("w") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            [make, "--no-print-directory", "lab", f"LAB_ARGS={lab_args}"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped as one, never anyone else's
        )
        url = f"http://127.0.0.1:{port}"
        try:
            while not _answers(f"{url}/lab?token={token}"):
                if process.poll() is not None:
                    raise RuntimeError(f"`make lab` exited with {process.returncode}: see {log_path}")
                if time.monotonic() - started > START_TIMEOUT_S:
                    raise RuntimeError(
                        f"JupyterLab did not answer in {START_TIMEOUT_S:.0f} s, see {log_path}"
                    )
                time.sleep(0.1)
            server = LabServer(url, token, root, process, time.monotonic() - started)
            yield server
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop ``make lab`` as Ctrl-C would not (no confirmation): SIGTERM to its group, then leftovers."""
    try:
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # Jupyter shuts its kernels down on SIGTERM
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)
    _, alive = psutil.wait_procs(family, timeout=15)
    for leftover in alive:  # only processes this server started (kernels, their JVMs)
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
