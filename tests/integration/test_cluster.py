"""A real 3-broker KRaft cluster: losing one broker mid-stream loses no acknowledged reading."""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

from lab_utils.config import load_config
from lab_utils.reference.pipeline import SensorPipeline
from lab_utils.reference.producer import BackgroundProducer
from lab_utils.reference.topics import describe_topic, ensure_topic
from lab_utils.sensors import DEMO_STORIES
from lab_utils.stack.broker import cluster_nodes, start_cluster, stop_cluster
from tests.conftest import free_port_block, listening_addresses

pytestmark = pytest.mark.integration


def _after(alerts: pd.DataFrame, moment: float) -> pd.DataFrame:
    """Alerts whose reading was taken more than 2 s after ``moment`` (a Unix time)."""
    return alerts[alerts["event_time"] > pd.Timestamp(moment + 2, unit="s")]


def test_killing_one_broker_mid_stream_loses_nothing_and_alerts_keep_flowing(spark, tmp_path: Path) -> None:
    base = free_port_block(6)
    home = tmp_path / "cluster"
    nodes = cluster_nodes(home, base)
    bootstrap = ",".join(address for _, address in nodes)
    config = dataclasses.replace(
        load_config(),
        bootstrap_servers=bootstrap,
        topic="cluster-readings",
        dlq_topic="cluster-readings-dlq",
        replication_factor=3,
        trigger_seconds=0.5,
    )
    pipeline = SensorPipeline(spark, starting_offsets="earliest", config=config)
    producer = BackgroundProducer(sensors=3, interval_s=0.1, seed=4, stories=DEMO_STORIES, config=config)
    try:
        assert start_cluster(config, base, home).startswith("Started a 3-broker Apache Kafka")
        assert "already running" in start_cluster(config, base, home)
        pids = [int(paths.pid_file.read_text()) for paths, _ in nodes]
        assert all({ip for ip, _ in listening_addresses(pid)} == {"127.0.0.1"} for pid in pids)
        ensure_topic(config=config)
        topic = describe_topic(config=config)
        assert topic.replication_factor == 3 and topic.configs["min.insync.replicas"] == "2"

        pipeline.start()
        producer.start()
        time.sleep(4)
        victim = topic.partitions[0]["leader"]
        os.kill(pids[victim - 1], signal.SIGKILL)  # no goodbye: a crashed machine
        killed_at = time.time()
        time.sleep(10)
        producer.stop()
        stats = producer.stats()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # the Spark consumers find the new leaders, then catch up
            snapshot = pipeline.snapshot()
            if len(snapshot.readings) >= stats.acked and len(_after(snapshot.alerts, killed_at)) > 0:
                break
            time.sleep(1)
        running = [q.name for q in spark.streams.active]
    finally:
        pipeline.stop()
        producer.stop()
        print(stop_cluster(home, base))
    keys = set(zip(snapshot.readings["sensor_id"], snapshot.readings["event_time"], strict=True))
    late_alerts = _after(snapshot.alerts, killed_at)
    print(f"cluster test: killed broker {victim}; {stats}; readings seen {len(snapshot.readings)}")
    assert stats.failed == 0 and stats.acked == stats.sent
    assert len(snapshot.readings) == len(keys) == stats.acked  # every acknowledged reading, exactly once
    assert running == [SensorPipeline.QUERY]  # the query did not die with the broker
    assert len(late_alerts) > 0  # alerts kept flowing after the broker died
