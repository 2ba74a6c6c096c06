"""On the real broker: notebook 01's create-topic cell and ``ensure_topic`` make one and the same topic."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from lab_utils.clients import admin_client
from lab_utils.config import LabConfig
from lab_utils.reference.topics import describe_topic, ensure_topic
from lab_utils.topics import delete_topic
from tests.unit.test_topic_rules import _create_cell

pytestmark = pytest.mark.integration


def test_the_notebook_cell_and_ensure_topic_make_the_same_topic(broker: LabConfig) -> None:
    run = uuid.uuid4().hex[:8]
    by_cell = dataclasses.replace(broker, topic=f"test-cell-{run}")
    by_reference = dataclasses.replace(broker, topic=f"test-reference-{run}")
    printed: list[str] = []
    try:
        with admin_client(broker) as admin:
            for _ in range(2):
                exec(_create_cell(), {"config": by_cell, "admin": admin, "print": printed.append})  # noqa: S102
        ensure_topic(config=by_reference)
        assert "already exists" in ensure_topic(config=by_reference)
        cell_topic, reference_topic = describe_topic(config=by_cell), describe_topic(config=by_reference)
    finally:
        delete_topic(by_cell.topic, broker)
        delete_topic(by_reference.topic, broker)
    assert printed[0].startswith(f"Created topic {by_cell.topic} with {broker.partitions} partitions")
    assert "already exists: nothing to do" in printed[1]
    assert len(cell_topic.partitions) == len(reference_topic.partitions) == broker.partitions
    assert cell_topic.replication_factor == reference_topic.replication_factor == broker.replication_factor
    assert cell_topic.configs == reference_topic.configs
