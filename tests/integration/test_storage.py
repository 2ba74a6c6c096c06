"""``sensor-history`` keeps every valid reading exactly once across restarts; ``sensor-alerts --sustained``.

The history is proved by Kafka coordinates (partition, offset): the topic also carries classic readings
without ``ts`` sent in one millisecond, which share (sensor_id, event_time) and are still two readings.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kafka import KafkaProducer

from lab_utils.config import LabConfig
from lab_utils.reference.parsing import kafka_source, parse_readings, valid_readings
from lab_utils.reference.producer import BackgroundProducer, send_raw
from lab_utils.reference.topics import ensure_topic
from lab_utils.storage import history_path, read_history, reset_storage

pytestmark = pytest.mark.integration

BURST = 6  # classic readings without ts, all with one Kafka timestamp


def _produce(config: LabConfig, rounds: int, seed: int) -> int:
    producer = BackgroundProducer(sensors=3, interval_s=0.02, max_rounds=rounds, seed=seed, config=config)
    producer.start()
    producer.wait(60)
    producer.stop()
    stats = producer.stats()
    assert stats.acked == stats.sent == rounds * 3
    return stats.acked


def _burst(config: LabConfig, timestamp_ms: int) -> None:
    """The classic producer's payload, several times in the same millisecond: equal, yet distinct records."""
    producer = KafkaProducer(bootstrap_servers=config.bootstrap_servers)
    try:
        for _ in range(BURST):
            producer.send(config.topic, b'{"sensor_id": "S1", "suhu": 70}', timestamp_ms=timestamp_ms)
        producer.flush()
    finally:
        producer.close()


def _program(name: str, config: LabConfig, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a terminal program of the lab (its console script) on ``config``'s topic and lab folder."""
    script = Path(sys.executable).with_name(name)
    environment = {**os.environ, "LAB_TOPIC": config.topic, "LAB_HOME": str(config.lab_home), **env}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=environment, timeout=240, check=False
    )


def test_sensor_history_is_exactly_once_across_restarts(
    spark, broker: LabConfig, topic_name: str, tmp_path: Path
) -> None:
    config = dataclasses.replace(broker, topic=topic_name, lab_home=tmp_path)
    ensure_topic(config=config)
    # Now, not a fixed date: Kafka's 7-day retention deletes a segment whose newest record is older
    # than that, and a partition holding only burst records would lose them before the check below.
    burst_ms = int(time.time() * 1000)
    first = _produce(config, rounds=40, seed=1) + BURST
    _burst(config, burst_ms)
    send_raw(b"not a reading", key=b"S1", config=config)  # rejected: never stored

    stored = _program("sensor-history", config, "--available-now")
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.strip() == f"The history holds {first} readings."

    second = _produce(config, rounds=40, seed=2) + BURST
    _burst(config, burst_ms + 1)
    stored = _program("sensor-history", config, "--available-now")  # a restart: continues from the checkpoint
    assert stored.returncode == 0, stored.stderr

    history = read_history(spark, config)
    stored_at = sorted(tuple(row) for row in history.select("partition", "offset").collect())
    topic = valid_readings(
        parse_readings(kafka_source(spark, starting_offsets="earliest", streaming=False, config=config))
    )
    expected = sorted(tuple(row) for row in topic.select("partition", "offset").collect())
    missing, twice = sorted(set(expected) - set(stored_at)), len(stored_at) - len(set(stored_at))
    assert (missing, twice) == ([], 0), f"not stored: {missing[:10]} ({len(missing)}); stored twice: {twice}"
    assert stored_at == expected and len(expected) == first + second == 252  # each record once
    assert stored.stdout.strip() == f"The history holds {first + second} readings."
    assert history.select("sensor_id", "event_time").distinct().count() < len(expected)  # bursts look equal

    dates = {f"date={row['date']}" for row in history.select("date").distinct().collect()}
    assert {p.name for p in history_path(config).iterdir() if p.is_dir()} == dates | {"_spark_metadata"}
    sensors = {p.name for p in history_path(config).glob("date=*/*")}
    assert sensors == {"sensor_id=S1", "sensor_id=S2", "sensor_id=S3"}
    assert reset_storage(config) == "Deleted the history and the checkpoints."
    assert not history_path(config).exists()


def test_sensor_alerts_reports_sustained_overheating(broker: LabConfig, topic_name: str) -> None:
    config = dataclasses.replace(broker, topic=topic_name)
    ensure_topic(config=config)
    story = [72.0] * 3 + [84.0] * 12 + [75.0] * 3 + [86.0] + [74.0] * 3  # 11 s hot, then a spike
    for second, suhu in enumerate(story):
        ts = f"2026-11-27T10:00:{second:02d}.000Z"
        send_raw(json.dumps({"sensor_id": "S9", "suhu": suhu, "ts": ts}).encode(), key=b"S9", config=config)
    one_per_second = {"LAB_INTERVAL_S": "1"}  # the story's pace: one reading a second
    sustained = _program(
        "sensor-alerts", config, "--available-now", "--sustained", "10", "--json", **one_per_second
    )
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
    text = _program("sensor-alerts", config, "--available-now", "--sustained", "15", **one_per_second)
    assert text.returncode == 0 and text.stdout == ""  # 11 s is not sustained for 15 s
