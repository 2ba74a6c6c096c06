"""``warehouse-producer``: the reference answer to the 2025 assignment's two producers.

One program with a choice of sensor: every ``--interval`` seconds each warehouse (G1, G2, G3...) sends
one reading to that sensor's topic, keyed by its ``gudang_id``, e.g. ``{"gudang_id": "G1", "suhu": 82.4,
"ts": "2026-12-05T10:00:01.000Z"}`` to ``sensor-suhu-gudang``, or ``{"gudang_id": "G1", "kelembaban":
75.1, ...}`` to ``sensor-kelembaban-gudang``. The settings are notebook 02's (``acks="all"``,
idempotence: ``lab_utils.reference.producer``); the values come from the warehouse model of
``lab_utils.reference.warehouse``, which follows the clock: run the two producers in two terminals, and
they agree on which warehouse is hot or damp, and stamp the same second alike.

    warehouse-producer --sensor suhu            # Ctrl-C stops it (or --duration SECONDS, or --count N)
    warehouse-producer --sensor kelembaban      # in a second terminal
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import time
from datetime import UTC, datetime

from kafka.errors import KafkaError

from lab_utils.clients import make_producer
from lab_utils.config import LabConfig, load_config
from lab_utils.programs import cli
from lab_utils.reference.producer import BATCHING, FLUSH_TIMEOUT_S, producer_settings
from lab_utils.reference.topics import ensure_topic
from lab_utils.reference.warehouse import MEASURES, WarehouseModel, topic_for


def produce(
    config: LabConfig,
    sensor: str,
    warehouses: int,
    interval_s: float,
    seed: int | None,
    duration_s: float | None,
    rounds: int | None,
) -> int:
    """Send one reading per warehouse per round until the bound; exit code 1 if Kafka refused any."""
    topic = topic_for(sensor, config)  # sensor-suhu-gudang or sensor-kelembaban-gudang
    ensure_topic(topic, config=config)  # created if it is missing, keyed by gudang_id
    # key = gudang_id as UTF-8, value = JSON, acks="all" and idempotence (lab_utils.reference.producer)
    producer = make_producer(config, max_block_ms=5000, **producer_settings(), **BATCHING)
    model = WarehouseModel(warehouses, interval_s, seed)
    sent, acked, failed = 0, list[object](), list[Exception]()  # acknowledgements (metadata); errors
    # Rounds on a grid of the interval (10:00:01, 10:00:02, ...): the other sensor's producer uses it too.
    first = math.ceil(time.time() / interval_s) * interval_s
    print(f"Producer started: {warehouses} warehouses send {sensor} to {topic} every {interval_s:g} s.")
    try:
        for number in range(rounds) if rounds is not None else itertools.count():
            due = first + number * interval_s
            if duration_s is not None and due - first >= duration_s:
                break
            time.sleep(max(0.0, due - time.time()))
            for reading in model.readings(sensor, datetime.fromtimestamp(due, UTC)):
                try:
                    future = producer.send(topic, key=reading.gudang_id, value=reading.to_dict())
                except KafkaError as error:  # not even accepted (no broker for max_block_ms)
                    failed.append(error)
                    continue
                sent += 1
                future.add_callback(acked.append).add_errback(failed.append)  # Kafka answers later
                print(f"Sent: {json.dumps(reading.to_dict())}", flush=True)
    finally:
        producer.flush(timeout=FLUSH_TIMEOUT_S)  # wait until Kafka confirmed (or refused) every send
        producer.close(timeout=5)
        print(f"Producer stopped: sent {sent}, acknowledged {len(acked)}, failed {len(failed)}.", flush=True)
        if failed:
            print(f"Last error: {type(failed[-1]).__name__}: {failed[-1]}", file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    config = load_config()
    description = "Send simulated warehouse readings, one sensor per program."
    parser = cli.parser("warehouse-producer", description, language=config.language)
    parser.add_argument("--sensor", choices=MEASURES, required=True, help="which sensor this producer is")
    parser.add_argument("--warehouses", type=int, default=3, help="number of warehouses (G1, G2, ...)")
    parser.add_argument("--interval", type=float, default=config.interval_s, help="seconds between rounds")
    bound = parser.add_mutually_exclusive_group()
    bound.add_argument("--duration", type=float, help="stop after this many seconds")
    bound.add_argument("--count", type=int, help="stop after this many rounds (one reading per warehouse)")
    parser.add_argument("--seed", type=int, default=config.seed, help="another plan of episodes")
    args = parser.parse_args(argv)
    return cli.run_cli(
        lambda: produce(
            config, args.sensor, args.warehouses, args.interval, args.seed, args.duration, args.count
        ),
        config.language,
    )


if __name__ == "__main__":
    sys.exit(main())
