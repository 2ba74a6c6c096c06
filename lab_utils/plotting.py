"""Pictures of the readings: a chart per sensor with the 80 °C line, and a table that highlights alerts.

Notebook 04 calls :func:`readings_figure` on each pandas snapshot and :class:`LiveView` to redraw
it in place while the stream runs; the last drawing stays in the notebook. :func:`highlight_alerts`
colours the rows above the threshold in any DataFrame that has a ``suhu`` column, and shows its
times as a person reads them (``08:53:07.250``), without the meaningless row index. Given a time zone
(``config.timezone``), both show local time and say which (``15:53:07.250 WIB``, "UTC+7" on the axis).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler
from PIL import Image

from lab_utils.stack.messages import shown  # the chart's words in the kernel's language

ALERT_COLOUR = "#d62728"
ALERT_BACKGROUND = "background-color: #ffd6d6; font-weight: bold"
# Sensor lines take matplotlib's default colours except its red (C3): red means "alert" on this chart.
SENSOR_COLOURS = ["C0", "C1", "C2", "C4", "C5", "C6", "C7", "C8", "C9"]
PNG_COLOURS = 64  # a chart needs few colours: a palette PNG is a third of the size, and looks the same


def zone_name(timezone: str | None) -> str:
    """What a reader calls the zone now: ``WIB`` for Asia/Jakarta, ``UTC`` (also for None), or ``UTC+07``
    for a zone without letters."""
    name = datetime.now(ZoneInfo(timezone or "UTC")).strftime("%Z")
    return name if name[:1].isalpha() else f"UTC{name}"


def zone_offset(timezone: str | None) -> str:
    """The zone's offset from UTC now, as a reader writes it: ``UTC+7``, ``UTC+5:30``, ``UTC``."""
    offset = datetime.now(ZoneInfo(timezone or "UTC")).utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    hours, rest = divmod(abs(minutes), 60)
    sign = "+" if minutes >= 0 else "-"
    return "UTC" if minutes == 0 else f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_times(times: pd.Series, timezone: str) -> pd.Series:
    """Times in the zone's wall-clock time, without a zone attached; times without a zone are UTC (as
    the lab's Spark session returns them)."""
    moments = pd.to_datetime(times)
    if moments.dt.tz is None:
        moments = moments.dt.tz_localize("UTC")
    return moments.dt.tz_convert(timezone).dt.tz_localize(None)


def readings_figure(
    readings: pd.DataFrame, threshold: float, title: str | None = None, timezone: str | None = None
) -> Figure:
    """One line per sensor over event time, the threshold as a dashed line, alerts as red dots.

    With ``timezone`` the time axis shows that zone's local time (and says so); without, UTC.
    """
    figure, axes = plt.subplots(figsize=(9, 4), layout="constrained")
    if readings.empty:
        axes.text(0.5, 0.5, shown("no readings yet"), ha="center", va="center", transform=axes.transAxes)
    else:
        ordered = readings.sort_values("event_time")
        if timezone is not None:
            ordered = ordered.assign(event_time=local_times(ordered["event_time"], timezone))
        for index, (sensor_id, rows) in enumerate(ordered.groupby("sensor_id", sort=True)):
            colour = SENSOR_COLOURS[index % len(SENSOR_COLOURS)]
            axes.plot(
                rows["event_time"], rows["suhu"], marker=".", linewidth=1.2, color=colour, label=sensor_id
            )
        hot = ordered[ordered["suhu"] > threshold]
        axes.scatter(
            hot["event_time"], hot["suhu"], color=ALERT_COLOUR, s=40, zorder=3, label=f"> {threshold:g} °C"
        )
    axes.axhline(threshold, color=ALERT_COLOUR, linestyle="--", linewidth=1)
    local = timezone is not None and zone_name(timezone) != "UTC"
    axes.set_xlabel(
        f"event time ({zone_name(timezone)}, {zone_offset(timezone)})" if local else "event time (UTC)"
    )
    axes.set_ylabel("suhu (°C)")
    axes.set_title(title or shown(f"Temperature per sensor ({len(readings)} readings)"))
    if not readings.empty:
        # beside the plot, not over the lines
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    plt.close(figure)  # the caller decides where it is shown; no duplicate inline copy
    return figure


def time_format(times: pd.Series, zone: str = "") -> Callable[[object], str]:
    """How a person reads this column's times: ``08:53:07.250`` (milliseconds only when some time has
    them, the date only when the times span more than one day), never ``2026-11-28 08:53:07.250000``.
    A ``zone`` name is written after each time: ``08:53:07.250 WIB``."""
    known = pd.to_datetime(times.dropna())
    with_ms = bool((known.dt.microsecond != 0).any())
    day = "" if known.dt.date.nunique() <= 1 else "%Y-%m-%d "
    pattern = day + "%H:%M:%S" + (".%f" if with_ms else "")

    def show(value: Any) -> str:
        if pd.isna(value):
            return ""
        text = pd.Timestamp(value).strftime(pattern)
        text = text[:-3] if with_ms else text  # microseconds -> milliseconds
        return f"{text} {zone}" if zone else text

    return show


def highlight_alerts(frame: pd.DataFrame, threshold: float, timezone: str | None = None) -> Styler:
    """A Styler that colours every row whose ``suhu`` is strictly above the threshold.

    Times read as a person reads them (:func:`time_format`), in the local time of ``timezone`` with
    its name when one is given, and the row index is hidden: it numbers the rows of one poll and means
    nothing to the reader.
    """

    def colour(row: pd.Series) -> list[str]:
        style = ALERT_BACKGROUND if row["suhu"] > threshold else ""
        return [style] * len(row)

    formats: dict[str, str | Callable[[object], str] | None] = {"suhu": "{:.1f}"}
    shown = frame.copy()
    for name in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[name]):
            if timezone is not None:
                shown[name] = local_times(frame[name], timezone)
            formats[name] = time_format(shown[name], zone_name(timezone) if timezone else "")
    return shown.style.apply(colour, axis=1).format(formats).hide(axis="index")


def figure_png(figure: Figure) -> bytes:
    """The figure as a palette PNG: displays the same under any matplotlib backend, and is small (about
    20 KB) enough to redraw every second and to stay under the 64 KiB above which Jupyter's messaging
    sends an output through a helper thread of its own."""
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    buffer.seek(0)
    small = BytesIO()
    Image.open(buffer).convert("RGB").quantize(PNG_COLOURS).save(small, format="PNG", optimize=True)
    return small.getvalue()


def windows_figure(stats: pd.DataFrame, threshold: float) -> Figure:
    """Average (line) and maximum (dotted) per sensor per window, with the threshold line."""
    figure, axes = plt.subplots(figsize=(9, 4), layout="constrained")
    if stats.empty:
        axes.text(0.5, 0.5, shown("no window yet"), ha="center", va="center", transform=axes.transAxes)
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
    axes.set_xlabel(shown("window start (UTC)"))
    axes.set_ylabel("suhu (°C)")
    axes.set_title(shown(f"Average and maximum per window ({len(stats)} windows)"))
    axes.legend(loc="upper left", ncols=5, fontsize="x-small")
    plt.close(figure)
    return figure


class LiveView:
    """One output of a notebook cell that redraws in place (a chart or a table) and stays as the last one."""

    def __init__(self) -> None:
        self._handle = None

    def show(self, item: Figure | object) -> None:
        """Show ``item`` in place of the previous one: a figure as a PNG image, anything else (a pandas
        Styler, a DataFrame) as the notebook would show it."""
        from IPython.display import Image, display

        shown = Image(figure_png(item)) if isinstance(item, Figure) else item
        if self._handle is None:
            self._handle = display(shown, display_id=True)
        else:
            self._handle.update(shown)
