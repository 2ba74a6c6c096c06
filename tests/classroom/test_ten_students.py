"""Ten students producing at once lose nothing: each proves its own records by (partition, offset)."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest

from lab_utils.clients import make_producer
from lab_utils.config import LabConfig
from lab_utils.reference.consumer import read_at
from lab_utils.reference.topics import ensure_topic
from lab_utils.stack.class_cluster import student_names
from tests.classroom.conftest import Class

pytestmark = pytest.mark.integration

STUDENTS = 10
RECORDS = 500  # per student, sent as fast as the producer goes (acks=all, idempotent)


def _produce(config: LabConfig, topic: str, start: threading.Barrier, sent: dict[str, dict]) -> None:
    producer = make_producer(config, linger_ms=5)
    try:
        start.wait(timeout=60)
        futures = []
        for number in range(RECORDS):
            value = json.dumps({"sensor_id": f"S{number % 3 + 1}", "suhu": 60 + number % 40, "n": number})
            futures.append(
                (value, producer.send(topic, key=f"S{number % 3 + 1}".encode(), value=value.encode()))
            )
        producer.flush(timeout=60)
        sent[config.sasl_username] = {
            (metadata.partition, metadata.offset): value
            for value, metadata in ((value, future.get(timeout=10)) for value, future in futures)
        }
    finally:
        producer.close()


def test_ten_students_producing_at_once_lose_nothing(classroom: Class) -> None:
    run = uuid.uuid4().hex[:6]
    students = [classroom.account(name) for name in student_names(STUDENTS)]
    topics = {student.sasl_username: student.topic_name(f"ten-{run}") for student in students}
    for student in students:
        ensure_topic(topics[student.sasl_username], config=student)
    start, sent = threading.Barrier(STUDENTS + 1), {}
    threads = [
        threading.Thread(target=_produce, args=(student, topics[student.sasl_username], start, sent))
        for student in students
    ]
    for thread in threads:
        thread.start()
    start.wait(timeout=60)
    began = time.monotonic()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - began
    assert sorted(sent) == student_names(STUDENTS), "a student's producer failed"
    for student in students:  # each student reads back their own records, as themselves, by coordinates
        mine = sent[student.sasl_username]
        stored = read_at(mine, topics[student.sasl_username], config=student)
        assert len(mine) == RECORDS, f"{student.sasl_username}: two records share coordinates"
        assert {where: record.value.decode() for where, record in stored.items()} == mine
    total = STUDENTS * RECORDS
    print(
        f"ten students: {total} records acknowledged (acks=all) in {elapsed:.2f} s, {total / elapsed:.0f}/s"
    )
