"""Read the topic live and print every reading: a bounded notebook cell, and the ``sensor-consumer`` program.

Notebook 03 uses :func:`consume_live` to show consumer groups and offsets: without a group the
cell reads from the beginning or from now every time; with a group Kafka remembers (commits) how
far the group got, so the next run carries on where the last one stopped. Every run is bounded by
seconds and/or a message count. A record that is not a valid reading is shown with its reason
and skipped: one bad message never stops the consumer.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition

from lab_utils.clients import make_consumer
from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError, run_cli
from lab_utils.readings import InvalidReading, Reading, parse

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
        return f"✗ {where:>8}  skipped: {item.problem}"
    reading = item.reading
    mark = f"  ⚠ ABOVE {threshold:g} °C" if reading.is_alert(threshold) else ""
    return f"  {where:>8}  {reading.sensor_id:<4} {reading.suhu:6.1f} °C  {reading.ts or '-'}{mark}"


def _open(config: LabConfig, topic: str, group_id: str | None, from_beginning: bool) -> KafkaConsumer:
    consumer = make_consumer(
        config,
        group_id=group_id,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=group_id is not None,
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
    return consumer


def consume_live(
    seconds: float | None = None,
    max_messages: int | None = None,
    from_beginning: bool = False,
    group_id: str | None = None,
    topic: str | None = None,
    config: LabConfig | None = None,
    show: Callable[[str], None] | None = print,
) -> list[Received]:
    """Print readings as they arrive until ``seconds`` pass or ``max_messages`` arrived.

    ``seconds`` defaults to the profile's ``consume_seconds``: a notebook cell always ends, even
    when fewer than ``max_messages`` records come. Pass ``math.inf`` to run until interrupted.
    """
    config = config or load_config()
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
                try:
                    item = Received(record.partition, record.offset, parse(record.value))
                except InvalidReading as invalid:
                    item = Received(record.partition, record.offset, None, invalid.reason)
                received.append(item)
                if show is not None:
                    show(format_received(item, config.threshold))
    finally:
        consumer.close()  # commits the group's position when a group is used
    return received


def main(argv: list[str] | None = None) -> int:
    """``sensor-consumer``: the classic consumer_realtime.py, bounded and interruptible."""
    config = load_config()
    parser = argparse.ArgumentParser(
        prog="sensor-consumer", description=f"Print every reading of {config.topic}."
    )
    parser.add_argument("--from-beginning", action="store_true", help="start at the oldest record")
    parser.add_argument("--max-messages", type=int, help="stop after this many records")
    parser.add_argument(
        "--timeout", type=float, help="stop after this many seconds (default: run until Ctrl-C)"
    )
    parser.add_argument("--group", help="consumer group id (Kafka remembers where the group stopped)")
    args = parser.parse_args(argv)
    return run_cli(
        lambda: consume_live(
            seconds=math.inf if args.timeout is None else args.timeout,
            max_messages=args.max_messages,
            from_beginning=args.from_beginning,
            group_id=args.group,
            config=config,
            show=lambda line: print(line, flush=True),
        )
    )


if __name__ == "__main__":
    sys.exit(main())
