"""Spark's real-time mode: the alert path in milliseconds instead of micro-batch seconds.

Notebook 07 writes this query in its cells; ``sensor-alerts --realtime``, ``make bench`` and the tests use
the reference here. A query with ``trigger(realTime="1 minute")`` (Spark 4.1+) runs one long-lived task
per Kafka partition that parses, filters and writes each record the moment it arrives; the duration is
how often progress is checkpointed, not a latency. Spark requires the ``update`` output mode, a
checkpoint location and a Kafka (or foreach) sink, accepts only stateless queries in 4.1 and 4.2, and
needs a free task slot for every partition for as long as the query runs: a ``local[N]`` master gives N
slots whatever the machine's cores, so :func:`realtime_config` asks for enough of them.

Alerts go to the topic ``sensor-suhu-alerts`` (:func:`alerts_topic`) as JSON that says which reading
raised them (its Kafka partition and offset) and which job raised it. The rules are those of the
micro-batch path (``lab_utils.streaming``: parse, validate, ``suhu`` strictly above the threshold), so
both paths raise the same alerts.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kafka import TopicPartition
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from lab_utils.clients import make_consumer
from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.streaming import alerts, kafka_source, parse_readings, valid_readings
from lab_utils.topics import ensure_topic

ALERTS_SUFFIX = "-alerts"
# How often the real-time query checkpoints its progress (Spark's minimum is 5 s, its default 5 minutes).
# Records do not wait for it; between two checkpoints the query pauses for a few hundred ms to commit.
CHECKPOINT_EVERY = "1 minute"
STARTUP_TIMEOUT_S = 120.0


def alerts_topic(config: LabConfig) -> str:
    """The topic the real-time alerts go to: ``sensor-suhu-alerts`` for ``sensor-suhu``."""
    return f"{config.topic}{ALERTS_SUFFIX}"


def ensure_alerts_topic(config: LabConfig) -> str:
    """Create the alerts topic unless it exists (as many partitions as the readings topic by default)."""
    return ensure_topic(alerts_topic(config), config=config)


def topic_partitions(config: LabConfig, topic: str | None = None) -> int:
    """How many partitions the topic has on the broker (the configured number if it does not exist yet)."""
    consumer = make_consumer(config)
    try:
        found = consumer.partitions_for_topic(topic or config.topic)
    finally:
        consumer.close()
    return len(found) if found else config.partitions


def task_slots(config: LabConfig) -> int:
    """Task slots a session with a real-time query needs: one per partition of the topic, held by the
    real-time query as long as it runs, and as many again for everything else (a micro-batch query, a
    batch job). Too few, and the partitions without a slot wait a whole checkpoint interval."""
    return 2 * topic_partitions(config)


def realtime_config(config: LabConfig) -> LabConfig:
    """``config`` with a Spark master that has enough task slots for a real-time query.

    A ``local`` master gets ``local[N]`` with N = :func:`task_slots` unless it has that many already;
    a cluster master (``spark://...``) is kept: its executors bring the slots (checked at start).
    """
    master = config.spark_master.strip()
    match = re.fullmatch(r"local(?:\[(\d+|\*)\])?", master)
    if match is None:
        return config
    if match.group(1) is None:
        have = 1
    elif match.group(1) == "*":
        have = os.cpu_count() or 1
    else:
        have = int(match.group(1))
    slots = task_slots(config)
    return config if have >= slots else dataclasses.replace(config, spark_master=f"local[{slots}]")


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
    records = kafka_source(spark, starting_offsets=starting_offsets, config=config)
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
        .trigger(realTime=checkpoint_every)
        .start()
    )


def running_tasks(spark: SparkSession, query: StreamingQuery) -> int:
    """How many tasks of the query are running right now (Spark tags a query's jobs with its run id)."""
    tracker = spark.sparkContext.statusTracker()
    running = 0
    for job_id in tracker.getJobIdsForGroup(str(query.runId)):
        job = tracker.getJobInfo(job_id)
        if job is None or job.status != "RUNNING":
            continue
        for stage_id in job.stageIds:
            stage = tracker.getStageInfo(stage_id)
            running += stage.numActiveTasks if stage is not None else 0
    return running


def wait_until_running(
    spark: SparkSession, query: StreamingQuery, tasks: int, timeout_s: float = STARTUP_TIMEOUT_S
) -> float:
    """Block until the real-time query runs ``tasks`` tasks (one per partition); return the seconds waited.

    From then on every record sent to the topic is read at once: the query fixed its starting offsets
    before it launched the tasks. (A micro-batch query is up after its first batch:
    ``lab_utils.streaming.wait_until_started``; a real-time batch lasts a whole checkpoint interval.)
    """
    started = time.monotonic()
    while running_tasks(spark, query) < tasks:
        if query.exception() is not None or not query.isActive:
            raise LabError(f"The query {query.name} stopped while starting: see .lab/logs/spark.log.")
        if time.monotonic() - started > timeout_s:
            raise LabError(
                f"The real-time query has {running_tasks(spark, query)} of its {tasks} tasks running after "
                f"{timeout_s:.0f} s: is its trigger realTime=...? Has Spark a free task slot per partition?"
            )
        time.sleep(0.05)
    return time.monotonic() - started


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
    from lab_utils.alerts import print_now, record_printer
    from lab_utils.spark import spark_job

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
