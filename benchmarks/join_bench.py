"""The warehouse join's figures for ``make bench`` (notebook 09, ``warehouse-alerts``).

- Latency: the second reading of a pair sent -> its combined status visible in a pandas table (the join
  query's ``foreachBatch`` into a ``LiveTable``, polled), next to a plain kafka-python consumer that joins
  the two topics in a dict: the floor.
- State: the join's ``numRowsTotal`` (``stateOperators`` in ``recentProgress``) over 10 minutes of readings
  at one reading a second per sensor, for 3 and for 1,000 warehouses. Event time is simulated: the readings
  are stamped one second apart and written at once (Spark's Kafka sink), then read by ``availableNow`` in
  micro-batches of ``BATCH_S`` seconds of event time. So the run takes minutes, not ten of them, and the
  state is that of 10-second micro-batches (a live query with 1-second batches keeps ~9 s less).

``benchmarks/bench.py`` calls these and prints them with the other rows (``BENCH_ONLY=join``: these alone).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import statistics
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lab_utils.clients import make_consumer, make_producer
from lab_utils.config import LabConfig
from lab_utils.reference.readings import iso_utc
from lab_utils.reference.topics import ensure_topic
from lab_utils.reference.warehouse import KELEMBABAN, MEASURES, SUHU, WATERMARK, status, topic_for
from lab_utils.reference.warehouse_join import join_warehouses, parse, sensor_side, source
from lab_utils.streaming import LiveTable, wait_until_started
from lab_utils.topics import delete_topic

PAIRS_PER_S = 20
BATCH_S = 10  # seconds of event time per micro-batch in the state runs


@contextlib.contextmanager
def warehouse_topics(config: LabConfig, name: str) -> Iterator[LabConfig]:
    """Two fresh 3-partition topics for one measurement, deleted afterwards."""
    stamp = f"bench-{name}-{int(time.time())}"
    fresh = dataclasses.replace(
        config, warehouse_temperature_topic=f"{stamp}-suhu", warehouse_humidity_topic=f"{stamp}-kelembaban"
    )
    for measure in MEASURES:
        ensure_topic(topic_for(measure, fresh), partitions=3, config=config)
    try:
        yield fresh
    finally:
        for measure in MEASURES:
            delete_topic(topic_for(measure, fresh), config)


def _pair_sender(config: LabConfig, count: int) -> threading.Thread:
    """Send ``count`` pairs, each for its own warehouse: a temperature reading, then the humidity reading
    (the second), each stamped with its send time."""

    def send() -> None:
        producer = make_producer(config, linger_ms=0)
        for number in range(count):
            gudang_id = f"L{number}"
            for measure, value in ((SUHU, 85.0), (KELEMBABAN, 75.0)):
                body = {"gudang_id": gudang_id, measure: value, "ts": iso_utc(datetime.now(UTC))}
                producer.send(topic_for(measure, config), json.dumps(body).encode(), key=gudang_id.encode())
            time.sleep(1 / PAIRS_PER_S)
        producer.flush()
        producer.close()

    return threading.Thread(target=send, daemon=True)


def _sides(
    spark: SparkSession, config: LabConfig, starting: str, per_batch: int | None
) -> tuple[DataFrame, DataFrame]:
    suhu, kelembaban = (
        sensor_side(parse(source(spark, config, measure, starting, per_batch), measure), measure)
        for measure in MEASURES
    )
    return suhu, kelembaban


def join_latency(
    spark: SparkSession, config: LabConfig, trigger_s: float, poll_s: float, count: int
) -> tuple[list[float], float]:
    """Seconds from the second reading's send time to the pair's status in the pandas table, and the
    median time a micro-batch took (Spark's own report: ``durationMs.triggerExecution``)."""
    with warehouse_topics(config, "join-latency") as fresh:
        table = LiveTable("status", 100_000)
        joined = join_warehouses(*_sides(spark, fresh, "latest", None), fresh)
        query = (
            joined.writeStream.queryName("bench_join")
            .foreachBatch(table.write_batch)
            .trigger(processingTime=f"{trigger_s} seconds")
            .start()
        )
        seen: dict[str, float] = {}
        try:
            wait_until_started([query])
            sender = _pair_sender(fresh, count)
            sender.start()
            deadline = time.monotonic() + count / PAIRS_PER_S + 30
            while len(seen) < count and time.monotonic() < deadline:
                now = datetime.now(UTC).timestamp()
                frame = table.frame()
                for gudang_id, second in zip(
                    frame.get("gudang_id", []), frame.get("kelembaban_time", []), strict=True
                ):
                    seen.setdefault(gudang_id, now - second.replace(tzinfo=UTC).timestamp())
                time.sleep(poll_s)
            sender.join()
            batches = [p["durationMs"]["triggerExecution"] for p in query.recentProgress if p["numInputRows"]]
        finally:
            query.stop()
    return list(seen.values()), statistics.median(batches) if batches else float("nan")


def join_latency_baseline(config: LabConfig, count: int) -> list[float]:
    """The floor: a kafka-python consumer of both topics that joins each pair in a dict, same rule."""
    latencies: list[float] = []
    with warehouse_topics(config, "join-baseline") as fresh:
        consumer = make_consumer(fresh, auto_offset_reset="latest")
        consumer.subscribe([topic_for(measure, fresh) for measure in MEASURES])
        consumer.poll(timeout_ms=2000)  # join the group and take positions before sending
        waiting: dict[str, dict[str, tuple[float, datetime]]] = {}
        sender = _pair_sender(fresh, count)
        sender.start()
        deadline = time.monotonic() + count / PAIRS_PER_S + 30
        while len(latencies) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=100).values():
                now = datetime.now(UTC)
                for record in batch:
                    body = json.loads(record.value)
                    measure = SUHU if SUHU in body else KELEMBABAN
                    at = datetime.fromisoformat(body["ts"].replace("Z", "+00:00"))
                    readings = waiting.setdefault(body["gudang_id"], {}) | {measure: (body[measure], at)}
                    waiting[body["gudang_id"]] = readings
                    if len(readings) == 2 and abs(readings[SUHU][1] - readings[KELEMBABAN][1]) <= timedelta(
                        seconds=fresh.join_window_s
                    ):
                        status(readings[SUHU][0], readings[KELEMBABAN][0], fresh)
                        latencies.append(
                            (now - max(readings[SUHU][1], readings[KELEMBABAN][1])).total_seconds()
                        )
        consumer.close()
        sender.join()
    return latencies


def _write_readings(spark: SparkSession, config: LabConfig, warehouses: int, seconds: int) -> None:
    """``seconds`` readings per warehouse and sensor, stamped one second apart, via Spark's Kafka sink."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=seconds + 60)
    # One writing task, so that each partition holds its readings in event-time order (two tasks would
    # interleave the first and second half of the run, and the watermark would drop half of it as late).
    rows = spark.range(warehouses * seconds, numPartitions=1).select(
        F.concat(F.lit("G"), (F.col("id") % warehouses + 1).cast("string")).alias("gudang_id"),
        F.timestamp_seconds(F.lit(int(start.timestamp())) + F.floor(F.col("id") / warehouses)).alias("at"),
        (F.col("id") % 13).alias("wiggle"),
    )
    for measure, base in ((SUHU, 74.0), (KELEMBABAN, 62.0)):
        body = F.struct(
            "gudang_id",
            (F.lit(base) + F.col("wiggle")).alias(measure),
            F.date_format("at", "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").alias("ts"),
        )
        (
            rows.select(F.col("gudang_id").cast("binary").alias("key"), F.to_json(body).alias("value"))
            .write.format("kafka")
            .option("kafka.bootstrap.servers", config.bootstrap_servers)
            .option("topic", topic_for(measure, config))
            .save()
        )


def join_state(
    spark: SparkSession, config: LabConfig, warehouses: int, minutes: float, watermarks: tuple[bool, ...]
) -> dict[bool, list[int]]:
    """The join's rows in state after each micro-batch, with and/or without watermarks."""
    found: dict[bool, list[int]] = {}
    with warehouse_topics(config, f"join-state-{warehouses}") as fresh:
        _write_readings(spark, fresh, warehouses, int(minutes * 60))
        per_batch = warehouses * BATCH_S  # per topic: BATCH_S seconds of event time
        for with_watermarks in watermarks:
            joined = join_warehouses(
                *_sides(spark, fresh, "earliest", per_batch),
                fresh,
                watermark=WATERMARK if with_watermarks else None,
            )
            query = joined.writeStream.format("noop").trigger(availableNow=True).start()
            query.awaitTermination(1800)
            query.stop()
            found[with_watermarks] = [
                p["stateOperators"][0]["numRowsTotal"] for p in query.recentProgress if p["numInputRows"] > 0
            ]
    return found
