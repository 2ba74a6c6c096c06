"""Event-time analytics on valid readings: windowed statistics and overheating episodes.

Notebook 05 and ``sensor-alerts --sustained`` use these. Every function takes the
``valid_readings`` frame (``sensor_id``, ``suhu``, ``event_time``) and works the same on a
streaming DataFrame and a batch one, so tests can compare its results with pandas.

- :func:`window_stats`: average, maximum and count per sensor per tumbling or sliding window.
- :func:`overheat_episodes`: consecutive readings above the threshold grouped into episodes (a
  session window over the hot readings); an episode lasting at least ``sustained_s`` seconds of
  event time is *sustained* overheating, a shorter one is a spike.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from lab_utils.config import load_config

DEFAULT_WATERMARK = "10 seconds"


def window_stats(
    valid: DataFrame, window: str = "10 seconds", slide: str | None = None, watermark: str = DEFAULT_WATERMARK
) -> DataFrame:
    """Per sensor and event-time window: ``avg_suhu``, ``max_suhu``, ``readings``.

    Tumbling windows when ``slide`` is None, sliding windows otherwise. The watermark tells Spark
    how late a reading may arrive: a reading older than (latest event time - watermark) is dropped.
    """
    bucket = F.window("event_time", window, slide) if slide else F.window("event_time", window)
    return (
        valid.withWatermark("event_time", watermark)
        .groupBy(bucket.alias("window"), "sensor_id")
        .agg(
            F.round(F.avg("suhu"), 2).alias("avg_suhu"),
            F.max("suhu").alias("max_suhu"),
            F.count("*").alias("readings"),
        )
        .select(
            F.col("window.start").alias("window_start"),
            F.col("window.end").alias("window_end"),
            "sensor_id",
            "avg_suhu",
            "max_suhu",
            "readings",
        )
    )


def _seconds_between(start: Column, end: Column) -> Column:
    return (F.unix_micros(end) - F.unix_micros(start)) / 1_000_000


def overheat_episodes(
    valid: DataFrame,
    sustained_s: float = 10.0,
    threshold: float | None = None,
    interval_s: float | None = None,
    watermark: str = DEFAULT_WATERMARK,
) -> DataFrame:
    """Episodes of consecutive readings above the threshold, one row each, with ``sustained`` flag.

    Readings above the threshold that follow each other within 1.5 reading intervals belong to one
    episode; a reading at or below the threshold (a missing hot reading) ends it. ``seconds`` is
    the event time from the first to the last hot reading. In a stream an episode is reported once
    it is over: when the watermark passes its end.
    """
    config = load_config()
    limit = config.threshold if threshold is None else threshold
    gap_s = 1.5 * (config.interval_s if interval_s is None else interval_s)
    # Every reading passes the watermark, hot or not: cool readings move event time on, which is
    # what closes an episode. The session gap is 1.5 intervals for a hot reading and 0 for any
    # other, and Spark leaves rows with a zero gap out of the sessions. (Filtering the hot readings
    # first would not do: Spark pushes such a filter below the watermark.)
    gap = F.when(F.col("suhu") > F.lit(limit), F.lit(f"{gap_s} seconds")).otherwise(F.lit("0 seconds"))
    episodes = (
        valid.withWatermark("event_time", watermark)
        .groupBy("sensor_id", F.session_window("event_time", gap).alias("session"))
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


def sustained_overheating(valid: DataFrame, sustained_s: float = 10.0, **options: object) -> DataFrame:
    """Only the sustained episodes: a machine that stayed above the threshold for ``sustained_s`` s."""
    return overheat_episodes(valid, sustained_s, **options).where(F.col("sustained")).drop("sustained")
