"""Small facts about a topic that the notebooks' self-checks need: its size, its key rule, a delete.

Records are keyed by ``sensor_id``: Kafka sends every record with the same key to the same
partition (:func:`partition_for`), so each sensor's readings stay in order even though the topic as
a whole has no single order. Creating topics is notebook 01's lesson; its reference is
``lab_utils/reference/topics.py``.
"""

from __future__ import annotations

from kafka import TopicPartition
from kafka.partitioner.default import murmur2

from lab_utils.clients import admin_client, make_consumer
from lab_utils.config import LabConfig


def record_count(name: str, config: LabConfig) -> int:
    """How many records the topic holds now (end offset minus start offset, over all partitions)."""
    consumer = make_consumer(config)
    try:
        partitions = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name) or []]
        starts, ends = consumer.beginning_offsets(partitions), consumer.end_offsets(partitions)
    finally:
        consumer.close()
    return sum(ends[p] - starts[p] for p in partitions)


def delete_topic(name: str, config: LabConfig) -> None:
    """Delete a topic if it exists (tests and resets)."""
    with admin_client(config) as admin:
        if name in admin.list_topics():
            admin.delete_topics([name])


def partition_for(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for ``key``: the same key, the same partition."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions
