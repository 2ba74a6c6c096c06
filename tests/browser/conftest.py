"""Fixtures of the browser test: one ``make lab`` JupyterLab and one Chromium for the whole run.

The browser test runs only when asked for (``make test-browser``, or ``pytest tests/browser``): a plain
``pytest`` (``make test``) does not collect it, so the headless suite needs no browser. Figures it
measures are printed at the end and written to ``results/browser/timings.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from lab_utils.config import LANGUAGE_MARK, PROJECT_ROOT, load_config
from lab_utils.stack.student import student_copy
from tests.browser.jupyterlab import LabServer, copy_notebook, make_lab

HERE = Path(__file__).resolve().parent
RESULTS = PROJECT_ROOT / "results" / "browser"
FIXTURES = HERE / "fixtures"
FIGURES: dict[str, object] = {}
STUDENT_DIR = "student"  # the lab root's folder of student copies (exercises unsolved)


def _asked_for(config: pytest.Config) -> bool:
    """True when the command line names tests/browser (or something in it)."""
    for argument in config.args:
        path = Path(argument.split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path == FIXTURES:
        return True  # notebooks the browser test opens, not notebooks for nbval
    if collection_path.name.startswith("test_") and not _asked_for(config):
        return True  # `make test` runs without a browser; `make test-browser` asks for this folder
    return None


def chromium_executable() -> str | None:
    """The system's Chromium (Debian's `chromium` package), or None for Playwright's own build.

    ``LAB_CHROMIUM`` may name another Chromium or Chrome binary, or say ``playwright`` for the build that
    ``python -m playwright install chromium`` downloads (where downloads are allowed, e.g. GitHub Actions).
    """
    named = os.environ.get("LAB_CHROMIUM", "").strip()
    if named == "playwright":
        return None
    if named:
        return named
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def topic() -> Iterator[str]:
    """The topic the notebooks use here: a new one of their own, like a student's laptop broker.

    The headless run faces the untidy classroom topic; this test is about the page, and its figures and
    picture should show one student's sensors. ``LAB_TOPIC``, if set, is used as it is instead.
    """
    if os.environ.get("LAB_TOPIC", "").strip():
        yield os.environ["LAB_TOPIC"].strip()
        return
    from lab_utils.clients import admin_client
    from lab_utils.reference.topics import ensure_topic

    name = f"browser-{uuid.uuid4().hex[:8]}"
    config = replace(load_config(), topic=name, dlq_topic=f"{name}-dlq")
    ensure_topic(name, config=config)
    try:
        yield name
    finally:
        with admin_client(config) as admin:  # only the two topics this run created
            existing = set(admin.list_topics())
            admin.delete_topics([t for t in (config.topic, config.dlq_topic) if t in existing])


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory, topic: str) -> Iterator[LabServer]:
    """``make lab`` serving a copy of the notebooks (and the test's fixture notebooks)."""
    root = tmp_path_factory.mktemp("lab-root")
    notebooks = PROJECT_ROOT / "notebooks"
    for notebook in sorted(notebooks.glob("*.ipynb")) + sorted(FIXTURES.glob("*.ipynb")):
        copy_notebook(notebook, root)
    for notebook in sorted(notebooks.glob("*.ipynb")):  # what `make student` hands out, as a student gets it
        copy_notebook(notebook, root / STUDENT_DIR, change=student_copy)
    for twin in sorted((notebooks / "id").glob("*.ipynb")):  # the Indonesian twins, with their language mark
        copy_notebook(twin, root / "id")
    shutil.copyfile(notebooks / "id" / LANGUAGE_MARK, root / "id" / LANGUAGE_MARK)
    with make_lab(root, RESULTS / "jupyterlab.log", env={"LAB_TOPIC": topic}) as server:
        FIGURES["make_lab_to_answer_s"] = round(server.seconds_to_answer, 1)
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the run."""
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    args = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium's sandbox refuses to run as root
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=args)
        except Exception as error:  # one plain sentence instead of Playwright's page of text
            pytest.fail(
                f"Chromium did not start ({error.__class__.__name__}): install it with "
                "`apt-get install chromium` or set LAB_CHROMIUM to a Chromium or Chrome binary."
            )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, lab: LabServer) -> Iterator[object]:
    """A fresh browser tab (a new student); every kernel is shut down after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 1100}, device_scale_factor=1)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
        lab.shutdown_kernels()


@pytest.fixture
def workspace() -> str:
    """A new JupyterLab workspace name: no tab from an earlier test is restored."""
    return f"browser-{uuid.uuid4().hex[:8]}"


def pytest_terminal_summary(terminalreporter) -> None:
    if not FIGURES:
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "timings.json").write_text(json.dumps(FIGURES, indent=2) + "\n")
    terminalreporter.section("browser test figures")
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name}: {value}")
    terminalreporter.write_line(f"(written to {RESULTS / 'timings.json'})")
