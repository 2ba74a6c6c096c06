"""A student's session in a real browser: JupyterLab as ``make lab`` starts it, notebooks run from the menu.

nbval runs the kernels headless; this runs the page a student sees. For each notebook below: open it,
Run > Run All Cells, wait until every code cell has run, then require no error output, no cell waiting
for input, and nothing left running after the cleanup cell. Notebook 04 must also redraw its live chart
while the stream runs and show a table whose highlighted rows are exactly the alerts. A screenshot per
notebook goes to ``results/browser/``; notebook 04's chart and table also become the README's picture
(``LAB_UPDATE_DOCS=1`` writes it to ``docs/notebook-04.png``).

A student copy of 04 (exercises unsolved) runs cell by cell, as Run All stops at its first "not done yet";
the Indonesian twin of 04 runs from the menu like the English one.

The last tests check the check: a notebook whose chart draws only once must fail it.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request

import nbformat
import pytest

from lab_utils.config import PROJECT_ROOT, load_config
from lab_utils.plotting import ALERT_COLOUR
from tests.browser.conftest import FIGURES, RESULTS, STUDENT_DIR
from tests.browser.jupyterlab import LabServer
from tests.browser.notebook_page import (
    Expect,
    alert_marks,
    chart_and_table_picture,
    first_alert_draw,
    open_notebook,
    problems,
    run_cell_by_cell,
    run_notebook,
    screenshot,
)
from tests.notebook_runs.exercises import exercise_cells

NOTEBOOKS = {  # the notebooks a new student starts with that fit in about four minutes together
    "00_environment_check.ipynb": Expect(),
    "01_create_topic.ipynb": Expect(),
    "02_producer.ipynb": Expect(),
    "03_live_consumer.ipynb": Expect(),
    "04_spark_streaming.ipynb": Expect(live_chart=True, highlighted_table=True),
    "id/04_spark_streaming.ipynb": Expect(live_chart=True, highlighted_table=True),  # the Indonesian twin
}
NOT_DONE = "Not done yet"  # the one line an unsolved exercise's check shows
NOTEBOOK_TIMEOUT_S = 300.0
README_PICTURE = PROJECT_ROOT / "docs" / "notebook-04.png"

pytestmark = pytest.mark.timeout(NOTEBOOK_TIMEOUT_S + 120)


def marks_without_alerts() -> int:
    """Alert-coloured dots the lab's chart shows when no reading is an alert (its legend entry)."""
    import pandas as pd

    from lab_utils.plotting import figure_png, readings_figure

    calm = pd.DataFrame(
        {
            "event_time": pd.date_range("2026-01-01", periods=8, freq="1s", tz="UTC"),
            "sensor_id": ["S1", "S2"] * 4,
            "suhu": [70.0, 71.0, 72.0, 73.0, 70.5, 71.5, 72.5, 73.5],
        }
    )
    return alert_marks(figure_png(readings_figure(calm, 80.0)), ALERT_COLOUR)


def test_jupyterlab_opens_without_a_news_popup_and_asks_for_the_token(lab: LabServer, page) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:  # `make lab` keeps Jupyter's token auth
        urllib.request.urlopen(f"{lab.url}/api/contents", timeout=10)
    assert refused.value.code == 403
    page.goto(f"{lab.url}/lab/workspaces/browser-news?reset&token={lab.token}")
    page.wait_for_selector("#jp-main-dock-panel", timeout=120_000)
    time.sleep(5)  # the announcements plugin asks once JupyterLab is restored
    assert page.get_by_text("official Jupyter news").count() == 0
    assert page.locator(".jp-toast-message").count() == 0, page.locator(".jp-toast-message").all_inner_texts()


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_notebook_runs_from_the_run_menu(lab: LabServer, page, workspace: str, notebook: str) -> None:
    expect = NOTEBOOKS[notebook]
    run = run_notebook(page, lab, notebook, workspace, NOTEBOOK_TIMEOUT_S)
    stem = notebook.removesuffix(".ipynb").replace("/", "-")
    screenshot(page, run, RESULTS / f"{stem}.png")
    FIGURES[f"{stem}_run_all_s"] = round(run.finished_at - run.run_all_at, 1)
    FIGURES[f"{stem}_slowest_cells_s"] = run.slowest_cells(4)
    if expect.live_chart:
        first_alert = first_alert_draw(run, ALERT_COLOUR, marks_without_alerts())
        if first_alert is not None:  # the picture that counted, to look at
            (RESULTS / f"{stem}-first-alert.png").write_bytes(first_alert.png)
        seconds = round(first_alert.at - run.opened_at, 1) if first_alert else None
        chart = [draw.at for draw in run.draws if draw.cell == run.chart_cell()]
        FIGURES[f"{stem}_open_to_first_chart_s"] = round(chart[0] - run.opened_at, 1)
        FIGURES[f"{stem}_open_to_first_alert_on_chart_s"] = seconds
        FIGURES[f"{stem}_chart_pictures"] = sum(draw.cell == run.chart_cell() for draw in run.draws)
    found = problems(run, expect, load_config().threshold)
    assert not found, f"{notebook} in the browser:\n- " + "\n- ".join(found)
    if expect.live_chart:
        assert FIGURES[f"{stem}_open_to_first_alert_on_chart_s"], "the live chart never showed an alert dot"
    if expect.live_chart and expect.highlighted_table:
        targets = [RESULTS / f"{stem}-chart-and-table.png"]
        if os.environ.get("LAB_UPDATE_DOCS") == "1":
            targets.append(README_PICTURE)
        for target in targets:
            FIGURES[f"{target.name}_bytes"] = chart_and_table_picture(page, run, target)


def test_a_student_copy_of_04_runs_cell_by_cell_with_its_exercises_unsolved(
    lab: LabServer, page, workspace: str
) -> None:
    """The copy `make student` hands out, run cell by cell as a student does (Run All stops at an error):
    one "not done yet" line per exercise, and the same live chart and highlighted table, which fall back to
    the reference answer."""
    name = "04_spark_streaming.ipynb"
    run = open_notebook(page, lab, f"{STUDENT_DIR}/{name}", workspace)
    run_cell_by_cell(page, run, NOTEBOOK_TIMEOUT_S)
    screenshot(page, run, RESULTS / "student-04.png")
    FIGURES["student_04_cell_by_cell_s"] = round(run.finished_at - run.run_all_at, 1)
    found = problems(run, NOTEBOOKS[name], load_config().threshold, expected_error=NOT_DONE)
    assert not found, "the student copy of 04 in the browser:\n- " + "\n- ".join(found)
    not_done = [error for cell in run.cells for error in cell["errors"] if NOT_DONE in error]
    exercises = exercise_cells(nbformat.read(PROJECT_ROOT / "notebooks" / name, as_version=4))
    assert len(not_done) == len(exercises), f"{len(exercises)} exercises, 'not done yet' lines: {not_done}"
    assert all(len(error.strip().splitlines()) == 1 for error in not_done), not_done


# ---- the check of the check ---------------------------------------------------------------------------
# Two small notebooks without Kafka or Spark: one redraws its chart and highlights a table like notebook 04,
# one draws its chart once and shows a table without highlighting. The same judgement must pass the first
# and name both faults of the second.

LIVE = Expect(live_chart=True, highlighted_table=True)


def test_the_check_passes_a_chart_that_redraws(lab: LabServer, page, workspace: str) -> None:
    run = run_notebook(page, lab, "browser_fixture_redraws.ipynb", workspace, 120)
    assert problems(run, LIVE, 80.0) == []
    assert first_alert_draw(run, ALERT_COLOUR, marks_without_alerts()) is not None


def test_the_check_fails_a_chart_that_draws_once(lab: LabServer, page, workspace: str) -> None:
    run = run_notebook(page, lab, "browser_fixture_draws_once.ipynb", workspace, 120)
    found = problems(run, LIVE, 80.0)
    assert any("drew 1 picture(s) while its cell ran" in problem for problem in found), found
    assert any("no table shows a highlighted row" in problem for problem in found), found
    assert len(found) == 2, found  # and nothing else: the notebook itself ran cleanly
