"""Windows and overheating episodes on deterministic input, checked against pandas."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from pyspark.sql import functions as F

from lab_utils.analytics import overheat_episodes, sustained_overheating, window_stats
from lab_utils.streaming import LiveTable, rows_dropped_by_watermark, start_live_table

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
SCHEMA = "sensor_id string, suhu double, ts string"


def _stamp(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _write_jsonl(folder: Path, name: str, rows: list[tuple[str, float, float]]) -> None:
    """One JSON-lines file; files get increasing modification times, the order the file source reads them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        "".join(json.dumps({"sensor_id": s, "suhu": v, "ts": _stamp(t)}) + "\n" for s, v, t in rows)
    )
    order = len(list(folder.iterdir()))
    stamp = time.time() - 100 + order
    os.utime(path, (stamp, stamp))


def _deterministic_rows() -> list[tuple[str, float, float]]:
    """Two sensors, one reading per second for 60 s, with uneven values and a 3.5 s offset."""
    return [("S1", 60 + (t * 7) % 23, t) for t in range(60)] + [
        ("S2", 70 + (t * 5) % 17, t + 0.5) for t in range(60)
    ]


def _stream_valid(spark, folder: Path, **options: str):
    reader = spark.readStream.schema(SCHEMA)
    for key, value in options.items():
        reader = reader.option(key, value)
    return reader.json(str(folder)).select("sensor_id", "suhu", F.to_timestamp("ts").alias("event_time"))


def _run_available_now(frame, table: LiveTable, mode: str = "update") -> None:
    query = start_live_table(frame, table, output_mode=mode, available_now=True)
    query.awaitTermination()
    query.stop()


def _pandas_windows(rows: list[tuple[str, float, float]], window_s: int, slide_s: int) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["sensor_id", "suhu", "t"])
    expanded = []
    for _, row in frame.iterrows():
        last_start = row.t // slide_s * slide_s
        for start in range(int(last_start), int(last_start) - window_s, -slide_s):
            if start <= row.t < start + window_s:
                expanded.append((row.sensor_id, start, row.suhu))
    grouped = pd.DataFrame(expanded, columns=["sensor_id", "start", "suhu"]).groupby(["sensor_id", "start"])[
        "suhu"
    ]
    result = grouped.agg(["mean", "max", "count"]).reset_index()
    result["mean"] = result["mean"].round(2)
    return result.sort_values(["sensor_id", "start"]).reset_index(drop=True)


def _spark_windows(table: LiveTable) -> pd.DataFrame:
    frame = table.frame()
    seconds = (
        pd.to_datetime(frame["window_start"]) - pd.Timestamp(START.replace(tzinfo=None))
    ).dt.total_seconds()
    result = pd.DataFrame(
        {
            "sensor_id": frame["sensor_id"],
            "start": seconds.astype(int),
            "mean": frame["avg_suhu"],
            "max": frame["max_suhu"],
            "count": frame["readings"],
        }
    )
    return result.sort_values(["sensor_id", "start"]).reset_index(drop=True)


@pytest.mark.parametrize(("window_s", "slide_s"), [(10, 10), (10, 5)], ids=["tumbling", "sliding"])
def test_window_stats_equal_pandas(spark, tmp_path: Path, window_s: int, slide_s: int) -> None:
    rows = _deterministic_rows()
    _write_jsonl(tmp_path / "in", "readings.json", rows)
    slide = None if slide_s == window_s else f"{slide_s} seconds"
    table = LiveTable(f"windows_{window_s}_{slide_s}", key=["window_start", "sensor_id"])
    _run_available_now(
        window_stats(_stream_valid(spark, tmp_path / "in"), f"{window_s} seconds", slide), table
    )
    expected = _pandas_windows(rows, window_s, slide_s)
    pd.testing.assert_frame_equal(_spark_windows(table), expected, check_dtype=False)


def test_a_late_reading_is_dropped_and_an_on_time_one_counts(spark, tmp_path: Path) -> None:
    rows = _deterministic_rows()
    _write_jsonl(tmp_path / "in", "a_first.json", rows)
    # After the first batch the watermark is 59.5 s - 10 s = 49.5 s. Spark drops late rows against
    # the watermark of the batch before, so one more batch passes before the late file arrives.
    _write_jsonl(tmp_path / "in", "b_second.json", [("S2", 75.0, 58.0)])
    _write_jsonl(tmp_path / "in", "c_third.json", [("S1", 99.0, 5.0), ("S1", 99.0, 55.0)])
    table = LiveTable("late_demo", key=["window_start", "sensor_id"])
    valid = _stream_valid(spark, tmp_path / "in", maxFilesPerTrigger="1")
    query = start_live_table(
        window_stats(valid, "10 seconds", watermark="10 seconds"),
        table,
        output_mode="update",
        available_now=True,
    )
    query.awaitTermination()
    dropped = rows_dropped_by_watermark(query)
    query.stop()
    result = _spark_windows(table).set_index(["sensor_id", "start"])
    before = _pandas_windows(rows + [("S2", 75.0, 58.0)], 10, 10).set_index(["sensor_id", "start"])
    assert dropped == 1
    assert result.loc[("S1", 0), "count"] == before.loc[("S1", 0), "count"]  # the late one did not count
    assert result.loc[("S1", 50), "count"] == before.loc[("S1", 50), "count"] + 1  # the on-time one did
    assert result.loc[("S1", 50), "max"] == 99.0


def _episode_rows() -> list[tuple[str, float, float]]:
    spike = [("S8", 86.0 if t == 5 else 70.0, t) for t in range(40)]
    sustained = [("S9", 84.0 if 10 <= t <= 22 else 72.0, t) for t in range(40)]  # 12 s above 80
    short = [("S7", 81.0 if 3 <= t <= 8 else 75.0, t) for t in range(40)]  # 5 s above 80
    at_limit = [("S6", 80.0, t) for t in range(40)]  # exactly 80 is never hot
    return spike + sustained + short + at_limit


def test_episodes_tell_spikes_from_sustained_overheating(spark) -> None:
    rows = [(s, v, START + timedelta(seconds=t)) for s, v, t in _episode_rows()]
    valid = spark.createDataFrame(rows, "sensor_id string, suhu double, event_time timestamp")
    episodes = overheat_episodes(valid, sustained_s=10, threshold=80.0, interval_s=1.0).toPandas()
    summary = sorted(zip(episodes["sensor_id"], episodes["seconds"], episodes["sustained"], strict=True))
    assert summary == [("S7", 5.0, False), ("S8", 0.0, False), ("S9", 12.0, True)]
    only = sustained_overheating(valid, 10, threshold=80.0, interval_s=1.0).toPandas()
    assert list(only["sensor_id"]) == ["S9"] and only["max_suhu"].iloc[0] == 84.0


def test_episodes_in_a_stream_are_reported_once_the_watermark_passes(spark, tmp_path: Path) -> None:
    _write_jsonl(tmp_path / "in", "a.json", _episode_rows())
    _write_jsonl(tmp_path / "in", "b.json", [("S1", 70.0, 60.0)])  # moves the watermark past every episode
    _write_jsonl(tmp_path / "in", "c.json", [("S1", 70.0, 61.0)])  # a batch in which Spark evicts them
    table = LiveTable("episodes_stream")
    valid = _stream_valid(spark, tmp_path / "in", maxFilesPerTrigger="1")
    episodes = sustained_overheating(valid, 10, threshold=80.0, interval_s=1.0, watermark="5 seconds")
    _run_available_now(episodes, table, mode="append")
    frame = table.frame()
    assert list(frame["sensor_id"]) == ["S9"] and frame["seconds"].iloc[0] == 12.0
