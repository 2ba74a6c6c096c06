"""Notebook 07's real-time alert job, finished: readings topic -> parse -> above threshold -> alerts topic.

``sensor-alerts --realtime``, ``make bench`` and the tests run it. The rules are those of the
micro-batch path (``lab_utils.reference.parsing``: parse, validate, ``suhu`` strictly above the
threshold), so both paths raise the same alerts. Each alert says which reading raised it (its Kafka
partition and offset) and which job raised it, so a reader can drop the repeats of Spark's
at-least-once Kafka sink. The duration of ``trigger(realTime=...)`` is how often progress is
checkpointed, not a latency. Notebook 07 uses :func:`start_realtime_alerts` and :func:`watch_alerts` in
place of its exercises while they are not done, and :func:`send_and_watch` for its self-check's edge cases.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from lab_utils.clients import make_consumer, make_producer
from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.realtime import (
    alerts_topic,
    ensure_alerts_topic,
    realtime_config,
    running_tasks,
    topic_partitions,
    wait_until_running,
)
from lab_utils.reference.alerts import print_now, record_printer
from lab_utils.reference.parsing import alerts, kafka_source, parse_readings, valid_readings
from lab_utils.reference.readings import Reading, iso_utc
from lab_utils.reference.topics import ensure_topic
from lab_utils.spark import spark_job

# How often the real-time query checkpoints its progress (Spark's minimum is 5 s, its default 5 minutes).
# Records do not wait for it; between two checkpoints the query pauses for a few hundred ms to commit.
CHECKPOINT_EVERY = "1 minute"


def new_job_id(name: str) -> str:
    """A name for one run of an alert job, unique in a classroom: ``name-1a2b3c4d``."""
    return f"{name}-{uuid.uuid4().hex[:8]}"


def checkpoint_dir(job: str, config: LabConfig) -> Path:
    """Where the job's query keeps its checkpoint: a fresh folder per run, deleted when it stops."""
    return config.lab_home / "checkpoints" / "realtime" / job


def alert_records(readings: DataFrame, threshold: float, job: str) -> DataFrame:
    """Kafka records for the readings above ``threshold``: key ``sensor_id``, value the alert as JSON.

    The alert names the reading it came from by its Kafka coordinates (``source_partition``,
    ``source_offset``), so a consumer can drop a repeated alert: Spark's Kafka sink delivers at least once.
    """
    return alerts(readings, threshold).select(
        F.col("sensor_id").cast("binary").alias("key"),
        F.to_json(
            F.struct(
                "sensor_id",
                "suhu",
                "event_time",
                F.col("partition").alias("source_partition"),
                F.col("offset").alias("source_offset"),
                F.lit(job).alias("job"),
            )
        ).alias("value"),
    )


def start_realtime_alerts(
    spark: SparkSession,
    config: LabConfig,
    job: str,
    starting_offsets: str = "latest",
    checkpoint_every: str = CHECKPOINT_EVERY,
) -> StreamingQuery:
    """Start the real-time alert query ``job``: readings topic -> parse -> above threshold -> alerts topic."""
    partitions = topic_partitions(config)
    slots = spark.sparkContext.defaultParallelism
    if slots < partitions:
        raise LabError(
            f"Real-time mode needs a task slot for each of the {partitions} partitions of {config.topic}, "
            f"and this Spark has {slots}: create the session with lab_utils.realtime.realtime_config(config)."
        )
    records = kafka_source(spark, config, starting_offsets=starting_offsets)
    readings = valid_readings(parse_readings(records))
    checkpoint = checkpoint_dir(job, config)
    shutil.rmtree(checkpoint, ignore_errors=True)  # a fresh start: never resume an older run's offsets
    return (
        alert_records(readings, config.threshold, job)
        .writeStream.format("kafka")
        .option("kafka.bootstrap.servers", config.bootstrap_servers)
        .option("topic", alerts_topic(config))
        .option("checkpointLocation", str(checkpoint))
        .queryName(job)
        .outputMode("update")
        .trigger(realTime=checkpoint_every)  # type: ignore[call-overload]  # Spark 4.1+; pyspark's hints lag
        .start()
    )


def stop_realtime(query: StreamingQuery | None, config: LabConfig) -> str:
    """Stop the query and delete its checkpoint; safe to call twice."""
    if query is None:
        return "No real-time query was started."
    was_active = query.isActive
    query.stop()
    shutil.rmtree(checkpoint_dir(query.name, config), ignore_errors=True)
    return f"Stopped {query.name}." if was_active else f"{query.name} was already stopped."


# -- reading the alerts topic --------------------------------------------------------------------------
@dataclass(frozen=True)
class Alert:
    """One alert read back from the alerts topic, with the moment this process received it."""

    sensor_id: str
    suhu: float
    event_time: str
    source_partition: int
    source_offset: int
    job: str
    seen_at: float  # time.time() when the consumer got it

    @classmethod
    def from_value(cls, value: bytes | None, seen_at: float) -> Alert | None:
        """The alert in a record's value, or None when the record is not one (a shared topic carries junk)."""
        try:
            body = json.loads(value or b"")
            alert = cls(
                str(body["sensor_id"]),
                float(body["suhu"]),
                str(body["event_time"]),
                int(body["source_partition"]),
                int(body["source_offset"]),
                str(body["job"]),
                seen_at,
            )
            datetime.fromisoformat(alert.event_time)  # an event_time that is no ISO time makes no alert
        except (ValueError, TypeError, KeyError):
            return None
        return alert if math.isfinite(alert.suhu) else None

    @property
    def sent_at(self) -> float:
        """The reading's own time stamp (its ``ts``, stamped by the sender) in seconds since the epoch."""
        return datetime.fromisoformat(self.event_time).timestamp()

    @property
    def latency_s(self) -> float:
        """Seconds from the reading's time stamp to this alert reaching the consumer."""
        return self.seen_at - self.sent_at

    def record(self) -> dict[str, object]:
        """The fields ``sensor-alerts`` prints, with the reading's own Kafka coordinates."""
        return {
            "sensor_id": self.sensor_id,
            "suhu": self.suhu,
            "event_time": self.event_time,
            "partition": self.source_partition,
            "offset": self.source_offset,
        }


class AlertWatcher:
    """A kafka-python consumer on the alerts topic that sees the alerts raised from the moment it is built.

    It reads every partition (no consumer group, so no rebalance delay), keeps alerts of the given
    ``jobs`` only (all when None), and drops a repeat of an alert it already returned.
    """

    def __init__(self, config: LabConfig, jobs: set[str] | None = None) -> None:
        self.jobs = jobs
        self._seen: set[tuple[str, int, int]] = set()
        topic = alerts_topic(config)
        self.consumer = make_consumer(config, enable_auto_commit=False)
        partitions = [
            TopicPartition(topic, p) for p in sorted(self.consumer.partitions_for_topic(topic) or [])
        ]
        if not partitions:
            self.consumer.close()
            raise LabError(f"The topic {topic} does not exist: create it with ensure_alerts_topic(config).")
        self.consumer.assign(partitions)
        self.consumer.seek_to_end(*partitions)
        for partition in partitions:
            self.consumer.position(partition)  # fix the positions now, not at the first poll

    def poll(self, timeout_s: float = 0.1) -> list[Alert]:
        """The new alerts that arrived within ``timeout_s`` (an empty list when none did)."""
        found = []
        for batch in self.consumer.poll(timeout_ms=int(timeout_s * 1000)).values():
            seen_at = time.time()
            for record in batch:
                alert = Alert.from_value(record.value, seen_at)
                if alert is None or (self.jobs is not None and alert.job not in self.jobs):
                    continue
                identity = (alert.job, alert.source_partition, alert.source_offset)
                if identity not in self._seen:
                    self._seen.add(identity)
                    found.append(alert)
        return found

    def close(self) -> None:
        self.consumer.close()


# -- notebook 07: its poll loop finished, and its self-check's edge cases ----------------------------
def watch_alerts(
    consumer: KafkaConsumer,
    jobs: Iterable[str],
    seen: dict[tuple[str, int, int], float],
    keep_going: Callable[[], bool],
) -> dict[tuple[str, int, int], float]:
    """Notebook 07's poll loop, finished: while ``keep_going()``, note in ``seen`` when each alert of
    ``jobs`` first arrived, by ``(job, source_partition, source_offset)``; skip what is not an alert."""
    jobs = set(jobs)
    while keep_going():
        for batch in consumer.poll(timeout_ms=100).values():
            arrived = time.time()
            for record in batch:
                alert = Alert.from_value(record.value, arrived)
                if alert is not None and alert.job in jobs:
                    seen.setdefault((alert.job, alert.source_partition, alert.source_offset), arrived)
    return seen


def tasks_keep_running(spark: SparkSession, query: StreamingQuery, tasks: int, looks: int = 10) -> int:
    """In how many of ``looks`` looks, a tenth of a second apart, all ``tasks`` of the query were running.

    A real-time query's tasks keep running; a micro-batch query's tasks last milliseconds.
    """
    busy = 0
    for _ in range(looks):
        busy += running_tasks(spark, query) >= tasks
        time.sleep(0.1)
    return busy


def send_and_watch(
    config: LabConfig, job: str, temperatures: list[float], sensor: str, timeout_s: float = 20.0
) -> list[tuple[float, tuple[int, int], Alert | None]]:
    """A self-check's edge cases: send readings of one ``sensor`` (one key, so one partition, in order)
    and return, for each, its (partition, offset) and the alert ``job`` raised for it (None: no alert).

    Waits until the alert of the last hot reading came, or ``timeout_s``: a query handles one
    partition's records in order, and the alerts of one key keep that order, so by then the alert of
    every reading sent before it has come too.
    """
    watcher = AlertWatcher(config, jobs={job})  # positioned before the first reading is sent
    alerts: dict[tuple[int, int], Alert] = {}
    sent: list[tuple[float, tuple[int, int]]] = []
    try:
        producer = make_producer(config, linger_ms=0)
        try:
            for suhu in temperatures:
                reading = Reading(sensor, suhu, iso_utc(datetime.now(UTC)))
                where = producer.send(config.topic, reading.to_json(), key=sensor.encode()).get(timeout=10)
                sent.append((suhu, (where.partition, where.offset)))
        finally:
            producer.close()
        last_hot = next((at for suhu, at in reversed(sent) if suhu > config.threshold), None)
        deadline = time.monotonic() + timeout_s
        while last_hot is not None and last_hot not in alerts and time.monotonic() < deadline:
            for alert in watcher.poll(0.1):
                alerts[(alert.source_partition, alert.source_offset)] = alert
    finally:
        watcher.close()
    return [(suhu, at, alerts.get(at)) for suhu, at in sent]


# -- sensor-alerts --realtime ------------------------------------------------------------------------
def run_realtime_alerts(
    config: LabConfig,
    from_beginning: bool = False,
    as_json: bool = False,
    timeout_s: float | None = None,
    out: Callable[[str], None] | None = None,
) -> None:
    """``sensor-alerts --realtime``: run the real-time query and print each alert it raises the moment it
    arrives on the alerts topic (the line or JSON of ``sensor-alerts``), until ``timeout_s`` or Ctrl-C.

    Status lines go to stderr; the "Watching" line comes once the query's tasks run.
    """
    ensure_topic(config=config)  # one sentence, in seconds, when no broker answers
    ensure_alerts_topic(config)
    show = record_printer(config.threshold, as_json=as_json, out=out or print_now)  # sensor-alerts' lines
    job = new_job_id("sensor-alerts")
    watcher = AlertWatcher(config, jobs={job})  # positioned before the query can write anything
    try:
        with spark_job(realtime_config(config)) as spark:
            query = start_realtime_alerts(spark, config, job, "earliest" if from_beginning else "latest")
            try:
                wait_until_running(spark, query, topic_partitions(config))
                print(
                    f"Watching {config.topic} in real-time mode (threshold {config.threshold:g} °C); "
                    f"the alerts also go to {alerts_topic(config)}...",
                    file=sys.stderr,
                    flush=True,
                )
                deadline = None if timeout_s is None else time.monotonic() + timeout_s
                while deadline is None or time.monotonic() < deadline:
                    for alert in watcher.poll(0.1):
                        show(alert.record())
                    if not query.isActive:
                        raise LabError("The real-time query stopped: see .lab/logs/spark.log.")
            finally:
                stop_realtime(query, config)
    finally:
        watcher.close()
