"""Create and describe the lab's topics, idempotently: the reference for notebook 01.

Notebook 01 teaches the kafka-python calls (``KafkaAdminClient.create_topics`` with a
``{name: {num_partitions, replication_factor, configs}}`` dict, ``TopicAlreadyExistsError``,
``describe_topics``, ``describe_configs``) in its cells; :func:`ensure_topic` makes the same call
with the same rules for the terminal programs, the tests and the other notebooks, and
:func:`describe_topic` reads back what notebook 01's cells show. ``sensor-suhu`` gets
``LAB_PARTITIONS`` partitions (3 by default).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import kafka.errors
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError

from lab_utils.clients import admin_client
from lab_utils.config import LabConfig
from lab_utils.stack.messages import in_language

# Topic settings worth showing a student; the rest are broker defaults.
SHOWN_CONFIGS = ("cleanup.policy", "retention.ms", "min.insync.replicas", "max.message.bytes")


@dataclass(frozen=True)
class TopicInfo:
    """What ``describe_topic`` tells about one topic."""

    name: str
    partitions: list[dict[str, Any]]  # partition, leader, replicas, isr
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
    *,
    config: LabConfig,
) -> str:
    """Create the topic unless it exists; return one line saying which happened (in ``config.language``).

    Notebook 01's cell follows the same rules: partitions and replication factor from ``config``,
    ``min.insync.replicas=2`` once there are 3 or more replicas, and "already exists" is not an error.
    """
    name = name or config.topic
    replicas = replication_factor or config.replication_factor
    # With 3 or more replicas, an acknowledged write (acks="all") must be on at least 2 of them.
    durability = {"min.insync.replicas": "2"} if replicas >= 3 else {}
    count = partitions or config.partitions
    new_topic = {
        "num_partitions": count,
        "replication_factor": replicas,
        "configs": durability | (configs or {}),
    }
    with admin_client(config) as admin:
        try:
            admin.create_topics({name: new_topic}, wait_for_metadata=True)
        except TopicAlreadyExistsError:
            existing = len(admin.describe_topics([name])[0]["partitions"])
            line = f"Topic {name} already exists ({_partitions(existing)}): nothing to do."
            return in_language(line, config.language)
    return in_language(f"Created topic {name} with {_partitions(count)}.", config.language)


def _partitions(count: int) -> str:
    return f"{count} partition" + ("" if count == 1 else "s")


def describe_topic(name: str | None = None, *, config: LabConfig) -> TopicInfo:
    """Partitions (leader, replicas, in-sync replicas) and the main settings of a topic."""
    name = name or config.topic
    with admin_client(config) as admin:
        metadata = admin.describe_topics([name])[0]
        for _ in range(20):  # a new topic reaches every broker of a cluster within moments: ask again
            if metadata["error_code"] != UnknownTopicOrPartitionError.errno:
                break
            time.sleep(0.25)
            metadata = admin.describe_topics([name])[0]
        if metadata["error_code"]:  # kafka-python returns, not raises, "unknown topic" or "not allowed"
            raise kafka.errors.for_code(metadata["error_code"])(name)
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
