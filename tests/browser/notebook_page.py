"""Drive one notebook in JupyterLab as a student does, and judge what the page showed.

A student opens the notebook, chooses Run > Run All Cells, and watches. This module does the same with
Playwright, records what the page shows while the cells run (every picture an output displays, with the
time and whether its cell was still running), and then reads the finished page: error outputs, prompts,
styled tables, and the line the browser test's last cell printed about what was left running.
:func:`problems` turns a run into plain sentences; an empty list means the notebook behaved.
"""

from __future__ import annotations

import base64
import io
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page

from tests.browser.jupyterlab import PROBE_MARK, LabServer

CELLS = ".jp-NotebookPanel .jp-Notebook .jp-Cell"

# Installed in the page before Run All: remembers every new picture an output shows, per cell.
RECORDER = """
() => {
  if (window.__labDraws) return;
  window.__labDraws = [];
  const last = new Map();
  const scan = () => {
    document.querySelectorAll('__CELLS__').forEach((cell, index) => {
      const prompt = cell.querySelector('.jp-InputPrompt');
      const running = prompt ? prompt.textContent.includes('*') : false;
      cell.querySelectorAll('.jp-OutputArea-output img').forEach((img, nth) => {
        const src = img.getAttribute('src') || '';
        const key = index + '/' + nth;
        if (!src || last.get(key) === src) return;
        last.set(key, src);
        window.__labDraws.push({t: Date.now() / 1000, cell: index, running: running, src: src});
      });
    });
  };
  new MutationObserver(scan).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}
""".replace("__CELLS__", CELLS)

# The finished page: each cell's type, prompt, error text and pictures. Errors by textContent: JupyterLab
# skips the layout of cells far outside the view, and their innerText is then empty.
READ_CELLS = """
() => Array.from(document.querySelectorAll('__CELLS__')).map((cell, index) => ({
  index: index,
  code: cell.classList.contains('jp-CodeCell'),
  prompt: (cell.querySelector('.jp-InputPrompt') || {textContent: ''}).textContent.trim(),
  errors: Array.from(cell.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).map(o => o.textContent),
  text: Array.from(cell.querySelectorAll('.jp-OutputArea-output')).map(o => o.innerText).join('\\n'),
  images: cell.querySelectorAll('.jp-OutputArea-output img').length,
}))
""".replace("__CELLS__", CELLS)

# Every table an output shows, with each data cell's text, Styler column class and background colour.
READ_TABLES = """
() => Array.from(document.querySelectorAll('__CELLS__')).flatMap((cell, index) =>
  Array.from(cell.querySelectorAll('.jp-OutputArea-output table')).map(table => ({
    cell: index,
    headers: Array.from(table.querySelectorAll('thead th')).map(th => [th.textContent.trim(), th.className]),
    rows: Array.from(table.querySelectorAll('tbody tr')).map(tr =>
      Array.from(tr.querySelectorAll('td')).map(td =>
        [td.textContent.trim(), td.className, getComputedStyle(td).backgroundColor])),
  })))
""".replace("__CELLS__", CELLS)

TRANSPARENT = {"rgba(0, 0, 0, 0)", "transparent", ""}


@dataclass(frozen=True)
class Expect:
    """What a notebook must show besides running cleanly."""

    live_chart: bool = False  # a picture that redraws while its cell runs
    min_redraws: int = 2
    highlighted_table: bool = False  # a Styler table whose highlighted rows are exactly those above threshold


@dataclass
class Draw:
    """One picture an output showed: when (epoch seconds), in which cell, while that cell ran or not."""

    at: float
    cell: int
    running: bool
    png: bytes


@dataclass
class NotebookRun:
    """What the page showed while a notebook ran from the Run menu."""

    name: str
    opened_at: float  # epoch seconds: the student opens the notebook
    run_all_at: float = 0.0  # Run > Run All Cells clicked
    finished_at: float = 0.0
    cells: list[dict] = field(default_factory=list)
    cell_done_at: dict[int, float] = field(default_factory=dict)
    draws: list[Draw] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    waits_for_input: bool = False
    timed_out: bool = False
    dom_cells: int = 0
    file_cells: int = 0

    @property
    def probe(self) -> dict | None:
        """What the browser test's last cell found still running, or None if it did not report."""
        for cell in reversed(self.cells):
            for line in cell["text"].splitlines():
                if line.startswith(PROBE_MARK):
                    return json.loads(line[len(PROBE_MARK) :])
        return None

    def slowest_cells(self, count: int) -> dict[str, float]:
        """The ``count`` code cells that took longest (cell numbers as in the lab's notebook), in seconds."""
        took, previous = {}, self.run_all_at
        for index, done in sorted(self.cell_done_at.items(), key=lambda item: item[1]):
            if 0 < index < self.dom_cells - 1:  # not the browser test's two probe cells
                took[f"cell {index - 1}"] = round(done - previous, 1)
            previous = done
        return dict(sorted(took.items(), key=lambda item: -item[1])[:count])

    def chart_cell(self) -> int | None:
        """The cell that drew the most pictures while it ran (the live chart), if any did."""
        counts: dict[int, int] = {}
        for draw in self.draws:
            if draw.running:
                counts[draw.cell] = counts.get(draw.cell, 0) + 1
        return max(counts, key=lambda cell: counts[cell]) if counts else None


def open_notebook(page: Page, server: LabServer, notebook: str, workspace: str) -> NotebookRun:
    """Open ``notebook`` in a fresh workspace; wait until all its cells show and its kernel is idle."""
    run = NotebookRun(notebook, opened_at=time.time())
    run.file_cells = len(json.loads((server.root / notebook).read_text())["cells"])
    page.goto(server.notebook_url(notebook, workspace))
    # The status bar reads "Python 3 (ipykernel) | Idle" once the kernel has started and answered.
    page.wait_for_function(
        """cells => document.querySelectorAll('__CELLS__').length >= cells
            && /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText || '')""".replace(
            "__CELLS__", CELLS
        ),
        arg=run.file_cells,
        timeout=120_000,
        polling=250,
    )
    return run


def run_all_from_menu(page: Page, run: NotebookRun) -> None:
    """Run > Run All Cells, with the picture recorder listening."""
    page.evaluate(RECORDER)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    run.run_all_at = time.time()


def _ran(prompt: str) -> bool:
    return re.fullmatch(r"\[\d+\]:?", prompt) is not None


def wait_until_all_ran(page: Page, run: NotebookRun, timeout_s: float) -> None:
    """Wait until no cell runs any more and every code cell has run (or one failed, or waits for input)."""
    deadline = time.monotonic() + timeout_s
    time.sleep(1)  # Run All marks the cells as queued
    while True:
        cells = page.evaluate(READ_CELLS)
        now = time.time()
        for cell in cells:
            if cell["code"] and _ran(cell["prompt"]):
                run.cell_done_at.setdefault(cell["index"], now)
        running = any("*" in cell["prompt"] for cell in cells)
        all_ran = all(_ran(cell["prompt"]) for cell in cells if cell["code"])
        failed = any(cell["errors"] for cell in cells)
        run.waits_for_input = page.locator(".jp-Stdin").count() > 0
        run.dialogs = page.locator(".jp-Dialog").all_inner_texts()
        if run.waits_for_input or run.dialogs or (not running and (all_ran or failed)):
            break
        if time.monotonic() > deadline:
            run.timed_out = True
            break
        time.sleep(0.5)
    _finish(page, run)


def _finish(page: Page, run: NotebookRun) -> None:
    """Read the finished page: its cells, tables and the pictures recorded while the cells ran."""
    run.waits_for_input = page.locator(".jp-Stdin").count() > 0
    run.dialogs = page.locator(".jp-Dialog").all_inner_texts()
    run.finished_at = time.time()
    run.cells = page.evaluate(READ_CELLS)
    run.tables = page.evaluate(READ_TABLES)
    run.dom_cells = len(run.cells)
    run.draws = [
        Draw(item["t"], item["cell"], item["running"], _png(item["src"]))
        for item in page.evaluate("() => window.__labDraws || []")
    ]


def run_cell_by_cell(page: Page, run: NotebookRun, timeout_s: float) -> None:
    """Run each cell in turn as a student does (select it, Ctrl+Enter, wait for it), errors and all.

    Run All stops at the first error, so a student copy with unsolved exercises is run this way.
    """
    page.evaluate(RECORDER)
    run.run_all_at = time.time()
    deadline = time.monotonic() + timeout_s
    for index in range(run.file_cells):
        cell = page.locator(CELLS).nth(index)
        cell.locator(
            ".jp-InputPrompt"
        ).click()  # selects the cell in command mode, as a click in the margin does
        page.keyboard.press("Control+Enter")  # run it and stay on it (Shift+Enter adds a cell after the last)
        while not run.timed_out:
            shown = page.evaluate(READ_CELLS)[index]
            if not shown["code"] or (_ran(shown["prompt"]) and "*" not in shown["prompt"]):
                run.cell_done_at[index] = time.time()
                break
            run.timed_out = time.monotonic() > deadline
            time.sleep(0.5)
        if run.timed_out:
            break
    _finish(page, run)


def _png(src: str) -> bytes:
    head, _, data = src.partition(",")
    return base64.b64decode(data) if head.endswith(";base64") else b""


def run_notebook(
    page: Page, server: LabServer, notebook: str, workspace: str, timeout_s: float
) -> NotebookRun:
    """Open, Run All from the menu, and wait: the whole student's session with one notebook."""
    run = open_notebook(page, server, notebook, workspace)
    run_all_from_menu(page, run)
    wait_until_all_ran(page, run, timeout_s)
    return run


# ---- judging the run ---------------------------------------------------------------------------------


def alert_marks(png: bytes, colour: str, core: int = 5) -> int:
    """How many solid dots of ``colour`` a picture holds (alert markers and their legend entry).

    A pixel belongs to a dot when the whole ``core`` x ``core`` square around it has the colour: the
    dashed threshold line and thin plot lines in the same colour have no such square, dots do.
    """
    if not png:
        return 0
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    coloured = np.abs(rgb - target).sum(axis=2) <= 40
    height, width = coloured.shape
    if height < core or width < core:
        return 0
    solid = np.ones((height - core + 1, width - core + 1), dtype=bool)
    for dy in range(core):
        for dx in range(core):
            solid &= coloured[dy : dy + height - core + 1, dx : dx + width - core + 1]
    remaining = set(zip(*(axis.tolist() for axis in np.nonzero(solid)), strict=True))
    dots = 0
    while remaining:  # connected groups of solid pixels: one per dot (touching dots count once)
        dots += 1
        stack = [remaining.pop()]
        while stack:
            y, x = stack.pop()
            for neighbour in ((y + dy, x + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)):
                if neighbour in remaining:
                    remaining.remove(neighbour)
                    stack.append(neighbour)
    return dots


def first_alert_draw(run: NotebookRun, colour: str, marks_without_alerts: int) -> Draw | None:
    """The first live-chart picture that shows an alert dot (``draw.at - run.opened_at``: seconds from
    opening the notebook)."""
    chart = run.chart_cell()
    for draw in run.draws:
        if draw.cell == chart and alert_marks(draw.png, colour) > marks_without_alerts:
            return draw
    return None


def _number(text: str) -> float | None:
    found = re.search(r"-?\d+(?:\.\d+)?", text.replace(",", ""))
    return float(found.group()) if found else None


def highlighted_rows(table: dict) -> list[tuple[bool, float | None]]:
    """(highlighted?, suhu) for each row of a table that has a ``suhu`` column."""
    column = None
    for text, classes in table["headers"]:
        match = re.search(r"\bcol(\d+)\b", classes)
        if text == "suhu" and match:
            column = f"col{match.group(1)}"
    if column is None:
        return []
    rows = []
    for row in table["rows"]:
        highlighted = any(background not in TRANSPARENT for _, _, background in row)
        suhu = next((_number(text) for text, classes, _ in row if column in classes.split()), None)
        rows.append((highlighted, suhu))
    return rows


def problems(run: NotebookRun, expect: Expect, threshold: float, expected_error: str = "") -> list[str]:
    """Everything a student would see go wrong in this run, one sentence each (empty: all good).

    ``expected_error``: errors that contain it are expected (a student copy's "not done yet" lines).
    """
    found = []
    if run.dom_cells != run.file_cells:
        found.append(f"the page shows {run.dom_cells} cells, the notebook has {run.file_cells}")
    if run.timed_out:
        busy = [cell["index"] for cell in run.cells if "*" in cell["prompt"]]
        found.append(f"cells {busy} were still running after {run.finished_at - run.run_all_at:.0f} s")
    if run.waits_for_input:
        found.append("a cell waits for keyboard input")
    found += [f"a dialog opened: {text[:200]!r}" for text in run.dialogs]
    for cell in run.cells:
        for error in cell["errors"]:
            if expected_error and expected_error in error:
                continue
            found.append(f"cell {cell['index']} shows an error output: {error[-600:]!r}")
    not_run = [cell["index"] for cell in run.cells if cell["code"] and not _ran(cell["prompt"])]
    if not_run and not run.timed_out:
        found.append(f"code cells {not_run} did not run")
    probe = run.probe
    if probe is None:
        found.append("the last cell did not report what was left running")
    else:
        left = [f"thread {name!r}" for name in probe["threads"]]
        left += [f"streaming query {name!r}" for name in probe["queries"]]
        left += [f"child process {name!r}" for name in probe["children"]]
        left += ["a Spark session"] if probe["spark"] else []
        if left:
            found.append(f"after the cleanup cell these still run: {', '.join(left)}")
    if expect.live_chart:
        found += _chart_problems(run, expect.min_redraws)
    if expect.highlighted_table:
        found += _table_problems(run, threshold)
    return found


def _chart_problems(run: NotebookRun, min_redraws: int) -> list[str]:
    chart = run.chart_cell()
    if chart is None:
        return ["no picture was drawn while a cell ran: there is no live chart"]
    drawn = [draw for draw in run.draws if draw.cell == chart and draw.running]
    found = []
    if len(drawn) - 1 < min_redraws:
        found.append(
            f"the live chart (cell {chart}) drew {len(drawn)} picture(s) while its cell ran: it must redraw"
            f" at least {min_redraws} times"
        )
    shown = run.cells[chart]["images"] if chart < len(run.cells) else 0
    if len(drawn) > 1 and shown >= len(drawn):
        found.append(f"the live chart (cell {chart}) added {shown} pictures instead of redrawing in place")
    return found


def _table_problems(run: NotebookRun, threshold: float) -> list[str]:
    styled = [(table, highlighted_rows(table)) for table in run.tables]
    styled = [(table, rows) for table, rows in styled if any(highlighted for highlighted, _ in rows)]
    if not styled:
        return ["no table shows a highlighted row with a suhu column"]
    found = []
    for table, rows in styled:
        wrong = [
            suhu
            for highlighted, suhu in rows
            if suhu is None or highlighted != (suhu > threshold)  # highlighted exactly when above threshold
        ]
        if wrong:
            found.append(f"the table in cell {table['cell']} highlights the wrong rows (suhu {wrong[:5]})")
    return found


# ---- pictures -----------------------------------------------------------------------------------------


def screenshot(page: Page, run: NotebookRun, path: Path) -> None:
    """The page scrolled to its live chart (or its last picture or table, else its longest output)."""
    focus = run.chart_cell()
    if focus is None:
        shown = [cell["index"] for cell in run.cells if cell["images"]] + [t["cell"] for t in run.tables]
        own = run.cells[1:-1]  # not the browser test's two probe cells
        longest = max(own, key=lambda cell: len(cell["text"]), default={"index": 0})["index"]
        focus = max(shown) if shown else longest
    page.locator(CELLS).nth(focus).scroll_into_view_if_needed()
    page.locator(CELLS).nth(focus).evaluate("cell => cell.scrollIntoView({block: 'start'})")
    time.sleep(0.5)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def chart_and_table_picture(page: Page, run: NotebookRun, path: Path, max_bytes: int = 150_000) -> int:
    """A small PNG of the live chart and the first highlighted table below it, as the page shows them."""
    chart = run.chart_cell()
    tables = [t["cell"] for t in run.tables if any(h for h, _ in highlighted_rows(t))]
    below = [cell for cell in tables if chart is not None and cell >= chart]  # or in the chart's cell
    if chart is None or not below:
        raise AssertionError("no live chart with a highlighted table below it to take a picture of")
    cells = page.locator(CELLS)
    outputs = cells.nth(chart).locator(".jp-OutputArea")  # the chart's output, without its code above
    outputs.evaluate("area => area.scrollIntoView({block: 'start'})")
    time.sleep(0.5)
    top = outputs.bounding_box()
    bottom = cells.nth(below[0]).locator(".jp-OutputArea").bounding_box()
    if top is None or bottom is None:
        raise AssertionError("the chart or the table is not on screen")
    image = outputs.locator("img").last.bounding_box() or top
    clip = {
        "x": top["x"],
        "y": top["y"],
        "width": max(image["x"] + image["width"], bottom["x"] + bottom["width"]) - top["x"] + 8,
        "height": bottom["y"] + bottom["height"] - top["y"] + 8,
    }
    viewport = page.viewport_size or {"height": 0}
    if clip["y"] + clip["height"] > viewport["height"]:
        raise AssertionError("the chart and the table do not fit on one screen: use a taller viewport")
    picture = Image.open(io.BytesIO(page.screenshot(clip=clip)))
    small = picture.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    path.parent.mkdir(parents=True, exist_ok=True)
    small.save(path, optimize=True)
    size = path.stat().st_size
    if size > max_bytes:
        raise AssertionError(f"{path} is {size} bytes, more than {max_bytes}")
    return size
