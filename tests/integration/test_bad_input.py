"""Bad input never stops the pipeline, never loses a valid reading, and lands in the dead-letter topic.

One test per class of bad input. Every record is injected with a raw producer into a fresh topic;
the notebook-04 pipeline (``SensorPipeline``) then reads the topic from the beginning.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import subprocess
import sys
import time

import pytest

from lab_utils.clients import make_consumer
from lab_utils.config import LabConfig
from lab_utils.reference import readings as rules
from lab_utils.reference.pipeline import SensorPipeline
from lab_utils.reference.producer import send_raw
from lab_utils.reference.topics import ensure_topic
from lab_utils.streaming import active_query

pytestmark = pytest.mark.integration

PADDING = "x" * 1_000_000
BAD: dict[str, tuple[bytes | None, bytes | None, str]] = {
    # class: (key, value, expected reason)
    "not JSON": (b"S1", b"suhu=70", rules.NOT_JSON),
    "not UTF-8": (b"S1", b"\xff\xfe\xfa not text", rules.NOT_UTF8),
    "no sensor_id": (b"S1", b'{"suhu": 70.5}', rules.NO_SENSOR_ID),
    "no suhu": (b"S1", b'{"sensor_id": "S1"}', rules.NO_SUHU),
    "suhu string": (b"S1", b'{"sensor_id": "S1", "suhu": "70.5"}', rules.SUHU_NOT_NUMBER),
    "suhu null": (b"S1", b'{"sensor_id": "S1", "suhu": null}', rules.SUHU_NULL),
    "suhu NaN": (b"S1", b'{"sensor_id": "S1", "suhu": NaN}', rules.NOT_JSON),  # RFC 8259 has no NaN
    "too cold": (b"S2", b'{"sensor_id": "S2", "suhu": -51}', rules.SUHU_OUT_OF_RANGE),
    "too hot": (b"S2", b'{"sensor_id": "S2", "suhu": 500.5}', rules.SUHU_OUT_OF_RANGE),
    "empty value": (b"S3", b"", rules.EMPTY),
    "1 MB not JSON": (b"S3", PADDING.encode(), rules.NOT_JSON),
}
GOOD: dict[str, tuple[bytes | None, bytes]] = {
    "plain": (b"S1", b'{"sensor_id": "S1", "suhu": 70.1, "ts": "2026-11-27T10:00:00.000Z"}'),
    "classic integer": (b"S2", b'{"sensor_id": "S2", "suhu": 81}'),
    "unknown fields": (b"S3", b'{"sensor_id": "S3", "suhu": 82.5, "machine": "press-7", "unit": "C"}'),
    "null key": (None, b'{"sensor_id": "S4", "suhu": 79.0}'),
    "1 MB valid": (b"S5", json.dumps({"sensor_id": "S5", "suhu": 90.0, "note": PADDING[:999_000]}).encode()),
    "limits": (b"S6", b'{"sensor_id": "S6", "suhu": 500}'),
}


@pytest.fixture(scope="module")
def outcome(spark, broker: LabConfig):
    """Inject every record (bad and good interleaved), run the pipeline, and collect what it made."""
    topic = f"bad-input-{int(time.time() * 1000)}"
    config = dataclasses.replace(broker, topic=topic, dlq_topic=f"{topic}-dlq", trigger_seconds=0.5)
    ensure_topic(config=config)
    offsets: dict[str, tuple[int, int]] = {}
    for bad, good in itertools.zip_longest(BAD.items(), GOOD.items()):  # bad and good interleaved
        for name, (key, value, *_) in (item for item in (bad, good) if item):
            offsets[name] = send_raw(value, key=key, config=config)
    pipeline = SensorPipeline(spark, starting_offsets="earliest", config=config)
    pipeline.start()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        snapshot = pipeline.snapshot()
        if len(snapshot.readings) >= len(GOOD) and len(snapshot.rejected) >= len(BAD):
            break
        time.sleep(0.5)
    still_running = active_query(spark, SensorPipeline.QUERY) is not None
    pipeline.stop()
    return config, offsets, snapshot, still_running


def _dead_letters(
    config: LabConfig,
) -> dict[tuple[int, int], tuple[bytes | None, bytes | None, dict[str, bytes]]]:
    consumer = make_consumer(config, auto_offset_reset="earliest", consumer_timeout_ms=5000)
    consumer.subscribe([config.dlq_topic])
    found = {}
    for record in consumer:
        headers = dict(record.headers)
        source = (int(headers["source-partition"]), int(headers["source-offset"]))
        found[source] = (record.key, record.value, headers)
    consumer.close()
    return found


@pytest.fixture(scope="module")
def dead_letters(outcome):
    return _dead_letters(outcome[0])


@pytest.mark.parametrize("name", list(BAD), ids=list(BAD))
def test_each_bad_record_is_rejected_with_its_reason_and_dead_lettered(
    outcome, dead_letters, name: str
) -> None:
    config, offsets, snapshot, still_running = outcome
    key, value, reason = BAD[name]
    partition, offset = offsets[name]
    row = snapshot.rejected.set_index(["partition", "offset"]).loc[(partition, offset)]
    assert row["reason"] == reason
    assert still_running
    dlq_key, dlq_value, headers = dead_letters[(partition, offset)]
    assert dlq_key == key and headers["reason"].decode() == reason
    assert (dlq_value or b"") == value  # same bytes, even 1 MB; an empty value may come back as null


@pytest.mark.parametrize("name", list(GOOD), ids=list(GOOD))
def test_each_valid_reading_is_kept(outcome, name: str) -> None:
    _, offsets, snapshot, still_running = outcome
    key, value = GOOD[name]
    partition, offset = offsets[name]
    readings = snapshot.readings.set_index(["partition", "offset"])
    assert (partition, offset) in readings.index
    assert readings.loc[(partition, offset), "suhu"] == json.loads(value)["suhu"]
    assert still_running


def test_nothing_else_was_rejected_or_kept(outcome, dead_letters) -> None:
    _, _, snapshot, _ = outcome
    assert len(snapshot.rejected) == len(BAD) == len(dead_letters)
    assert len(snapshot.readings) == len(GOOD)
    assert set(snapshot.alerts["sensor_id"]) == {"S2", "S3", "S5", "S6"}  # 81, 82.5, 90, 500


def test_sensor_alerts_available_now_dead_letters_bad_input_too(outcome, broker: LabConfig) -> None:
    config = outcome[0]
    dlq = f"{config.topic}-cli-dlq"
    env = {**os.environ, "LAB_TOPIC": config.topic, "LAB_DLQ_TOPIC": dlq}
    result = subprocess.run(
        [sys.executable, "-m", "lab_utils.programs.sensor_alerts", "--available-now", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert f"{len(BAD)} records were not readings: sent to {dlq}." in result.stderr
    assert len(_dead_letters(dataclasses.replace(config, dlq_topic=dlq))) == len(BAD)
    assert sorted(json.loads(line)["sensor_id"] for line in result.stdout.splitlines()) == [
        "S2",
        "S3",
        "S5",
        "S6",
    ]
