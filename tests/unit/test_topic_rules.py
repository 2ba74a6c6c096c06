"""Notebook 01's create-topic cell and ``ensure_topic`` (its reference) follow the same rules.

Both run against a recording admin client: they must ask for the same topic (partitions,
replication factor, settings from the config) and both treat "already exists" as nothing to do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from kafka.errors import TopicAlreadyExistsError

import lab_utils.reference.topics as topics
from lab_utils.config import PROJECT_ROOT, LabConfig, load_config
from lab_utils.topics import partition_for


class _Admin:
    """Records create_topics calls; raises TopicAlreadyExistsError for a topic it already holds."""

    def __init__(self, existing: set[str]) -> None:
        self.existing = existing
        self.created: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def create_topics(self, new_topics: dict[str, Any], **options: Any) -> dict[str, Any]:
        if set(new_topics) & self.existing:
            raise TopicAlreadyExistsError("Topic already exists.")
        self.created.append((new_topics, options))
        return {}

    def describe_topics(self, names: list[str]) -> list[dict[str, Any]]:
        return [{"name": name, "partitions": [{}, {}, {}]} for name in names]


def _create_cell() -> str:
    cells = json.loads((PROJECT_ROOT / "notebooks" / "01_create_topic.ipynb").read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    (cell,) = [source for source in sources if "create_topics({config.topic" in source]
    return cell


def _run_cell(config: LabConfig, admin: _Admin) -> str:
    printed: list[str] = []
    exec(_create_cell(), {"config": config, "admin": admin, "print": printed.append})  # noqa: S102
    return "\n".join(printed)


def _run_reference(config: LabConfig, admin: _Admin, monkeypatch: pytest.MonkeyPatch) -> str:
    @contextlib.contextmanager
    def admin_client(_: LabConfig) -> Iterator[_Admin]:
        yield admin

    monkeypatch.setattr(topics, "admin_client", admin_client)
    return topics.ensure_topic(config=config)


@pytest.mark.parametrize(("partitions", "replicas"), [(3, 1), (6, 3)])
def test_notebook_01_and_ensure_topic_create_the_same_topic(
    partitions: int, replicas: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = dataclasses.replace(load_config(), topic="t", partitions=partitions, replication_factor=replicas)
    in_notebook, reference = _Admin(set()), _Admin(set())
    assert _run_cell(config, in_notebook).startswith(f"Created topic t with {partitions} partitions")
    assert _run_reference(config, reference, monkeypatch).startswith(
        f"Created topic t with {partitions} part"
    )
    assert in_notebook.created == reference.created
    ((new_topics, options),) = reference.created
    assert (
        new_topics["t"]["num_partitions"] == partitions and new_topics["t"]["replication_factor"] == replicas
    )
    assert new_topics["t"]["configs"] == ({"min.insync.replicas": "2"} if replicas >= 3 else {})
    assert options == {"wait_for_metadata": True}


def test_an_existing_topic_is_nothing_to_do_for_both(monkeypatch: pytest.MonkeyPatch) -> None:
    config = dataclasses.replace(load_config(), topic="t")
    assert "already exists: nothing to do" in _run_cell(config, _Admin({"t"}))
    assert "already exists (3 partitions): nothing to do" in _run_reference(
        config, _Admin({"t"}), monkeypatch
    )


def test_partition_for_is_what_the_notebook_computes() -> None:
    cells = json.loads((PROJECT_ROOT / "notebooks" / "01_create_topic.ipynb").read_text())["cells"]
    (cell,) = ["".join(c["source"]) for c in cells if "def partition_of" in "".join(c["source"])]
    namespace: dict[str, Any] = {"partitions": [0, 1, 2]}
    exec(cell, namespace)  # noqa: S102
    keys = [f"S{i}" for i in range(1, 50)] + ["X1", "sensor-α"]
    for count in (1, 2, 3, 7):
        assert [namespace["partition_of"](key, count) for key in keys] == [
            partition_for(key, count) for key in keys
        ]
