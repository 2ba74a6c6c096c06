"""Create and describe the lab's topics, idempotently (notebook 01, the producer, the tests).

``sensor-suhu`` gets ``LAB_PARTITIONS`` partitions (3 by default). Records are keyed by
``sensor_id``: Kafka sends every record with the same key to the same partition, so each
sensor's readings stay in order even though the topic as a whole has no single order.
"""

from __future__ import annotations

from dataclasses import dataclass

from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import TopicAlreadyExistsError

from lab_utils.clients import admin_client
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
            f"Topic {self.name}: {len(self.partitions)} partitions, "
            f"replication factor {self.replication_factor}"
        )


def ensure_topic(
    name: str | None = None,
    partitions: int | None = None,
    replication_factor: int | None = None,
    configs: dict[str, str] | None = None,
    config: LabConfig | None = None,
) -> str:
    """Create the topic unless it exists; return one line saying which happened."""
    config = config or load_config()
    name = name or config.topic
    spec = {
        "num_partitions": partitions or config.partitions,
        "replication_factor": replication_factor or config.replication_factor,
        "configs": configs or {},
    }
    with admin_client(config) as admin:
        try:
            admin.create_topics({name: spec}, wait_for_metadata=True)
        except TopicAlreadyExistsError:
            count = len(admin.describe_topics([name])[0]["partitions"])
            return f"Topic {name} already exists ({count} partitions): nothing to do."
    return f"Created topic {name} with {spec['num_partitions']} partitions."


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


def delete_topic(name: str, config: LabConfig | None = None) -> None:
    """Delete a topic if it exists (tests and resets)."""
    with admin_client(config or load_config()) as admin:
        if name in admin.list_topics():
            admin.delete_topics([name])
