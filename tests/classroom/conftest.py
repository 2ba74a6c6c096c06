"""The class setup on this machine (``make test-classroom``): a class cluster and a Spark standalone cluster.

Each starts once per session on free loopback ports, with its files in a temporary folder (never the shared
broker, never ``.lab/classroom``), and stops at the end. The tests are collected only when
LAB_TEST_CLASSROOM=1, which ``make test-classroom`` sets: ``make test`` never starts three more brokers.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from lab_utils.config import LabConfig, load_config
from lab_utils.reference.producer import send_raw
from lab_utils.stack.class_cluster import ClassCluster, start_class, stop_class
from lab_utils.stack.spark_cluster import SparkCluster, start_spark_cluster, stop_spark_cluster
from tests.conftest import free_port_block

collect_ignore_glob = [] if os.environ.get("LAB_TEST_CLASSROOM") == "1" else ["test_*.py"]

STUDENTS = 12  # s01 and s02 for the refusals, s01-s10 produce at once, s12 is reset
# Readings either side of the alert rule (suhu > 80), for the Spark tests; a right query flags exactly ALERTS.
EDGE_READINGS = (("S1", 79.9), ("S2", 80.0), ("S3", 80.1), ("S1", 95))
ALERTS = (("S3", 80.1), ("S1", 95.0))


def send_edge_readings(config: LabConfig) -> dict[tuple[str, float], tuple[int, int]]:
    """Send EDGE_READINGS to ``config.topic``, each keyed by its sensor: where Kafka stored each."""
    where = {}
    for sensor_id, suhu in EDGE_READINGS:
        value = json.dumps({"sensor_id": sensor_id, "suhu": suhu}).encode()
        where[sensor_id, float(suhu)] = send_raw(value, key=sensor_id.encode(), config=config)
    return where


@dataclass(frozen=True)
class Class:
    """The running class cluster, and each account as the lab loads it from its settings file."""

    cluster: ClassCluster
    started_s: float
    message: str

    def file(self, name: str) -> Path:
        return self.cluster.admin_file if name == "admin" else self.cluster.student_file(name)

    def account(self, name: str) -> LabConfig:
        """``load_config()`` with LAB_SETTINGS_FILE set to ``name``'s file, as a student's kernel sees it."""
        with mock.patch.dict(os.environ, {"LAB_SETTINGS_FILE": str(self.file(name))}):
            return load_config()

    def environment(self, name: str, **extra: str) -> dict[str, str]:
        """The environment of a program or kernel that runs as ``name``."""
        return {**os.environ, "LAB_SETTINGS_FILE": str(self.file(name)), **extra}


@pytest.fixture(scope="session")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Class]:
    base = free_port_block(6)
    cluster = ClassCluster(tmp_path_factory.mktemp("class") / "classroom", base)
    began = time.monotonic()
    try:
        message = start_class(load_config(), STUDENTS, cluster)
        started_s = time.monotonic() - began
        print(f"class cluster: {started_s:.1f} s to start with {STUDENTS} accounts")
        yield Class(cluster, started_s, message)
    finally:
        print(stop_class(cluster.home, base))


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkCluster]:
    port = free_port_block(2)
    cluster = SparkCluster(tmp_path_factory.mktemp("spark-cluster"), port, port + 1)
    try:
        print(start_spark_cluster(load_config(), cluster))
        yield cluster
    finally:
        print(stop_spark_cluster(cluster.home))
