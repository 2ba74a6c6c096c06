"""Spark's real-time mode: the plumbing notebook 07 needs around its query.

Notebook 07 writes the real-time query in its cells (``trigger(realTime="1 minute")``, Spark 4.1+).
Such a query runs one long-lived task per Kafka partition that parses, filters and writes each record
the moment it arrives, and Spark needs a free task slot for every partition for as long as it runs:
a ``local[N]`` master gives N slots whatever the machine's cores, so :func:`realtime_config` asks for
enough of them, and :func:`wait_until_running` waits until every task runs. Alerts go to the topic
``sensor-suhu-alerts`` (:func:`alerts_topic`). The finished job (``sensor-alerts --realtime``, the
benchmark) is ``lab_utils/reference/realtime_alerts.py``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import time

from pyspark.sql import SparkSession
from pyspark.sql.streaming import StreamingQuery

from lab_utils.clients import make_consumer
from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.reference.topics import ensure_topic
from lab_utils.streaming import raise_if_stopped

ALERTS_SUFFIX = "-alerts"
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
        raise_if_stopped(query)
        if time.monotonic() - started > timeout_s:
            raise LabError(
                f"The real-time query has {running_tasks(spark, query)} of its {tasks} tasks running after "
                f"{timeout_s:.0f} s: is its trigger realTime=...? Has Spark a free task slot per partition?"
            )
        time.sleep(0.05)
    return time.monotonic() - started
