"""Charts and tables: the threshold line, alert markers and highlighted rows."""

from __future__ import annotations

import pandas as pd

from lab_utils.plotting import ALERT_COLOUR, figure_png, highlight_alerts, readings_figure


def _readings() -> pd.DataFrame:
    times = pd.date_range("2026-11-27 10:00", periods=4, freq="s")
    return pd.DataFrame(
        {
            "sensor_id": ["S1", "S1", "S2", "S2"],
            "suhu": [70.0, 85.5, 80.0, 81.0],
            "event_time": [times[0], times[1], times[0], times[1]],
        }
    )


def test_figure_has_a_line_per_sensor_the_threshold_and_alert_points() -> None:
    figure = readings_figure(_readings(), threshold=80.0)
    axes = figure.axes[0]
    labels = [line.get_label() for line in axes.get_lines()]
    assert labels[:2] == ["S1", "S2"]
    threshold_lines = [line for line in axes.get_lines() if list(line.get_ydata()) == [80.0, 80.0]]
    assert threshold_lines and threshold_lines[0].get_color() == ALERT_COLOUR
    alert_points = axes.collections[0].get_offsets()
    assert sorted(y for _, y in alert_points) == [81.0, 85.5]  # 80.0 is not an alert


def test_empty_readings_still_draw() -> None:
    figure = readings_figure(pd.DataFrame(columns=["sensor_id", "suhu", "event_time"]))
    assert figure_png(figure).startswith(b"\x89PNG")


def test_styler_highlights_exactly_the_rows_above_the_threshold() -> None:
    html = highlight_alerts(_readings(), 80.0).to_html()
    style_block = html.split("</style>")[0]
    selectors = style_block.split("{")[0]  # the one rule: every highlighted cell's id
    rows = {int(token.split("_col")[0]) for token in selectors.split("_row")[1:]}
    assert "ffd6d6" in style_block
    assert rows == {1, 3}  # 85.5 and 81.0; 70.0 and exactly 80.0 stay plain
