"""A broker that goes away and comes back within 30 s costs no acknowledged reading."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from lab_utils.config import load_config
from lab_utils.consumer import consume_live
from lab_utils.producer import BackgroundProducer
from lab_utils.stack.broker import BrokerPaths, start_broker, stop_broker
from tests.conftest import free_port_pair

pytestmark = pytest.mark.integration


def test_producer_rides_out_a_broker_restart_without_losing_a_reading(tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port_pair()}"
    paths = BrokerPaths(tmp_path / "kafka")
    config = dataclasses.replace(load_config(), bootstrap_servers=address, topic="outage", lab_home=tmp_path)
    start_broker(paths, address)
    producer = BackgroundProducer(sensors=3, interval_s=0.1, config=config)
    try:
        producer.start()
        time.sleep(3)
        before = producer.stats()
        stop_broker(paths)  # the outage
        time.sleep(6)
        during = producer.stats()
        start_broker(paths, address)  # back well within 30 s
        time.sleep(8)
    finally:
        producer.stop()
        after = producer.stats()
    try:
        received = consume_live(
            seconds=30, max_messages=after.acked, from_beginning=True, config=config, show=None
        )
    finally:
        stop_broker(paths)
    print(f"outage test: before {before}; during {during}; after {after}; in topic {len(received)}")
    assert during.pending > 0 and during.acked - before.acked < 60  # the outage shows in the stats
    assert after.failed == 0 and after.pending == 0 and after.acked == after.sent  # ...and the recovery
    stored = {(item.reading.sensor_id, item.reading.ts) for item in received}
    assert len(received) == after.acked == len(stored)  # every acknowledged reading, exactly once
