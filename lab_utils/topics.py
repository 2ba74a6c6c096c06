"""Create and describe the lab's topics, idempotently: the reference for notebook 01.

Notebook 01 teaches the kafka-python calls (``KafkaAdminClient.create_topics`` with a
``{name: {num_partitions, replication_factor, configs}}`` dict, ``TopicAlreadyExistsError``,
``describe_topics``, ``describe_configs``) in its cells; :func:`ensure_topic` makes the same call
with the same rules for the terminal programs, the tests and the other notebooks. ``sensor-suhu``
gets ``LAB_PARTITIONS`` partitions (3 by default). Records are keyed by ``sensor_id``: Kafka sends
every record with the same key to the same partition (:func:`partition_for`), so each sensor's
readings stay in order even though the topic as a whole has no single order.
"""

from __future__ import annotations

from dataclasses import dataclass

from kafka import TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import TopicAlreadyExistsError
from kafka.partitioner.default import murmur2

from lab_utils.clients import admin_client, make_consumer
from lab_utils.config import LabConfig, load_config

# Topic settings worth showing a student; the rest are broker defaults.
SHOWN_CONFIGS = ("cleanup.policy", "retention.ms", "min.insync.replicas", "max.message.bytes")


@dataclass(frozen=True)
class TopicInfo:
    """What ``describe_topic`` tells about one topic."""

    name: str
    partitions: list[dict[str, object]]
    configs: dict[str, str]

    @property
    def replication_factor(self) -> int:
        return len(self.partitions[0]["replicas"]) if self.partitions else 0

    def summary(self) -> str:
        return (
            f"Topic {self.name}: {_partitions(len(self.partitions))}, "
            f"replication factor {self.replication_factor}"
        )


def ensure_topic(
    name: str | None = None,
    partitions: int | None = None,
    replication_factor: int | None = None,
    configs: dict[str, str] | None = None,
    config: LabConfig | None = None,
) -> str:
    """Create the topic unless it exists; return one line saying which happened.

    Notebook 01's cell follows the same rules: partitions and replication factor from ``config``,
    ``min.insync.replicas=2`` once there are 3 or more replicas, and "already exists" is not an error.
    """
    config = config or load_config()
    name = name or config.topic
    replicas = replication_factor or config.replication_factor
    # With 3 or more replicas, an acknowledged write (acks="all") must be on at least 2 of them.
    durability = {"min.insync.replicas": "2"} if replicas >= 3 else {}
    new_topic = {
        "num_partitions": partitions or config.partitions,
        "replication_factor": replicas,
        "configs": durability | (configs or {}),
    }
    with admin_client(config) as admin:
        try:
            admin.create_topics({name: new_topic}, wait_for_metadata=True)
        except TopicAlreadyExistsError:
            count = len(admin.describe_topics([name])[0]["partitions"])
            return f"Topic {name} already exists ({_partitions(count)}): nothing to do."
    return f"Created topic {name} with {_partitions(new_topic['num_partitions'])}."


def _partitions(count: int) -> str:
    return f"{count} partition" + ("" if count == 1 else "s")


def describe_topic(name: str | None = None, config: LabConfig | None = None) -> TopicInfo:
    """Partitions (leader, replicas, in-sync replicas) and the main settings of a topic."""
    config = config or load_config()
    name = name or config.topic
    with admin_client(config) as admin:
        metadata = admin.describe_topics([name])[0]
        resource = ConfigResource(ConfigResourceType.TOPIC, name, configs=None)
        raw = admin.describe_configs([resource], config_filter="all")
    values = {key: str(entry["value"]) for key, entry in raw["topic"][name].items()}
    partitions = sorted(
        (
            {
                "partition": p["partition_index"],
                "leader": p["leader_id"],
                "replicas": list(p["replica_nodes"]),
                "isr": list(p["isr_nodes"]),
            }
            for p in metadata["partitions"]
        ),
        key=lambda p: p["partition"],
    )
    return TopicInfo(name, partitions, {key: values[key] for key in SHOWN_CONFIGS if key in values})


def record_count(name: str | None = None, config: LabConfig | None = None) -> int:
    """How many records the topic holds now (end offset minus start offset, over all partitions)."""
    config = config or load_config()
    consumer = make_consumer(config)
    try:
        partitions = [
            TopicPartition(name or config.topic, p)
            for p in consumer.partitions_for_topic(name or config.topic) or []
        ]
        starts, ends = consumer.beginning_offsets(partitions), consumer.end_offsets(partitions)
    finally:
        consumer.close()
    return sum(ends[p] - starts[p] for p in partitions)


def delete_topic(name: str, config: LabConfig | None = None) -> None:
    """Delete a topic if it exists (tests and resets)."""
    with admin_client(config or load_config()) as admin:
        if name in admin.list_topics():
            admin.delete_topics([name])


def partition_for(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for ``key``: the same key, the same partition."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions
