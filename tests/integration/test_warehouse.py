"""``warehouse-alerts`` on the real broker and Spark, fed by writers the lab does not use for producing.

Kafka's own ``kafka-console-producer`` writes the first part of a scripted sequence to both topics, a raw
kafka-python producer (no lab code) the rest: a second producer with a warehouse the first one also sends.
The sequence holds one pair for each status (80.0 °C and 70.0 % exactly, which are not high), a pair 9 s
apart (joined) and one 11 s apart (not joined), malformed records on both topics, and a late pair stamped
behind the watermark. The topics have one partition each and the program reads at most three records of
each per micro-batch, so the watermark moves on batch by batch as it would live; every expected row and
every absent one is named by its Kafka coordinates. One Spark job (``--json``); the text format's lines
are tested on the same printers in tests/unit/test_warehouse.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer

from lab_utils.config import LabConfig

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
BATCH = 3  # records of each topic per micro-batch (--max-offsets-per-trigger)
BOTH, SUHU, KELEMBABAN, SAFE = (
    "Bahaya tinggi! Barang berisiko rusak",
    "Suhu tinggi, kelembaban normal",
    "Kelembaban tinggi, suhu aman",
    "Aman",
)


def _reading(gudang: str, measure: str, value: float, at: datetime) -> str:
    return json.dumps(
        {"gudang_id": gudang, measure: value, "ts": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}
    )


def _script(run: str, base: datetime) -> dict[str, list[tuple[str, str | None]]]:
    """Each topic's records in offset order, as (key, value); a key of None marks the second writer."""

    def at(seconds: float) -> datetime:
        return base + timedelta(seconds=seconds)

    def s(case: str, value: float, seconds: float) -> tuple[str, str]:
        return f"{run}-{case}", _reading(f"{run}-{case}", "suhu", value, at(seconds))

    def k(case: str, value: float, seconds: float) -> tuple[str, str]:
        return f"{run}-{case}", _reading(f"{run}-{case}", "kelembaban", value, at(seconds))

    ahead = _reading(f"{run}-x", "kelembaban", 75, datetime.now(UTC) + timedelta(minutes=10))
    return {
        "suhu": [
            # writer 1, kafka-console-producer: micro-batches 0 and 1
            s("both", 84, 0), s("suhu", 85, 1), s("kel", 79, 2),
            s("aman", 80.0, 3), s("out", 90, 4), s("edge", 81, 5),
            # writer 2, kafka-python: batch 2 moves event time to base + 60 s; Spark drops late rows by the
            # watermark of the batch before (batch 3's, from batches 0-2), so the late pair comes in batch 4
            s("both", 78, 6), s("adv", 70, 60), ("junk", "not JSON"),
            ("junk", '{"suhu": 85}'), ("junk", f'{{"gudang_id": "{run}-x", "suhu": 9999}}'),
            ("junk", f'{{"gudang_id": "{run}-x", "suhu": 85, "ts": "kemarin"}}'),
            s("late", 88, 30),
        ],
        "kelembaban": [
            k("both", 73, 0.5), k("suhu", 70.0, 1), k("kel", 75, 2),
            k("aman", 70.0, 3), k("out", 90, 15), k("edge", 72, 14),
            ("junk", f'{{"gudang_id": "{run}-x", "kelembaban": "basah"}}'),
            k("adv", 60, 60), ("junk", "[1, 2]"),
            ("junk", ""), ("junk", f'{{"gudang_id": "{run}-x", "kelembaban": null}}'), ("junk", ahead),
            k("late", 88, 30.5),
        ],
    }  # fmt: skip


# (suhu offset, kelembaban offset): the pairs the join must find, with their status; no other pair.
EXPECTED_PAIRS = {
    (0, 0): ("both", 84.0, 73.0, BOTH),
    (1, 1): ("suhu", 85.0, 70.0, SUHU),  # 70.0 % is not high
    (2, 2): ("kel", 79.0, 75.0, KELEMBABAN),
    (3, 3): ("aman", 80.0, 70.0, SAFE),  # 80.0 °C is not high either
    (5, 5): ("edge", 81.0, 72.0, BOTH),  # 9 s apart: inside the 10-second window
    (6, 0): ("both", 78.0, 73.0, KELEMBABAN),  # the second writer's reading of the same warehouse
    (7, 7): ("adv", 70.0, 60.0, SAFE),
}
ABSENT_PAIRS = {(4, 4): "11 s apart: outside the window", (12, 12): "behind the watermark"}
EXPECTED_WARNINGS = {("suhu", offset) for offset in (0, 1, 4, 5, 12)} | {
    ("kelembaban", offset)
    for offset in (0, 2, 4, 5, 12)  # a late reading still warns: no state needed
}
EXPECTED_REJECTED = {
    ("suhu", 8): "not JSON",
    ("suhu", 9): "missing gudang_id",
    ("suhu", 10): "suhu outside -50..500 °C",
    ("suhu", 11): "ts is not an ISO-8601 time",
    ("kelembaban", 6): "kelembaban is not a number",
    ("kelembaban", 8): "not a JSON object",
    ("kelembaban", 9): "empty value",
    ("kelembaban", 10): "kelembaban is null",
    ("kelembaban", 11): "ts is more than 10 s ahead of the clock",
}


@pytest.fixture
def warehouse_topics(broker: LabConfig):
    """Two fresh one-partition topics (the course's ``--partitions 1``), made with plain kafka-python."""
    run = f"w{uuid.uuid4().hex[:8]}"
    topics = {"suhu": f"test-{run}-suhu-gudang", "kelembaban": f"test-{run}-kelembaban-gudang"}
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    admin.create_topics({name: {"num_partitions": 1, "replication_factor": 1} for name in topics.values()})
    try:
        yield run, topics
    finally:
        admin.delete_topics(list(topics.values()))
        admin.close()


def _write(broker: LabConfig, run: str, topics: dict[str, str]) -> None:
    script = _script(run, datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5))
    for measure, records in script.items():  # writer 1: Kafka's own tool, key|value per line
        lines = "".join(f"{key}|{value}\n" for key, value in records[:6])
        written = subprocess.run(
            [str(BIN / "kafka-console-producer"), "--bootstrap-server", broker.bootstrap_servers,
             "--topic", topics[measure], "--property", "parse.key=true", "--property", "key.separator=|"],
            input=lines, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert written.returncode == 0, written.stderr
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)  # writer 2: raw kafka-python
    try:
        for measure, records in script.items():
            for offset, (key, value) in enumerate(records[6:], start=6):
                stored = producer.send(topics[measure], value.encode(), key=key.encode()).get(timeout=30)
                assert (stored.partition, stored.offset) == (0, offset)
    finally:
        producer.close()


def _alerts(topics: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LAB_WAREHOUSE_TEMPERATURE_TOPIC": topics["suhu"],
        "LAB_WAREHOUSE_HUMIDITY_TOPIC": topics["kelembaban"],
        "LAB_TIMEZONE": "Asia/Jakarta",
    }
    command = [sys.executable, "-m", "lab_utils.programs.warehouse_alerts", "--available-now"]
    return subprocess.run(
        [*command, "--max-offsets-per-trigger", str(BATCH), *args],
        capture_output=True, text=True, env=env, timeout=240,
    )  # fmt: skip


def test_warehouse_alerts_joins_each_pair_in_the_window_and_no_other(
    broker: LabConfig, warehouse_topics: tuple[str, dict[str, str]]
) -> None:
    run, topics = warehouse_topics
    _write(broker, run, topics)
    result = _alerts(topics, "--json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    pairs = {(r["suhu_offset"], r["kelembaban_offset"]): r for r in records if "status" in r}
    assert len(pairs) == sum("status" in r for r in records), "a pair was printed twice"
    found = {
        where: (r["gudang_id"].removeprefix(f"{run}-"), r["suhu"], r["kelembaban"], r["status"])
        for where, r in pairs.items()
    }
    assert found == EXPECTED_PAIRS, (
        f"missing {EXPECTED_PAIRS.keys() - found.keys()}, extra {found.keys() - EXPECTED_PAIRS.keys()}"
    )
    assert not ABSENT_PAIRS.keys() & pairs.keys()
    assert {(r["suhu_partition"], r["kelembaban_partition"]) for r in pairs.values()} == {(0, 0)}
    warnings = {(r["measure"], r["offset"]): r for r in records if "label" in r}
    assert set(warnings) == EXPECTED_WARNINGS
    assert {r["label"] for r in warnings.values()} == {
        "[Peringatan Suhu Tinggi]",
        "[Peringatan Kelembaban Tinggi]",
    }
    assert all(r["value"] > (80 if r["measure"] == "suhu" else 70) for r in warnings.values())

    errors = result.stderr.splitlines()
    measure_of = {topic: measure for measure, topic in topics.items()}
    rejected = {}
    for line in errors:
        if line.startswith("· rejected "):
            where, reason = line.removeprefix("· rejected ").split(": ", 1)
            topic, place = where.split(" p")
            rejected[measure_of[topic], int(place.split("@")[1])] = reason
    assert rejected == EXPECTED_REJECTED
    assert "2 readings came later than the watermark (20 seconds): not joined." in errors, errors
