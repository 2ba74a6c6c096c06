"""Read the topic live and print every reading: the reference consumer.

Notebook 03 writes this consumer in its cells: a ``KafkaConsumer`` with a ``group_id``,
``auto_offset_reset`` and ``enable_auto_commit=False``, a ``poll(timeout_ms=POLL_MS)`` loop bounded by a
deadline, ``commit()`` after each batch was handled, and ``assign`` + ``seek_to_beginning`` for a reader
without a group. :func:`consume_live` follows the same rules for the tests, and ``sensor-consumer``
(``lab_utils/programs/sensor_consumer.py``) runs the same loop. Values stay bytes (no
``value_deserializer``): each record is parsed on its own (:func:`received_from`), so a record that is
not a valid reading is shown with its reason and skipped; one bad message never stops the consumer.
:func:`format_record` is the line a cell prints. :func:`read_range` and :func:`read_at` read records
back by their coordinates, for self-checks; :func:`poll_loop_problems` and :func:`group_read_problems`
check notebook 03's poll loops, and :func:`poll_and_commit` is the finished loop its later cells run
while that exercise is not done.
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
from lab_utils.stack.messages import shown

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
    """The console line for one Kafka record (notebook 03's poll loop prints it), in the kernel's language."""
    return shown(format_received(received_from(record), threshold))


def _open(config: LabConfig, topic: str, group_id: str | None, from_beginning: bool) -> KafkaConsumer:
    consumer = make_consumer(
        config,
        group_id=group_id,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,  # commit() after each handled batch instead, as notebook 03 does
    )
    if group_id is not None:
        # Subscribe first, then ask for the partitions: the topic's metadata is there before the first
        # poll() joins the group, so the group assigns all partitions once. In the other order kafka-python
        # assigns twice, and a commit() between the two is refused (RebalanceInProgressError).
        consumer.subscribe([topic])
    partitions = consumer.partitions_for_topic(topic)  # also loads the topic's metadata
    if not partitions:
        consumer.close()
        raise LabError(
            f"Topic {topic} does not exist yet: create it first (notebook 01, or start the producer)."
        )
    if group_id is not None:
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


def poll_and_commit(consumer: KafkaConsumer, seconds: float) -> list[ConsumerRecord]:
    """Notebook 03's poll loop, finished: every record for ``seconds``, a commit after each batch."""
    kept: list[ConsumerRecord] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batches = consumer.poll(timeout_ms=POLL_MS)
        for records in batches.values():
            kept += records
        if batches:
            consumer.commit()
    return kept


def poll_loop_problems(kept: list[object], consumer: KafkaConsumer, *, config: LabConfig) -> list[str]:
    """Notebook 03's check of a poll loop's records and commits, by (partition, offset); empty: right.

    In each partition the loop read, ``kept`` must hold every record Kafka has from the first offset
    read to the last, in order, once each; the group's committed offset must be one past the last, and
    equal to the consumer's position (nothing read after the last commit).
    """
    strangers = [item for item in kept if not isinstance(item, ConsumerRecord)]
    if strangers:
        return [
            f"`live` holds {type(strangers[0]).__name__} objects, not records: poll() returns "
            "{TopicPartition: [records]}, so loop over the lists in batches.values()"
        ]
    records = [item for item in kept if isinstance(item, ConsumerRecord)]
    topic = records[0].topic if records else config.topic
    first: dict[TopicPartition, int] = {}
    last: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        first.setdefault(tp, record.offset)
        last[tp] = record.offset
    committed = {tp: consumer.committed(tp) for tp in consumer.assignment()}
    if not any(offset is not None for offset in committed.values()):
        return ["the group committed nothing: call consumer.commit() after you handled each batch"]
    for tp in sorted(last, key=lambda tp: tp.partition):
        offset = committed.get(tp)
        if offset is not None and offset > last[tp] + 1:
            return [
                f"in partition {tp.partition} the group committed {offset}, past the last record you kept "
                f"(offset {last[tp]}): commit() saves the position after every record poll() returned, so "
                "keep them all"
            ]
        if offset != last[tp] + 1:
            return [
                f"in partition {tp.partition} the group committed {offset}, but the last record you kept "
                f"is at offset {last[tp]}: commit() right after you handled each batch"
            ]
    if any(consumer.position(tp) != offset for tp, offset in committed.items() if offset is not None):
        return ["the consumer read on after its last commit(): commit after every batch, the last one too"]
    there = read_range(first, {tp: offset + 1 for tp, offset in last.items()}, config=config)
    expected = [(r.partition, r.offset) for r in there]
    got = sorted((r.partition, r.offset) for r in records)
    if got != expected or topic != config.topic:
        missing = sorted(set(expected) - set(got))
        where = f", e.g. p{missing[0][0]}@{missing[0][1]}" if missing else ""
        return [
            f"you kept {len(got)} records, but Kafka holds {len(expected)} between the first and last "
            f"offsets you read{where}: keep every record of every batch, once"
        ]
    return []


def group_read_problems(
    kept: list[ConsumerRecord],
    on_broker: dict[int, int],
    placed: set[tuple[int, int]],
    topic: str,
    wanted: int,
) -> list[str]:
    """Notebook 03's check of a group that read ``wanted`` records of a fresh ``topic`` and committed.

    ``placed``: the (partition, offset) of every record the notebook put in ``topic`` before the group
    started; ``on_broker``: partition -> the offset the broker holds for the group. Empty: right.
    """
    if not kept:
        return [
            f"you read none of the {len(placed)} readings the cell put in `{topic}` before your consumer "
            'started. A new group with auto_offset_reset="latest" starts at the end: "earliest" starts at '
            "the oldest record"
        ]
    if any((r.topic, r.partition, r.offset) not in {(topic, *at) for at in placed} for r in kept):
        return [f"you read records that the cell did not put in `{topic}`: subscribe to `{topic}`"]
    if not on_broker:
        return ["the group committed nothing: call commit() after the loop"]
    kept_to: dict[int, int] = {}  # partition -> one past the last record kept
    for record in kept:
        kept_to[record.partition] = record.offset + 1
    if any(on_broker.get(partition) != offset for partition, offset in kept_to.items()):
        return [
            f"the broker holds {on_broker} for the group, but you kept records up to {kept_to}. commit() "
            "saves the position after everything poll() returned, not after what you kept: ask poll() for "
            f"no more than you still need, max_records={wanted} - len(...)"
        ]
    if len(kept) != wanted:
        return [
            f"you kept {len(kept)} records, not {wanted}: ask poll() for at most the number you still "
            f"need, max_records={wanted} - len(...)"
        ]
    return []
