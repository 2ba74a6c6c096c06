"""Real-time mode on the real broker: the reference alert query (notebook 07), `sensor-alerts --realtime`."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pytest
from kafka import TopicPartition

from lab_utils import realtime
from lab_utils.clients import make_consumer, make_producer
from lab_utils.config import LabConfig
from lab_utils.realtime import alerts_topic
from lab_utils.reference.parsing import kafka_source, parse_readings, valid_readings
from lab_utils.reference.readings import Reading, iso_utc
from lab_utils.reference.realtime_alerts import Alert, alert_records
from lab_utils.reference.topics import ensure_topic
from lab_utils.topics import delete_topic

pytestmark = pytest.mark.integration

PROGRAM = [sys.executable, "-m", "lab_utils.programs.sensor_alerts"]
STARTUP_S = 180.0  # a Spark start on a busy 2-core machine; the promise below is timed from "Watching"

# One record each of what a shared topic carries; True where it must raise an alert (suhu > 80).
RECORDS = [
    (b'{"sensor_id": "S1", "suhu": 70}', False),  # the classic payload, no ts
    (b'{"sensor_id": "S2", "suhu": 80}', False),  # exactly 80 is no alert
    (b'{"sensor_id": "S2", "suhu": 80.0001}', True),
    (b'{"sensor_id": "S3", "suhu": 81}', True),  # classic integer payload
    (b'{"sensor_id": "S7", "suhu": 95.5, "ts": "2026-11-27T10:00:00.000Z"}', True),  # a foreign sensor
    (b'{"sensor_id": "S1", "suhu": "very hot"}', False),
    (b"garbage", False),
    (b'{"sensor_id": "S1", "suhu": 600}', False),  # impossible temperature
    (b'{"sensor_id": "S1", "suhu": 85, "ts": "yesterday"}', False),  # a bad ts is rejected, not alerted
    (b'{"suhu": 90}', False),
]


def _send(config: LabConfig, value: bytes, key: bytes = b"S1") -> tuple[int, int]:
    producer = make_producer(config, linger_ms=0)
    try:
        where = producer.send(config.topic, value, key=key).get(timeout=30)
    finally:
        producer.close(timeout=5)
    return where.partition, where.offset


def test_reference_query_alerts_exactly_the_readings_above_the_threshold(
    spark, broker: LabConfig, topic_name: str
) -> None:
    config = dataclasses.replace(broker, topic=topic_name)
    ensure_topic(config=config)
    hot = {_send(config, value) for value, alert in RECORDS if alert}
    for value, alert in RECORDS:
        if not alert:
            _send(config, value)
    try:
        records = kafka_source(spark, starting_offsets="earliest", streaming=False, config=config)
        rows = alert_records(valid_readings(parse_readings(records)), config.threshold, "test-job").collect()
    finally:
        delete_topic(topic_name, broker)
    alerts = [Alert.from_value(row["value"], time.time()) for row in rows]
    assert all(alert is not None for alert in alerts), rows
    assert {(a.source_partition, a.source_offset) for a in alerts} == hot and len(alerts) == len(hot)
    assert all(a.suhu > config.threshold and a.job == "test-job" for a in alerts)
    assert sorted(row["key"].decode() for row in rows) == sorted(a.sensor_id for a in alerts)
    assert sorted(a.suhu for a in alerts) == [80.0001, 81.0, 95.5]


class _Program:
    """A running terminal program whose stdout and stderr lines are collected, each with its arrival time."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [*PROGRAM, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        self.lines: queue.Queue[tuple[str, float, str]] = queue.Queue()
        self.seen: list[tuple[str, float, str]] = []
        for name in ("stdout", "stderr"):
            stream = getattr(self.process, name)
            threading.Thread(target=self._collect, args=(name, stream), daemon=True).start()

    def _collect(self, name: str, stream) -> None:  # noqa: ANN001 - a text stream
        for line in stream:
            self.lines.put((name, time.time(), line.rstrip("\n")))

    def wait_for(self, stream: str, match, timeout_s: float) -> tuple[float, str]:  # noqa: ANN001
        """The first new line of ``stream`` for which ``match(line)`` holds, with when it arrived."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                name, at, line = self.lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append((name, at, line))
            if name == stream and match(line):
                return at, line
        printed = "\n".join(f"{name}: {line}" for name, _at, line in self.seen[-20:])
        raise AssertionError(
            f"no matching {stream} line within {timeout_s:.0f} s; the program printed:\n{printed}"
        )

    def stop(self) -> None:
        """Ctrl-C, as a user would; kill it only if it does not end."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        time.sleep(0.2)  # let the reader threads drain the pipes
        while not self.lines.empty():
            self.seen.append(self.lines.get())

    def printed(self, stream: str) -> list[str]:
        return [line for name, _at, line in self.seen if name == stream]


def test_sensor_alerts_realtime_prints_an_alert_within_a_second(broker: LabConfig, topic_name: str) -> None:
    config = dataclasses.replace(broker, topic=topic_name)
    ensure_topic(config=config)
    env = {**os.environ, "LAB_TOPIC": topic_name}
    producer = make_producer(config, linger_ms=0)
    program = _Program("--realtime", "--json", "--timeout", "300", env=env)
    try:
        program.wait_for("stderr", lambda line: line.startswith("Watching"), STARTUP_S)

        def send(suhu: float) -> tuple[tuple[int, int], float]:
            sent_at = time.time()
            reading = Reading("S1", suhu, iso_utc(datetime.fromtimestamp(sent_at, UTC)))
            where = producer.send(topic_name, reading.to_json(), key=b"S1").get(timeout=30)
            return (where.partition, where.offset), sent_at

        def printed(where: tuple[int, int]):  # noqa: ANN202
            return lambda line: (json.loads(line)["partition"], json.loads(line)["offset"]) == where

        # The first alert after the start also connects the Kafka sink's producer: allowed more time.
        first, first_sent = send(90.0)
        first_seen, _ = program.wait_for("stdout", printed(first), 60)
        cool = [send(80.0)[0], send(79.9)[0]]
        hot, hot_sent = send(80.1)
        hot_seen, line = program.wait_for("stdout", printed(hot), 5)
        print(
            f"first alert after {first_seen - first_sent:.3f} s, the next after {hot_seen - hot_sent:.3f} s"
        )
        assert hot_seen - hot_sent < 1.0, f"the alert took {hot_seen - hot_sent:.2f} s: {line}"
        time.sleep(2)  # anything the cool readings raised would be printed by now
    finally:
        program.stop()
        producer.close(timeout=5)
    try:
        assert program.process.returncode == 0, program.printed("stderr")
        alerts = [json.loads(line) for line in program.printed("stdout")]
        assert {(a["partition"], a["offset"]) for a in alerts} == {first, hot}, alerts
        assert all(a["suhu"] > config.threshold for a in alerts)
        assert not {(a["partition"], a["offset"]) for a in alerts} & set(cool)
        # The alerts topic holds exactly these alerts, from the program's job only.
        on_topic = _read_all(config, alerts_topic(config))
        assert {(a.source_partition, a.source_offset) for a in on_topic} == {first, hot}
        assert len({a.job for a in on_topic}) == 1 and all(a.suhu > config.threshold for a in on_topic)
        stderr = "\n".join(program.printed("stderr"))
        assert "Exception" not in stderr and "WARN" not in stderr, stderr
    finally:
        delete_topic(topic_name, broker)
        delete_topic(alerts_topic(config), broker)


def _read_all(config: LabConfig, topic: str) -> list[Alert]:
    """Every record of ``topic`` (all are expected to be alerts)."""
    consumer = make_consumer(config, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        values = []
        deadline = time.monotonic() + 30
        while any(consumer.position(p) < ends[p] for p in partitions) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                values += [record.value for record in batch]
    finally:
        consumer.close()
    alerts = [Alert.from_value(value, time.time()) for value in values]
    assert all(alert is not None for alert in alerts), values
    return alerts


def test_realtime_config_gives_a_local_master_a_slot_per_partition_twice(
    monkeypatch, broker: LabConfig
) -> None:
    monkeypatch.setattr(realtime, "topic_partitions", lambda config, topic=None: 3)

    def master(value: str) -> str:
        return realtime.realtime_config(dataclasses.replace(broker, spark_master=value)).spark_master

    assert master("local[2]") == master("local") == "local[6]"
    assert master("local[8]") == "local[8]"  # already enough
    assert master("spark://teacher:7077") == "spark://teacher:7077"  # a cluster brings its own slots


@pytest.mark.parametrize(
    "value",
    [None, b"", b"garbage", b"[1, 2]", b'{"sensor_id": "S1", "suhu": 85}', b'{"job": ["x"]}'],
)
def test_a_record_that_is_no_alert_is_skipped(value: bytes | None) -> None:
    assert Alert.from_value(value, time.time()) is None


def test_an_alert_knows_its_latency() -> None:
    value = json.dumps(
        {
            "sensor_id": "S1",
            "suhu": 85.0,
            "event_time": "2026-11-27T10:00:00.000Z",
            "source_partition": 2,
            "source_offset": 17,
            "job": "j",
        }
    ).encode()
    alert = Alert.from_value(value, datetime(2026, 11, 27, 10, 0, 0, 25_000, tzinfo=UTC).timestamp())
    assert alert is not None and round(alert.latency_s, 3) == 0.025
    assert alert.record() == {
        "sensor_id": "S1",
        "suhu": 85.0,
        "event_time": "2026-11-27T10:00:00.000Z",
        "partition": 2,
        "offset": 17,
    }
