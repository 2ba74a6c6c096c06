"""Read the topic live and print every reading: the reference consumer.

Notebook 03 writes this consumer in its cells: a ``KafkaConsumer`` with a ``group_id``,
``auto_offset_reset`` and ``enable_auto_commit=False``, a ``poll(timeout_ms=POLL_MS)`` loop bounded by a
deadline, ``commit()`` after each batch was handled, and ``assign`` + ``seek_to_beginning`` for a reader
without a group. :func:`consume_live` follows the same rules for the tests, and ``sensor-consumer``
(``lab_utils/programs/sensor_consumer.py``) runs the same loop. Values stay bytes (no
``value_deserializer``): each record is parsed on its own (:func:`received_from`), so a record that is
not a valid reading is shown with its reason and skipped; one bad message never stops the consumer.
:func:`format_record` is the line a cell prints. :func:`read_range` and :func:`read_at` read records
back by their coordinates, for self-checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from lab_utils.clients import make_consumer
from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.reference.readings import InvalidReading, Reading, parse

# How long one poll() waits for records when none are there yet (notebook 03's loop uses it too).
POLL_MS = 200


@dataclass(frozen=True)
class Received:
    """One record as the consumer saw it: where it came from, and the reading or why it is none."""

    partition: int
    offset: int
    reading: Reading | None
    problem: str | None = None


def format_received(item: Received, threshold: float) -> str:
    """One console line; readings above the threshold are marked so they stand out."""
    where = f"p{item.partition}@{item.offset}"
    if item.reading is None:
        return f"· {where:>8}  skipped: {item.problem}"  # ✗ is kept for errors; a bad record is news
    reading = item.reading
    mark = f"  ⚠ ABOVE {threshold:g} °C" if reading.is_alert(threshold) else ""
    return f"  {where:>8}  {reading.sensor_id:<4} {reading.suhu:6.1f} °C  {reading.ts or '-'}{mark}"


def received_from(record: ConsumerRecord) -> Received:
    """Parse one record's value (bytes) into a reading, or keep the reason it is not one."""
    try:
        return Received(record.partition, record.offset, parse(record.value))
    except InvalidReading as invalid:
        return Received(record.partition, record.offset, None, invalid.reason)


def format_record(record: ConsumerRecord, threshold: float) -> str:
    """The console line for one Kafka record (notebook 03's poll loop prints it)."""
    return format_received(received_from(record), threshold)


def _open(config: LabConfig, topic: str, group_id: str | None, from_beginning: bool) -> KafkaConsumer:
    consumer = make_consumer(
        config,
        group_id=group_id,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,  # commit() after each handled batch instead, as notebook 03 does
    )
    # Asking for the partitions first also loads the topic's metadata before a group is joined,
    # so the group's first assignment is not empty.
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        consumer.close()
        raise LabError(
            f"Topic {topic} does not exist yet: create it first (notebook 01, or start the producer)."
        )
    if group_id is not None:
        consumer.subscribe([topic])
        return consumer
    assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(assigned)
    (consumer.seek_to_beginning if from_beginning else consumer.seek_to_end)(*assigned)
    for partition in assigned:  # fix the positions now: "from now" means from this call, not the first poll
        consumer.position(partition)
    return consumer


def consume_live(
    seconds: float | None = None,
    max_messages: int | None = None,
    from_beginning: bool = False,
    group_id: str | None = None,
    topic: str | None = None,
    *,
    config: LabConfig,
    show: Callable[[str], None] | None = print,
) -> list[Received]:
    """Print readings as they arrive until ``seconds`` pass or ``max_messages`` arrived.

    ``seconds`` defaults to the profile's ``consume_seconds``: a notebook cell always ends, even
    when fewer than ``max_messages`` records come. Pass ``math.inf`` to run until interrupted.
    """
    topic = topic or config.topic
    deadline = time.monotonic() + (config.consume_seconds if seconds is None else seconds)
    consumer = _open(config, topic, group_id, from_beginning)
    received: list[Received] = []
    try:
        while time.monotonic() < deadline and (max_messages is None or len(received) < max_messages):
            batches = consumer.poll(
                timeout_ms=POLL_MS, max_records=max_messages and max_messages - len(received)
            )
            for record in (record for batch in batches.values() for record in batch):
                item = received_from(record)
                received.append(item)
                if show is not None:
                    show(format_received(item, config.threshold))
            if group_id is not None and batches:
                consumer.commit()  # the batch was handled: now the group's position moves past it
    finally:
        consumer.close()
    return received


def read_range(
    start: dict[TopicPartition, int],
    end: dict[TopicPartition, int],
    *,
    config: LabConfig,
    timeout_s: float = 10.0,
) -> list[ConsumerRecord]:
    """Every record with ``start[tp] <= offset < end[tp]``, read by a consumer without a group.

    Self-checks use it to find what really is at those coordinates, independently of the consumer
    under test. Bounded by ``timeout_s``: records that do not exist (yet) are simply not returned.
    """
    wanted = {tp: (start[tp], end[tp]) for tp in start if tp in end and start[tp] < end[tp]}
    if not wanted:
        return []
    consumer = make_consumer(config, enable_auto_commit=False, auto_offset_reset="earliest")
    found: list[ConsumerRecord] = []
    try:
        consumer.assign(list(wanted))
        for tp, (first, _) in wanted.items():
            consumer.seek(tp, first)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and any(consumer.position(tp) < wanted[tp][1] for tp in wanted):
            for tp, records in consumer.poll(timeout_ms=POLL_MS).items():
                found += [r for r in records if wanted[tp][0] <= r.offset < wanted[tp][1]]
    finally:
        consumer.close()
    return sorted(found, key=lambda r: (r.partition, r.offset))


def read_at(
    coordinates: Iterable[tuple[int, int]], topic: str | None = None, *, config: LabConfig
) -> dict[tuple[int, int], ConsumerRecord]:
    """The records stored at these (partition, offset) coordinates of ``topic``; missing ones are absent."""
    topic = topic or config.topic
    wanted = set(coordinates)
    start: dict[TopicPartition, int] = {}
    end: dict[TopicPartition, int] = {}
    for partition, offset in wanted:
        tp = TopicPartition(topic, partition)
        start[tp] = min(start.get(tp, offset), offset)
        end[tp] = max(end.get(tp, offset + 1), offset + 1)
    records = read_range(start, end, config=config)
    return {(r.partition, r.offset): r for r in records if (r.partition, r.offset) in wanted}
