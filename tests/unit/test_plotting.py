"""Charts and tables: the threshold line, alert markers and highlighted rows."""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.colors import to_hex

from lab_utils.plotting import (
    ALERT_COLOUR,
    figure_png,
    highlight_alerts,
    local_times,
    readings_figure,
    time_format,
    zone_name,
    zone_offset,
)


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
    figure = readings_figure(pd.DataFrame(columns=["sensor_id", "suhu", "event_time"]), 80.0)
    assert figure_png(figure).startswith(b"\x89PNG")


def test_styler_highlights_exactly_the_rows_above_the_threshold() -> None:
    html = highlight_alerts(_readings(), 80.0).to_html()
    style_block = html.split("</style>")[0]
    selectors = style_block.split("{")[0]  # the one rule: every highlighted cell's id
    rows = {int(token.split("_col")[0]) for token in selectors.split("_row")[1:]}
    assert "ffd6d6" in style_block
    assert rows == {1, 3}  # 85.5 and 81.0; 70.0 and exactly 80.0 stay plain


def test_styler_shows_times_as_a_person_reads_them_without_the_index() -> None:
    frame = _readings()
    frame.loc[1, "event_time"] = pd.Timestamp("2026-11-27 10:00:01.250")
    html = highlight_alerts(frame, 80.0).to_html()
    assert ">10:00:01.250<" in html and ">10:00:00.000<" in html
    assert "2026-11-27" not in html and "250000" not in html
    assert 'class="row_heading' not in html  # the row index is hidden


def test_times_drop_what_carries_no_information() -> None:
    whole = pd.Series(pd.to_datetime(["2026-11-27 10:00:00", "2026-11-27 10:00:01", None]))
    assert [time_format(whole)(value) for value in whole] == ["10:00:00", "10:00:01", ""]
    two_days = pd.Series([pd.Timestamp("2026-11-27 23:59:59.5"), pd.Timestamp("2026-11-28")])
    assert time_format(two_days)(two_days[0]) == "2026-11-27 23:59:59.500"


def test_an_empty_table_still_styles() -> None:
    empty = pd.DataFrame({"event_time": pd.Series(dtype="datetime64[ns]"), "suhu": pd.Series(dtype=float)})
    assert "event_time" in highlight_alerts(empty, 80.0).to_html()


def test_no_sensor_line_is_alert_red_and_a_busy_chart_stays_small() -> None:
    times = pd.date_range("2026-11-27 10:00", periods=150, freq="250ms")
    sensors = ["S1", "S2", "S3", "demo-1", "S7"]
    readings = pd.DataFrame(
        {
            "sensor_id": [sensor for _ in times for sensor in sensors],
            # heating episodes of every sensor, with noise: what a live run looks like
            "suhu": [
                70.0 + 18 * max(0.0, math.sin(t / 9 + s)) + (t * 7919 + s) % 5 / 5
                for t in range(len(times))
                for s in range(len(sensors))
            ],
            "event_time": [time for time in times for _ in sensors],
        }
    )
    figure = readings_figure(readings, 80.0)
    colours = [to_hex(line.get_color()) for line in figure.axes[0].get_lines()[: len(sensors)]]
    assert ALERT_COLOUR not in colours
    png = figure_png(figure)
    assert png.startswith(b"\x89PNG") and len(png) < 48 * 1024  # under 64 KiB once base64-encoded


def test_the_table_shows_local_time_and_says_which() -> None:
    frame = _readings()  # times without a zone: UTC, as the lab's Spark session returns them
    frame.loc[1, "event_time"] = pd.Timestamp("2026-11-27 10:00:01.250")
    html = highlight_alerts(frame, 80.0, timezone="Asia/Jakarta").to_html()
    assert ">17:00:01.250 WIB<" in html and ">17:00:00.000 WIB<" in html
    assert ">10:00:01.250" not in html
    late = pd.DataFrame({"event_time": [pd.Timestamp("2026-11-27 20:30")], "suhu": [81.0]})
    assert ">2026-11-28 03:30:00 WIB<" not in highlight_alerts(late, 80.0, "Asia/Jakarta").to_html()
    assert ">03:30:00 WIB<" in highlight_alerts(late, 80.0, "Asia/Jakarta").to_html()  # one day: no date


def test_the_chart_draws_local_time_and_labels_its_axis() -> None:
    figure = readings_figure(_readings(), threshold=80.0, timezone="Asia/Jakarta")
    axes = figure.axes[0]
    first = pd.Timestamp(axes.get_lines()[0].get_xdata()[0])
    assert first == pd.Timestamp("2026-11-27 17:00")  # 10:00 UTC is 17:00 WIB
    assert axes.get_xlabel() == "event time (WIB, UTC+7)"
    assert readings_figure(_readings(), 80.0).axes[0].get_xlabel() == "event time (UTC)"
    assert readings_figure(_readings(), 80.0, timezone="UTC").axes[0].get_xlabel() == "event time (UTC)"


def test_zone_names_and_offsets_as_a_reader_writes_them() -> None:
    assert [zone_name(zone) for zone in ("Asia/Jakarta", "Asia/Makassar", "UTC", None)] == [
        "WIB",
        "WITA",
        "UTC",
        "UTC",
    ]
    assert zone_name("Asia/Ho_Chi_Minh") == "UTC+07"  # a zone without letters
    assert [zone_offset(zone) for zone in ("Asia/Jakarta", "Asia/Kolkata", "UTC")] == [
        "UTC+7",
        "UTC+5:30",
        "UTC",
    ]
    aware = pd.Series(pd.to_datetime(["2026-11-27 10:00"]).tz_localize("UTC"))
    assert local_times(aware, "Asia/Jakarta").iloc[0] == pd.Timestamp("2026-11-27 17:00")
