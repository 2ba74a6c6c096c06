"""``sensor-consumer``: the reference answer to the assignment's ``consumer_realtime.py``.

Prints every record of the topic as it arrives: where it came from (partition and offset), the
sensor and its temperature, marked ⚠ above the threshold. A record that is not a valid reading is
shown with the reason and skipped: one bad message never stops the consumer. The rules and the
line format come from ``lab_utils.reference.readings`` and ``lab_utils.reference.consumer`` (notebook 03).

Without ``--group`` it reads every partition from now (or ``--from-beginning``) each time; with a
group, Kafka remembers (commits) how far the group got, and the next run carries on from there.

    sensor-consumer --from-beginning --max-messages 10
"""

from __future__ import annotations

import math
import sys
import time

from kafka import TopicPartition

from lab_utils.clients import make_consumer
from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError
from lab_utils.programs import cli
from lab_utils.reference.consumer import POLL_MS, format_record


def consume(
    config: LabConfig, from_beginning: bool, group: str | None, max_messages: int | None, timeout_s: float
) -> None:
    """Print records until ``timeout_s`` passed or ``max_messages`` arrived (or Ctrl-C)."""
    consumer = make_consumer(  # a KafkaConsumer that fails fast, with one sentence, if no broker answers
        config,
        group_id=group,
        auto_offset_reset="earliest" if from_beginning else "latest",  # where a new group starts
        enable_auto_commit=False,  # commit() after each handled batch instead
    )
    try:
        if group is not None:  # subscribe before asking for partitions, as notebook 03 does
            consumer.subscribe([config.topic])  # the group's committed offsets say where to go on
        partitions = consumer.partitions_for_topic(config.topic)  # also loads the topic's metadata
        if not partitions:
            raise LabError(f"Topic {config.topic} does not exist yet: create it first (notebook 01).")
        if group is None:
            assigned = [TopicPartition(config.topic, p) for p in sorted(partitions)]
            consumer.assign(assigned)
            (consumer.seek_to_beginning if from_beginning else consumer.seek_to_end)(*assigned)
        received, deadline = 0, time.monotonic() + timeout_s
        while time.monotonic() < deadline and (max_messages is None or received < max_messages):
            batches = consumer.poll(timeout_ms=POLL_MS, max_records=max_messages and max_messages - received)
            for record in (record for batch in batches.values() for record in batch):
                print(format_record(record, config.threshold), flush=True)  # a bad record: its reason
                received += 1
            if group is not None and batches:
                consumer.commit()  # the batch was handled: the group's position moves past it
    finally:
        consumer.close()


def main(argv: list[str] | None = None) -> int:
    config = load_config()
    description = f"Print every reading of {config.topic}."
    parser = cli.parser(
        "sensor-consumer", description, "--from-beginning", "--timeout", language=config.language
    )
    parser.add_argument("--max-messages", type=int, help="stop after this many records")
    parser.add_argument("--group", help="consumer group id (Kafka remembers where the group stopped)")
    args = parser.parse_args(argv)
    timeout_s = math.inf if args.timeout is None else args.timeout
    return cli.run_cli(
        lambda: consume(config, args.from_beginning, args.group, args.max_messages, timeout_s),
        config.language,
    )


if __name__ == "__main__":
    sys.exit(main())
