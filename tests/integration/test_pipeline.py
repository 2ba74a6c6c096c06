"""Producer, live consumer and the alert job on the real broker and real Spark."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from kafka import KafkaConsumer

from lab_utils.config import LabConfig
from lab_utils.reference import consumer as consumer_module
from lab_utils.reference.consumer import Received, consume_live
from lab_utils.reference.producer import BackgroundProducer, send_raw
from lab_utils.reference.topics import describe_topic, ensure_topic
from lab_utils.topics import partition_for, record_count
from tests.conftest import free_port_pair

pytestmark = pytest.mark.integration


def _config_for(broker: LabConfig, topic: str) -> LabConfig:
    return dataclasses.replace(broker, topic=topic)


def _cli(
    program: str, *args: str, env: dict[str, str], timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", f"lab_utils.programs.sensor_{program}", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def test_ensure_topic_is_idempotent_and_uses_the_configured_partitions(
    broker: LabConfig, topic_name: str
) -> None:
    config = _config_for(broker, topic_name)
    assert ensure_topic(config=config).startswith(
        f"Created topic {topic_name} with {broker.partitions} partitions"
    )
    assert "already exists" in ensure_topic(config=config)
    assert len(describe_topic(config=config).partitions) == broker.partitions


def test_background_producer_delivers_every_reading_keyed_by_sensor(
    broker: LabConfig, topic_name: str
) -> None:
    config = _config_for(broker, topic_name)
    producer = BackgroundProducer(sensors=4, interval_s=0.05, max_rounds=25, seed=3, config=config)
    assert producer.start().startswith("Producer started: 4 sensors")
    assert "already running" in producer.start()
    assert producer.wait(30)
    stopped = producer.stop()
    stats = producer.stats()
    assert (stats.sent, stats.acked, stats.failed) == (100, 100, 0), stopped
    assert producer.stop() == "The producer is not running."

    received = consume_live(max_messages=100, seconds=20, from_beginning=True, config=config, show=None)
    assert len(received) == 100 and record_count(config.topic, config) == 100
    for item in received:
        assert item.reading is not None
        assert item.partition == partition_for(item.reading.sensor_id, broker.partitions)
    per_sensor = {}
    for item in sorted(received, key=lambda i: (i.partition, i.offset)):
        per_sensor.setdefault(item.reading.sensor_id, []).append(item.reading.ts)
    assert sorted(per_sensor) == ["S1", "S2", "S3", "S4"]
    assert all(times == sorted(times) for times in per_sensor.values())  # per-key order is kept


def test_consumer_shows_bad_records_and_keeps_going(broker: LabConfig, topic_name: str) -> None:
    config = _config_for(broker, topic_name)
    ensure_topic(config=config)
    send_raw(b'{"sensor_id": "S1", "suhu": 70}', key=b"S1", config=config)
    send_raw(b"\x00\x01 not json", key=b"S1", config=config)
    send_raw(b'{"sensor_id": "S1", "suhu": 85.5}', key=b"S1", config=config)
    lines: list[str] = []
    received = consume_live(max_messages=3, seconds=20, from_beginning=True, config=config, show=lines.append)
    assert [item.problem for item in received] == [None, "not JSON", None]
    assert "⚠ ABOVE 80 °C" in lines[2] and lines[1].startswith("·")


def test_a_consumer_group_carries_on_where_it_stopped(broker: LabConfig, topic_name: str) -> None:
    config = _config_for(broker, topic_name)
    producer = BackgroundProducer(sensors=3, interval_s=0.01, max_rounds=10, config=config)
    producer.start()
    producer.wait(30)
    producer.stop()
    group = f"group-{topic_name}"
    first = consume_live(
        max_messages=12, seconds=20, from_beginning=True, group_id=group, config=config, show=None
    )
    second = consume_live(max_messages=30, seconds=8, group_id=group, config=config, show=None)
    seen = {(i.partition, i.offset) for i in first} | {(i.partition, i.offset) for i in second}
    assert len(first) == 12 and len(second) == 18 and len(seen) == 30


def test_a_new_group_gets_its_partitions_in_one_assignment(
    broker: LabConfig, topic_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Not two: a commit() between two assignments is refused (RebalanceInProgressError), as CI once saw."""
    config = _config_for(broker, topic_name)
    ensure_topic(config=config)
    group = f"once-{topic_name}"
    caplog.set_level(logging.INFO, logger="kafka.coordinator.consumer")  # kafka-python logs each assignment
    consume_live(seconds=2, group_id=group, config=config, show=None)
    assigned = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Setting newly assigned")]
    assert [message for message in assigned if message.endswith(f"for group {group}")] == assigned
    assert len(assigned) == 1 and f"'{topic_name}', partition=0" in assigned[0]


open_consumer = consumer_module._open  # the real one, kept before a test wraps it


def test_from_now_skips_history_and_reads_what_comes_after(
    broker: LabConfig, topic_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config_for(broker, topic_name)
    ensure_topic(config=config)
    send_raw(b'{"sensor_id": "S1", "suhu": 70}', key=b"S1", config=config)  # history
    positioned = threading.Event()

    def open_and_tell(*args: Any) -> KafkaConsumer:  # the real _open; the test learns when it returned
        opened = open_consumer(*args)
        positioned.set()
        return opened

    monkeypatch.setattr(consumer_module, "_open", open_and_tell)
    received: list[Received] = []
    reader = threading.Thread(
        target=lambda: received.extend(consume_live(seconds=8, max_messages=2, config=config, show=None))
    )
    reader.start()
    assert positioned.wait(timeout=30), "the consumer did not open"
    partition, offset = send_raw(b'{"sensor_id": "S2", "suhu": 81.5}', key=b"S2", config=config)
    reader.join(timeout=30)
    assert [(r.partition, r.offset, r.reading and r.reading.sensor_id) for r in received] == [
        (partition, offset, "S2")
    ]


def test_sensor_alerts_available_now_prints_exactly_the_readings_above_80(
    broker: LabConfig, topic_name: str
) -> None:
    config = _config_for(broker, topic_name)
    ensure_topic(config=config)
    payloads = [
        b'{"sensor_id": "S1", "suhu": 70}',  # classic payload, no ts
        b'{"sensor_id": "S2", "suhu": 80}',  # exactly 80: not an alert
        b'{"sensor_id": "S3", "suhu": 81}',  # classic payload, integer, alert
        b'{"sensor_id": "S1", "suhu": 92.5, "ts": "2026-11-27T10:00:00.000Z"}',
        b"garbage",
    ]
    for payload in payloads:
        send_raw(payload, key=b"S1", config=config)
    env = {**os.environ, "LAB_TOPIC": topic_name}
    result = _cli("alerts", "--available-now", "--from-beginning", "--json", env=env)
    assert result.returncode == 0, result.stderr
    alerts = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted((a["sensor_id"], a["suhu"]) for a in alerts) == [("S1", 92.5), ("S3", 81.0)]
    assert "Exception" not in result.stderr and "WARN" not in result.stderr


def test_sensor_alerts_threshold_option(broker: LabConfig, topic_name: str) -> None:
    config = _config_for(broker, topic_name)
    ensure_topic(config=config)
    for suhu in (84, 85, 86):
        send_raw(json.dumps({"sensor_id": "S1", "suhu": suhu}).encode(), key=b"S1", config=config)
    env = {**os.environ, "LAB_TOPIC": topic_name}
    result = _cli("alerts", "--available-now", "--from-beginning", "--threshold", "85", env=env)
    assert result.returncode == 0, result.stderr
    assert [line.split()[2:4] for line in result.stdout.splitlines()] == [["S1", "86.0"]]


def test_producer_and_consumer_programs_work_end_to_end(broker: LabConfig, topic_name: str) -> None:
    env = {**os.environ, "LAB_TOPIC": topic_name}
    produced = _cli(
        "producer", "--count", "4", "--interval", "0.05", "--sensors", "2", "--seed", "1", env=env
    )
    assert produced.returncode == 0, produced.stderr
    assert produced.stdout.count("Sent: ") == 8
    consumed = _cli("consumer", "--from-beginning", "--max-messages", "8", "--timeout", "20", env=env)
    assert consumed.returncode == 0, consumed.stderr
    assert len([line for line in consumed.stdout.splitlines() if "°C" in line]) == 8


@pytest.mark.parametrize(
    ("program", "args"),
    [("producer", ["--count", "1"]), ("consumer", ["--timeout", "30"]), ("alerts", ["--available-now"])],
)
def test_programs_give_up_after_the_connect_timeout_with_one_sentence_when_no_broker_answers(
    program: str, args: list[str]
) -> None:
    """With LAB_CONNECT_TIMEOUT_S=1 each program gives up long before kafka-python's own 30 s wait
    (or the consumer's --timeout 30). The bound tells a hang from an answer, on any load; how fast
    the sentence comes is the benchmark's "broker down" section."""
    env = {
        **os.environ,
        "LAB_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port_pair()}",
        "LAB_CONNECT_TIMEOUT_S": "1",
    }
    started = time.monotonic()
    result = _cli(program, *args, env=env, timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert elapsed < 20
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: No Kafka broker answers at"), result.stderr


@pytest.mark.parametrize("program", ["producer", "consumer", "alerts", "history"])
def test_programs_explain_themselves(program: str) -> None:
    result = _cli(program, "--help", env=dict(os.environ), timeout=60)
    assert result.returncode == 0 and "usage: sensor-" in result.stdout
