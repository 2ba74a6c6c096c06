"""Overheating episodes (reference of notebook 05 and `sensor-alerts --sustained`) on deterministic input."""

from __future__ import annotations

import json
import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from lab_utils.config import PROJECT_ROOT
from lab_utils.reference import analytics
from lab_utils.reference.analytics import overheat_episodes, sustained_overheating

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
SCHEMA = "sensor_id string, suhu double, ts string"
RULES = {"threshold": 80.0, "interval_s": 1.0}


def _stamp(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _write_jsonl(folder: Path, name: str, rows: list[tuple[str, float, float | str]]) -> None:
    """One JSON-lines file; files get increasing modification times, the order the file source reads them.

    A row's time is seconds after START, or an ISO-8601 string as it is.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        "".join(
            json.dumps({"sensor_id": s, "suhu": v, "ts": t if isinstance(t, str) else _stamp(t)}) + "\n"
            for s, v, t in rows
        )
    )
    order = len(list(folder.iterdir()))
    stamp = time.time() - 100 + order
    os.utime(path, (stamp, stamp))


def _stream_valid(spark, folder: Path):
    reader = spark.readStream.schema(SCHEMA).option("maxFilesPerTrigger", "1")
    return reader.json(str(folder)).select("sensor_id", "suhu", F.to_timestamp("ts").alias("event_time"))


def _run_available_now(frame, name: str):
    """Run ``frame`` into the memory table ``name`` until the input is used up: the query and the table."""
    query = (
        frame.writeStream.queryName(name)
        .outputMode("append")
        .format("memory")
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination(120)
    query.stop()
    return query, frame.sparkSession.table(name).toPandas()


def _dropped(query) -> int:
    """Rows the query's stateful operators dropped as too late (what the watermark dropped)."""
    return sum(op["numRowsDroppedByWatermark"] for p in query.recentProgress for op in p["stateOperators"])


def _episode_rows() -> list[tuple[str, float, float]]:
    spike = [("S8", 86.0 if t == 5 else 70.0, t) for t in range(40)]
    sustained = [("S9", 84.0 if 10 <= t <= 22 else 72.0, t) for t in range(40)]  # 12 s above 80
    short = [("S7", 81.0 if 3 <= t <= 8 else 75.0, t) for t in range(40)]  # 5 s above 80
    at_limit = [("S6", 80.0, t) for t in range(40)]  # exactly 80 is never hot
    return spike + sustained + short + at_limit


def test_episodes_tell_spikes_from_sustained_overheating(spark) -> None:
    rows = [(s, v, START + timedelta(seconds=t)) for s, v, t in _episode_rows()]
    valid = spark.createDataFrame(rows, "sensor_id string, suhu double, event_time timestamp")
    episodes = overheat_episodes(valid, 10, **RULES).toPandas()
    summary = sorted(zip(episodes["sensor_id"], episodes["seconds"], episodes["sustained"], strict=True))
    assert summary == [("S7", 5.0, False), ("S8", 0.0, False), ("S9", 12.0, True)]
    only = sustained_overheating(valid, 10, **RULES).toPandas()
    assert list(only["sensor_id"]) == ["S9"] and only["max_suhu"].iloc[0] == 84.0


def test_the_gap_is_counted_in_reading_intervals(spark) -> None:
    """At 4 readings a second (fast profile) hot readings 0.25 s apart are one episode, 1 s apart are not."""
    fast = [("S9", 84.0, START + timedelta(seconds=t / 4)) for t in range(12)]  # 2.75 s above 80
    valid = spark.createDataFrame(fast, "sensor_id string, suhu double, event_time timestamp")
    quick = overheat_episodes(valid, 2.5, threshold=80.0, interval_s=0.25).toPandas()
    assert list(zip(quick["seconds"], quick["sustained"], strict=True)) == [(2.75, True)]
    slow = [("S9", 84.0, START + timedelta(seconds=t)) for t in range(4)]
    valid = spark.createDataFrame(slow, "sensor_id string, suhu double, event_time timestamp")
    assert overheat_episodes(valid, 2.5, threshold=80.0, interval_s=0.25).count() == 4  # four spikes


def test_episodes_in_a_stream_are_reported_once_the_watermark_passes(spark, tmp_path: Path) -> None:
    _write_jsonl(tmp_path / "in", "a.json", _episode_rows())
    _write_jsonl(tmp_path / "in", "b.json", [("S1", 70.0, 60.0)])  # moves the watermark past every episode
    _write_jsonl(tmp_path / "in", "c.json", [("S1", 70.0, 61.0)])  # a batch in which Spark evicts them
    valid = _stream_valid(spark, tmp_path / "in")
    episodes = sustained_overheating(valid, 10, **RULES, watermark="5 seconds")
    _, frame = _run_available_now(episodes, "episodes_stream")
    assert list(frame["sensor_id"]) == ["S9"] and frame["seconds"].iloc[0] == 12.0


def test_a_reading_from_the_future_does_not_move_the_watermark(spark, tmp_path: Path) -> None:
    """Without the clock rule, a reading stamped 2099 would make every later reading late (and dropped)."""
    _write_jsonl(tmp_path / "in", "a.json", [("X1", 99.0, "2099-12-31T23:59:59.000Z"), ("S1", 70.0, 0.0)])
    _write_jsonl(tmp_path / "in", "b.json", [("S1", 70.0, 1.0)])  # a batch: the watermark would reach 2099
    _write_jsonl(tmp_path / "in", "c.json", _episode_rows())
    _write_jsonl(tmp_path / "in", "d.json", [("S1", 70.0, 60.0)])
    _write_jsonl(tmp_path / "in", "e.json", [("S1", 70.0, 61.0)])
    valid = _stream_valid(spark, tmp_path / "in")
    query, frame = _run_available_now(
        sustained_overheating(valid, 10, **RULES, watermark="5 seconds"), "future"
    )
    assert list(frame["sensor_id"]) == ["S9"] and frame["seconds"].iloc[0] == 12.0
    assert _dropped(query) == 0


def test_a_late_hot_reading_is_dropped_and_counted(spark, tmp_path: Path) -> None:
    _write_jsonl(tmp_path / "in", "a.json", _episode_rows())
    _write_jsonl(tmp_path / "in", "b.json", [("S1", 70.0, 60.0)])  # the watermark: 55 s
    _write_jsonl(tmp_path / "in", "c.json", [("S5", 90.0, 30.0), ("S5", 91.0, 59.0)])  # late, on time
    _write_jsonl(tmp_path / "in", "d.json", [("S1", 70.0, 70.0)])
    _write_jsonl(tmp_path / "in", "e.json", [("S1", 70.0, 71.0)])
    episodes = overheat_episodes(_stream_valid(spark, tmp_path / "in"), 10, **RULES, watermark="5 seconds")
    query, frame = _run_available_now(episodes, "episodes_late")
    s5 = frame.query("sensor_id == 'S5'")
    assert list(s5["max_suhu"]) == [91.0]  # the on-time spike is an episode, the late one is not
    assert _dropped(query) == 1


def test_notebook_05_teaches_the_reference_rules() -> None:
    """The episode query in notebook 05's cells uses the constants of lab_utils.reference.analytics."""
    notebook = json.loads((PROJECT_ROOT / "notebooks" / "05_windowed_analytics.ipynb").read_text())
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    expected = [
        f"{analytics.GAP_TICKS} * tick",
        f"{analytics.EPISODE_WATERMARK_TICKS} * tick",
        f"{analytics.SUSTAINED_TICKS} * tick",
        f'F.expr("{analytics.MAX_AHEAD}")',
        'F.col("suhu") > config.threshold',
        "tick = config.interval_s",
    ]
    assert [text for text in expected if text not in code] == []
    assert re.search(r"session_window\(\"event_time\", gap\)", code)
