"""Notebook 04's production pattern: one query, three bounded live tables, and a dead-letter topic.

Notebook 04 first writes the memory-sink version in its cells; this is what the same pipeline looks
like when it has to run all day (the benchmark and the tests run it); ``sensor-alerts`` uses its
dead-letter topic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.reference.parsing import (
    REJECTED_VIEW,
    VALID_VIEW,
    is_alert,
    kafka_source,
    parse_readings,
    rejected_records,
)
from lab_utils.reference.topics import ensure_topic
from lab_utils.stack.account import spark_kafka_options
from lab_utils.stack.messages import in_language
from lab_utils.streaming import (
    LiveTable,
    active_query,
    batch_to_pandas,
    stop_query,
    wait_until_started,
    watch_queries,
)

DLQ_MAX_MESSAGE_BYTES = 2 * 1024 * 1024  # a rejected record plus its headers must fit, even a 1 MB one


def write_dead_letters(rejected: DataFrame, config: LabConfig) -> None:
    """Send rejected records (a batch) to the dead-letter topic: same key and value, the reason in headers.

    Nothing is lost: an operator can read ``sensor-suhu-dlq``, fix the sender, and replay.
    """
    header = lambda name, column: F.struct(F.lit(name).alias("key"), F.encode(column, "UTF-8").alias("value"))  # noqa: E731
    (
        rejected.select(
            F.col("record_key").alias("key"),
            F.col("record_value").alias("value"),
            F.array(
                header("reason", F.col("reason")),
                header("source-partition", F.col("partition").cast("string")),
                header("source-offset", F.col("offset").cast("string")),
            ).alias("headers"),
        )
        .write.format("kafka")
        .option("kafka.bootstrap.servers", config.bootstrap_servers)
        .options(**spark_kafka_options(config))  # a class cluster's account, if any
        .option("kafka.max.request.size", str(DLQ_MAX_MESSAGE_BYTES))
        .option("topic", config.dlq_topic)
        .save()
    )


def ensure_dead_letter_topic(config: LabConfig) -> str:
    """The dead-letter topic, created if needed, big enough for any rejected record."""
    return ensure_topic(
        config.dlq_topic, configs={"max.message.bytes": str(DLQ_MAX_MESSAGE_BYTES)}, config=config
    )


def start_foreach_batch(
    frame: DataFrame,
    name: str,
    function: Callable[[DataFrame, int], None],
    trigger_seconds: float,
    output_mode: str = "append",
) -> StreamingQuery:
    """Run ``function`` on every micro-batch of ``frame`` in a query called ``name`` (replacing one)."""
    stop_query(frame.sparkSession, name)
    writer = frame.writeStream.queryName(name).outputMode(output_mode).foreachBatch(function)
    # a micro-batch every trigger_seconds (config.trigger_seconds); 0 means as fast as possible
    return (
        writer.trigger(processingTime=f"{trigger_seconds} seconds") if trigger_seconds > 0 else writer
    ).start()


@dataclass
class Snapshot:
    """What the pipeline's tables hold at one moment."""

    readings: pd.DataFrame
    alerts: pd.DataFrame
    rejected: pd.DataFrame


class SensorPipeline:
    """Notebook 04's pipeline: one query on the topic feeding three bounded live tables.

    Spark parses each micro-batch and flags the alerts; the batch then comes to pandas once and is
    split into ``readings`` (valid), ``alerts`` (valid and above the threshold) and ``rejected``.
    Rejected records also go to the dead-letter topic (``LAB_DLQ_TOPIC``) with their reason, before
    the tables change, so a failed write loses nothing: the batch is retried. One query instead of
    one per table reads Kafka once per batch, which halves the alert latency on a 2-core laptop.
    """

    QUERY = "sensor_pipeline"
    TABLES = ("readings", "alerts", "rejected")

    def __init__(self, spark: SparkSession, config: LabConfig, starting_offsets: str = "latest") -> None:
        self.spark = spark
        self.config = config
        self.starting_offsets = starting_offsets
        self.tables = {name: LiveTable(name, self.config.table_rows) for name in self.TABLES}
        self.tables["readings"].columns = self.tables["alerts"].columns = VALID_VIEW
        self.tables["rejected"].columns = REJECTED_VIEW

    def start(self) -> str:
        """Start (or restart, replacing the old query) the pipeline's query."""
        ensure_dead_letter_topic(self.config)
        parsed = parse_readings(kafka_source(self.spark, self.config, starting_offsets=self.starting_offsets))
        flagged = parsed.withColumn(
            "alert", F.col("reject_reason").isNull() & is_alert(self.config.threshold)
        )
        for table in self.tables.values():
            table.clear()
        query = start_foreach_batch(flagged, self.QUERY, self._write_batch, self.config.trigger_seconds)
        wait_until_started([query])
        tables = ", ".join(self.TABLES)
        started = (
            f"Streaming {self.config.topic} into the tables {tables} (from {self.starting_offsets}); "
            f"rejected records also go to {self.config.dlq_topic}."
        )
        return in_language(started, self.config.language)

    def _write_batch(self, batch: DataFrame, _batch_id: int) -> None:
        rows = batch_to_pandas(batch.drop("record_key", "record_value"))
        refused = rows["reject_reason"].notna()
        if refused.any():
            write_dead_letters(rejected_records(batch), self.config)
        rejected = rows[refused].rename(columns={"reject_reason": "reason"})
        self.tables["rejected"].append(rejected[REJECTED_VIEW])
        valid = rows[~refused]
        self.tables["readings"].append(valid[VALID_VIEW])
        self.tables["alerts"].append(valid[valid["alert"]][VALID_VIEW])

    def snapshot(self) -> Snapshot:
        """The three tables as pandas DataFrames, right now (no Spark job runs)."""
        return Snapshot(*(self.tables[name].frame() for name in self.TABLES))

    def watch(
        self,
        seconds: float | None = None,
        every_s: float = 1.0,
        on_update: Callable[[Snapshot], None] | None = None,
    ) -> Snapshot:
        """Poll every ``every_s`` seconds for ``seconds`` (the profile's stream length by default)."""
        query = active_query(self.spark, self.QUERY)
        if query is None:
            raise LabError("The pipeline is not running: run its start cell first.")
        seconds = self.config.stream_seconds if seconds is None else seconds
        watch_queries(
            [query], seconds, every_s, None if on_update is None else lambda: on_update(self.snapshot())
        )
        return self.snapshot()

    def stop(self) -> str:
        """Stop the pipeline's query; safe to call twice."""
        stopped = stop_query(self.spark, self.QUERY)
        line = f"Stopped {self.QUERY}." if stopped else "The pipeline was not running."
        return in_language(line, self.config.language)
