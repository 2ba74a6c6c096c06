"""A broker that goes away and comes back within 30 s costs no acknowledged reading."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from lab_utils.config import load_config
from lab_utils.reference.consumer import consume_live
from lab_utils.reference.producer import BackgroundProducer
from lab_utils.stack.broker import BrokerPaths, start_broker, stop_broker
from lab_utils.topics import record_count
from tests.conftest import free_port_pair

pytestmark = pytest.mark.integration


def test_producer_rides_out_a_broker_restart_without_losing_a_reading(tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port_pair()}"
    paths = BrokerPaths(tmp_path / "kafka")
    config = dataclasses.replace(load_config(), bootstrap_servers=address, topic="outage")
    producer = BackgroundProducer(sensors=3, interval_s=0.1, config=config)
    try:
        start_broker(config, paths)
        producer.start()
        time.sleep(3)
        before = producer.stats()
        stop_broker(paths)  # the outage
        time.sleep(6)
        during = producer.stats()
        start_broker(config, paths)  # back well within 30 s
        time.sleep(8)
        producer.stop()
        after = producer.stats()
        in_topic = record_count(config.topic, config=config)  # every record, duplicates included
        received = consume_live(
            seconds=30, max_messages=in_topic, from_beginning=True, config=config, show=None
        )
    finally:
        producer.stop()
        stop_broker(paths)
    print(f"outage test: before {before}; during {during}; after {after}; in topic {in_topic}")
    assert during.pending > 0 and during.acked - before.acked < 60  # the outage shows in the stats
    assert after.failed == 0 and after.pending == 0 and after.acked == after.sent  # ...and the recovery
    assert in_topic == after.acked  # nothing lost, nothing stored twice
    stored = {(item.reading.sensor_id, item.reading.ts) for item in received}
    assert len(received) == in_topic == len(stored)  # each acknowledged reading is in the topic once
