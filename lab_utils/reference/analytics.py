"""Sustained overheating: the reference for notebook 05's episode query and ``sensor-alerts --sustained``.

Notebook 05 writes its event-time queries (windows, watermark, session windows) in its own cells;
this module holds the same rules and constants for the terminal program
(``lab_utils/programs/sensor_alerts.py``) and the tests, which compare it with pandas. It works the
same on a streaming DataFrame and a batch one of valid readings (``sensor_id``, ``suhu``, ``event_time``).

Durations are counted in reading intervals ("ticks", ``config.interval_s``): one second in class,
0.25 s in the fast profile, where the sensors send four times as often. So a run shows the same
episodes in both profiles.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

# Readings stamped further ahead of Spark's clock than this are ignored before any watermark: one
# reading from the year 2099 would otherwise move the watermark there and make every later one late.
MAX_AHEAD = "INTERVAL 1 MINUTE"
GAP_TICKS = 1.5  # hot readings at most 1.5 intervals apart belong to one episode
EPISODE_WATERMARK_TICKS = 3  # an episode is reported once the stream is 3 intervals past its end
SUSTAINED_TICKS = 10  # notebook 05: an episode this long is sustained overheating (10 s in class)


def from_trusted_clocks(valid: DataFrame) -> DataFrame:
    """The readings whose event time is not in the future (beyond ``MAX_AHEAD`` of Spark's clock)."""
    return valid.where(F.col("event_time") <= F.current_timestamp() + F.expr(MAX_AHEAD))


def _seconds_between(start: Column, end: Column) -> Column:
    return (F.unix_micros(end) - F.unix_micros(start)) / 1_000_000


def overheat_episodes(
    valid: DataFrame,
    sustained_s: float,
    *,
    threshold: float,
    interval_s: float,
    watermark: str | None = None,
) -> DataFrame:
    """Episodes of consecutive readings above ``threshold``, one row each, with a ``sustained`` flag.

    Hot readings (``suhu > threshold``) of one sensor at most ``GAP_TICKS`` intervals apart form one
    episode (a session window); ``seconds`` is the event time from its first to its last hot reading,
    and it is ``sustained`` from ``sustained_s`` seconds on. In a stream an episode is reported
    once, when the watermark (``EPISODE_WATERMARK_TICKS`` intervals by default) passes its end.
    """
    # Every reading passes the watermark, hot or not: cool readings move event time on, which is
    # what closes an episode. So the session gap is 1.5 intervals for a hot reading and 0 for any
    # other, and Spark leaves rows with a zero gap out of the sessions. (Filtering the hot readings
    # first would not do: Spark pushes such a filter below the watermark.)
    gap_s, delay_s = GAP_TICKS * interval_s, EPISODE_WATERMARK_TICKS * interval_s
    gap = F.when(F.col("suhu") > F.lit(threshold), F.lit(f"{gap_s} seconds")).otherwise(F.lit("0 seconds"))
    episodes = (
        from_trusted_clocks(valid)
        .withWatermark("event_time", watermark or f"{delay_s} seconds")
        .groupBy("sensor_id", F.session_window("event_time", gap))
        .agg(
            F.min("event_time").alias("start"),
            F.max("event_time").alias("end"),
            F.max("suhu").alias("max_suhu"),
            F.count("*").alias("readings"),
        )
    )
    seconds = _seconds_between(F.col("start"), F.col("end"))
    return episodes.select(
        "sensor_id",
        "start",
        "end",
        seconds.alias("seconds"),
        "max_suhu",
        "readings",
        (seconds >= F.lit(sustained_s)).alias("sustained"),
    )


def sustained_overheating(
    valid: DataFrame,
    sustained_s: float,
    *,
    threshold: float,
    interval_s: float,
    watermark: str | None = None,
) -> DataFrame:
    """Only the sustained episodes: a machine that stayed above the threshold for ``sustained_s`` s."""
    episodes = overheat_episodes(
        valid, sustained_s, threshold=threshold, interval_s=interval_s, watermark=watermark
    )
    return episodes.where(F.col("sustained")).drop("sustained")
