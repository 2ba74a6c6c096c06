"""Pictures of the readings: a chart per sensor with the 80 °C line, and a table that highlights alerts.

Notebook 04 calls :func:`readings_figure` on each pandas snapshot and :class:`LiveView` to redraw
it in place while the stream runs; the last drawing stays in the notebook. :func:`highlight_alerts`
colours the rows above the threshold in any DataFrame that has a ``suhu`` column.
"""

from __future__ import annotations

from io import BytesIO

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

ALERT_COLOUR = "#d62728"
ALERT_BACKGROUND = "background-color: #ffd6d6; font-weight: bold"


def readings_figure(readings: pd.DataFrame, threshold: float = 80.0, title: str | None = None) -> Figure:
    """One line per sensor over event time, the threshold as a dashed line, alerts as red dots."""
    figure, axes = plt.subplots(figsize=(9, 4), layout="constrained")
    if readings.empty:
        axes.text(0.5, 0.5, "no readings yet", ha="center", va="center", transform=axes.transAxes)
    else:
        ordered = readings.sort_values("event_time")
        for sensor_id, rows in ordered.groupby("sensor_id", sort=True):
            axes.plot(rows["event_time"], rows["suhu"], marker=".", linewidth=1.2, label=sensor_id)
        hot = ordered[ordered["suhu"] > threshold]
        axes.scatter(
            hot["event_time"], hot["suhu"], color=ALERT_COLOUR, s=40, zorder=3, label=f"> {threshold:g} °C"
        )
    axes.axhline(threshold, color=ALERT_COLOUR, linestyle="--", linewidth=1)
    axes.set_xlabel("event time (UTC)")
    axes.set_ylabel("suhu (°C)")
    axes.set_title(title or f"Temperature per sensor ({len(readings)} readings)")
    if not readings.empty:
        axes.legend(loc="upper left", ncols=4, fontsize="small")
    plt.close(figure)  # the caller decides where it is shown; no duplicate inline copy
    return figure


def highlight_alerts(frame: pd.DataFrame, threshold: float = 80.0) -> Styler:
    """A Styler that colours every row whose ``suhu`` is strictly above the threshold."""

    def colour(row: pd.Series) -> list[str]:
        style = ALERT_BACKGROUND if row["suhu"] > threshold else ""
        return [style] * len(row)

    return frame.style.apply(colour, axis=1).format({"suhu": "{:.1f}"})


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes: displays the same under any matplotlib backend."""
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def windows_figure(stats: pd.DataFrame, threshold: float = 80.0) -> Figure:
    """Average (line) and maximum (dotted) per sensor per window, with the threshold line."""
    figure, axes = plt.subplots(figsize=(9, 4), layout="constrained")
    if stats.empty:
        axes.text(0.5, 0.5, "no window yet", ha="center", va="center", transform=axes.transAxes)
        plt.close(figure)
        return figure
    for index, (sensor_id, rows) in enumerate(
        stats.sort_values("window_start").groupby("sensor_id", sort=True)
    ):
        colour = f"C{index}"
        axes.plot(rows["window_start"], rows["avg_suhu"], color=colour, marker="o", label=f"{sensor_id} avg")
        axes.plot(
            rows["window_start"],
            rows["max_suhu"],
            color=colour,
            linestyle=":",
            marker=".",
            label=f"{sensor_id} max",
        )
    axes.axhline(threshold, color=ALERT_COLOUR, linestyle="--", linewidth=1)
    axes.set_xlabel("window start (UTC)")
    axes.set_ylabel("suhu (°C)")
    axes.set_title(f"Average and maximum per window ({len(stats)} windows)")
    axes.legend(loc="upper left", ncols=5, fontsize="x-small")
    plt.close(figure)
    return figure


class LiveView:
    """A picture that redraws in place in a notebook cell, and stays as the final one."""

    def __init__(self) -> None:
        self._handle = None

    def show(self, figure: Figure) -> None:
        """Draw ``figure`` in place of the previous one."""
        from IPython.display import Image, display

        image = Image(figure_png(figure))
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)
