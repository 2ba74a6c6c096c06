"""``sensor-producer``: the reference answer to the assignment's ``producer_dummy.py``.

Every ``--interval`` seconds each machine (S1, S2, S3...) sends one reading to the topic, e.g.
``{"sensor_id": "S1", "suhu": 70.4, "ts": "2026-11-27T10:00:00.000Z"}``, keyed by its sensor_id so
one machine's readings stay in order in one partition, with ``acks="all"`` and idempotence (a
retried send is never written twice): the settings of notebook 02, ``lab_utils.reference.producer``. The
temperatures come from the lab's sensor model (``lab_utils.sensors``); notebook 02 runs the same
loop in a thread.

    sensor-producer --count 10          # 10 rounds, then stop (or --duration SECONDS, or Ctrl-C)
"""

from __future__ import annotations

import itertools
import sys
import time
from datetime import UTC, datetime, timedelta

from kafka.errors import KafkaError

from lab_utils.clients import make_producer
from lab_utils.config import LabConfig, load_config
from lab_utils.programs import cli
from lab_utils.reference.producer import BATCHING, FLUSH_TIMEOUT_S, producer_settings
from lab_utils.reference.topics import ensure_topic
from lab_utils.sensors import SensorSimulator


def produce(
    config: LabConfig,
    sensors: int,
    interval_s: float,
    seed: int | None,
    duration_s: float | None,
    rounds: int | None,
) -> int:
    """Send one reading per sensor per round until the bound; exit code 1 if Kafka refused any."""
    ensure_topic(config=config)  # created if it is missing
    # A KafkaProducer (failing fast, in one sentence, if no broker answers) with the lab's settings:
    # key = sensor_id as UTF-8, value = JSON, acks="all" and idempotence (lab_utils.reference.producer).
    producer = make_producer(config, max_block_ms=5000, **producer_settings(), **BATCHING)
    machines = SensorSimulator(sensors, seed=seed)
    sent = 0
    acked: list[object] = []  # record metadata, one per acknowledgement
    failed: list[Exception] = []
    started, first_sample = time.monotonic(), datetime.now(UTC)
    print(f"Producer started: {sensors} sensors, one reading each every {interval_s:g} s.", flush=True)
    try:
        for number in range(rounds) if rounds is not None else itertools.count():
            if duration_s is not None and time.monotonic() - started >= duration_s:
                break
            # Each round is stamped with its scheduled time: evenly spaced, even when a send is slow.
            for reading in machines.tick(first_sample + timedelta(seconds=number * interval_s)):
                try:
                    future = producer.send(config.topic, key=reading.sensor_id, value=reading.to_dict())
                except KafkaError as error:  # not even accepted (no broker for max_block_ms)
                    failed.append(error)
                    continue
                sent += 1
                future.add_callback(acked.append).add_errback(failed.append)  # Kafka answers later
                print(f"Sent: {reading.to_json().decode()}", flush=True)
            time.sleep(max(0.0, started + (number + 1) * interval_s - time.monotonic()))
    finally:
        producer.flush(timeout=FLUSH_TIMEOUT_S)  # wait until Kafka confirmed (or refused) every send
        producer.close(timeout=5)
        print(f"Producer stopped: sent {sent}, acknowledged {len(acked)}, failed {len(failed)}.", flush=True)
        if failed:
            print(f"Last error: {type(failed[-1]).__name__}: {failed[-1]}", file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    config = load_config()
    description = f"Send simulated temperature readings to {config.topic}."
    parser = cli.parser("sensor-producer", description, language=config.language)
    parser.add_argument("--sensors", type=int, default=config.sensor_count, help="number of machines")
    parser.add_argument("--interval", type=float, default=config.interval_s, help="seconds between rounds")
    bound = parser.add_mutually_exclusive_group()
    bound.add_argument("--duration", type=float, help="stop after this many seconds")
    bound.add_argument("--count", type=int, help="stop after this many rounds (one reading per sensor)")
    parser.add_argument("--seed", type=int, help="make the simulation repeatable")
    args = parser.parse_args(argv)
    return cli.run_cli(
        lambda: produce(config, args.sensors, args.interval, args.seed, args.duration, args.count),
        config.language,
    )


if __name__ == "__main__":
    sys.exit(main())
