"""The Parquet history keeps every valid reading exactly once across a stop and a restart."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab_utils.config import LabConfig
from lab_utils.producer import BackgroundProducer, send_raw
from lab_utils.storage import history_path, read_history, reset_storage, start_history
from lab_utils.topics import ensure_topic

pytestmark = pytest.mark.integration


def _produce(config: LabConfig, rounds: int, seed: int) -> int:
    producer = BackgroundProducer(sensors=3, interval_s=0.02, max_rounds=rounds, seed=seed, config=config)
    producer.start()
    producer.wait(60)
    producer.stop()
    stats = producer.stats()
    assert stats.acked == stats.sent == rounds * 3
    return stats.acked


def test_history_is_exactly_once_across_a_restart(
    spark, broker: LabConfig, topic_name: str, tmp_path: Path
) -> None:
    config = dataclasses.replace(broker, topic=topic_name, lab_home=tmp_path, trigger_seconds=0.5)
    ensure_topic(config=config)
    first = _produce(config, rounds=40, seed=1)
    send_raw(b"not a reading", key=b"S1", config=config)  # rejected: never stored

    query = start_history(spark, config)
    query.processAllAvailable()
    query.stop()  # stopped like a crashed job: the next start must not repeat or skip anything
    stored_before = read_history(spark, config).count()

    second = _produce(config, rounds=40, seed=2)
    query = start_history(spark, config, available_now=True)
    query.awaitTermination(120)
    history = read_history(spark, config)
    total = history.count()
    distinct = history.select("sensor_id", "event_time").distinct().count()
    print(f"restart test: before restart {stored_before}, produced {first + second}, stored {total}")
    assert stored_before == first
    assert total == first + second == 240
    assert distinct == total  # no (sensor_id, ts) twice
    dates = {f"date={row['date']}" for row in history.select("date").distinct().collect()}
    assert {p.name for p in history_path(config).iterdir() if p.is_dir()} == dates | {"_spark_metadata"}
    assert {p.name for p in next(iter(history_path(config).glob("date=*"))).iterdir()} == {
        "sensor_id=S1",
        "sensor_id=S2",
        "sensor_id=S3",
    }

    # A third start with nothing new adds nothing.
    query = start_history(spark, config, available_now=True)
    query.awaitTermination(120)
    assert read_history(spark, config).count() == total
    assert reset_storage(config) == "Deleted the history and the checkpoints."
    assert not history_path(config).exists()


def test_sensor_history_program_and_sustained_alerts(
    broker: LabConfig, topic_name: str, tmp_path: Path
) -> None:
    config = dataclasses.replace(broker, topic=topic_name)
    ensure_topic(config=config)
    story = [72.0] * 3 + [84.0] * 12 + [75.0] * 3 + [86.0] + [74.0] * 3  # 11 s hot, then a spike
    for second, suhu in enumerate(story):
        ts = f"2026-11-27T10:00:{second:02d}.000Z"
        send_raw(json.dumps({"sensor_id": "S9", "suhu": suhu, "ts": ts}).encode(), key=b"S9", config=config)
    env = {**os.environ, "LAB_TOPIC": topic_name, "LAB_HOME": str(tmp_path)}
    run = lambda module, *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", module, *args], capture_output=True, text=True, env=env, timeout=240
    )
    stored = run("lab_utils.programs.sensor_history", "--available-now")
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.strip() == f"The history holds {len(story)} readings."

    sustained = run("lab_utils.programs.sensor_alerts", "--available-now", "--sustained", "10", "--json")
    assert sustained.returncode == 0, sustained.stderr
    episodes = [json.loads(line) for line in sustained.stdout.splitlines()]
    assert episodes == [
        {
            "sensor_id": "S9",
            "start": "2026-11-27T10:00:03.000Z",
            "end": "2026-11-27T10:00:14.000Z",
            "seconds": 11.0,
            "max_suhu": 84.0,
            "readings": 12,
        }
    ]
    text = run("lab_utils.programs.sensor_alerts", "--available-now", "--sustained", "15")
    assert text.returncode == 0 and text.stdout == ""  # 11 s is not sustained for 15 s
