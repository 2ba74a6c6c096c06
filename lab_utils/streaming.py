"""The Spark side of the lab: Kafka source -> parse -> valid / rejected -> alerts -> memory tables.

Notebook 04 and ``sensor-alerts`` build their pipelines from these pieces. Parsing uses Spark 4's
VARIANT type (``try_parse_json``), so every record gets either clean columns or one rejection
reason from ``lab_utils.readings`` - the same words the Python consumer uses. The same functions
work on batch DataFrames (``spark.read``), which the tests use to compare against pandas.
Queries are started by name and idempotently: starting a name again replaces the old query.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import DataStreamWriter, StreamingQuery

from lab_utils import readings as rules
from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError

NUMERIC_TYPES = r"^(TINYINT|SMALLINT|INT|BIGINT|FLOAT|DOUBLE|DECIMAL)"
REJECTED_VALUE_CHARS = 200  # rejected views keep the start of the value, not a 1 MB copy


def kafka_source(
    spark: SparkSession,
    topic: str | None = None,
    starting_offsets: str = "latest",
    streaming: bool = True,
    config: LabConfig | None = None,
) -> DataFrame:
    """The topic as a DataFrame of Kafka records (key, value, partition, offset, timestamp...)."""
    config = config or load_config()
    reader = spark.readStream if streaming else spark.read
    return (
        reader.format("kafka")
        .option("kafka.bootstrap.servers", config.bootstrap_servers)
        .option("subscribe", topic or config.topic)
        .option("startingOffsets", starting_offsets)
        # A topic deleted and re-created between runs (a reset) must not stop the lab.
        .option("failOnDataLoss", "false")
        .load()
    )


def _reject_reason() -> Column:
    """The first rule a record breaks, or NULL for a valid reading (same order as readings.parse).

    Reads the staged columns ``value`` (bytes), ``text`` (value as a string) and ``body`` (VARIANT).
    """
    body, text, value = F.col("body"), F.col("text"), F.col("value")
    suhu_type = F.expr("schema_of_variant(variant_get(body, '$.suhu'))")  # NULL when absent, VOID for null
    sensor_id = F.expr("try_variant_get(body, '$.sensor_id', 'string')")
    suhu = F.expr("try_variant_get(body, '$.suhu', 'double')")
    ts = F.expr("try_variant_get(body, '$.ts', 'string')")
    return (
        F.when(value.isNull() | (F.length(value) == 0), F.lit(rules.EMPTY))
        .when(~F.expr("is_valid_utf8(text)"), F.lit(rules.NOT_UTF8))
        .when(body.isNull() & text.rlike(r'"suhu"\s*:\s*-?(NaN|Infinity)'), F.lit(rules.SUHU_NOT_FINITE))
        .when(body.isNull(), F.lit(rules.NOT_JSON))
        .when(~F.expr("schema_of_variant(body)").startswith("OBJECT"), F.lit(rules.NOT_OBJECT))
        .when(sensor_id.isNull() | (F.trim(sensor_id) == ""), F.lit(rules.NO_SENSOR_ID))
        .when(suhu_type.isNull(), F.lit(rules.NO_SUHU))
        .when(suhu_type == "VOID", F.lit(rules.SUHU_NULL))
        .when(~suhu_type.rlike(NUMERIC_TYPES), F.lit(rules.SUHU_NOT_NUMBER))
        .when((suhu < rules.MIN_SUHU) | (suhu > rules.MAX_SUHU), F.lit(rules.SUHU_OUT_OF_RANGE))
        .when(ts.isNotNull() & F.try_to_timestamp(ts).isNull(), F.lit(rules.BAD_TS))
    )


def parse_readings(records: DataFrame) -> DataFrame:
    """Kafka records -> one row per record with reading columns and ``reject_reason`` (NULL = valid).

    ``event_time`` is the reading's own ``ts`` when it has one, else the Kafka record timestamp.
    """
    staged = records.select(
        F.col("key").cast("string").alias("key"),
        F.col("key").alias("record_key"),
        F.col("value"),
        F.col("value").cast("string").alias("text"),
        F.col("partition"),
        F.col("offset"),
        F.col("timestamp").alias("kafka_time"),
    ).withColumn("body", F.expr("try_parse_json(text)"))
    return staged.select(
        "key",
        "record_key",
        F.col("value").alias("record_value"),
        "partition",
        "offset",
        "kafka_time",
        F.expr("try_variant_get(body, '$.sensor_id', 'string')").alias("sensor_id"),
        F.expr("try_variant_get(body, '$.suhu', 'double')").alias("suhu"),
        F.coalesce(
            F.expr("try_to_timestamp(try_variant_get(body, '$.ts', 'string'))"), F.col("kafka_time")
        ).alias("event_time"),
        _reject_reason().alias("reject_reason"),
        # Invalid UTF-8 would break pandas: show it with U+FFFD replacement characters instead.
        F.expr(f"substr(make_valid_utf8(text), 1, {REJECTED_VALUE_CHARS})").alias("value_start"),
    )


def valid_readings(parsed: DataFrame) -> DataFrame:
    """The readings that follow every rule: sensor_id, suhu, event_time and where they came from."""
    return parsed.where(F.col("reject_reason").isNull()).select(
        "sensor_id", "suhu", "event_time", "partition", "offset"
    )


REJECTED_VIEW = ["key", "reason", "value_start", "partition", "offset", "kafka_time"]


def rejected_records(parsed: DataFrame) -> DataFrame:
    """Records that are not readings: the reason, the start of what was sent, and the raw record
    (``record_key``, ``record_value``) for the dead-letter topic. ``REJECTED_VIEW`` is what to show."""
    return parsed.where(F.col("reject_reason").isNotNull()).select(
        *REJECTED_VIEW[:1],
        F.col("reject_reason").alias("reason"),
        *REJECTED_VIEW[2:],
        "record_key",
        "record_value",
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
        .option("kafka.max.request.size", str(DLQ_MAX_MESSAGE_BYTES))
        .option("topic", config.dlq_topic)
        .save()
    )


def ensure_dead_letter_topic(config: LabConfig) -> str:
    """The dead-letter topic, created if needed, big enough for any rejected record."""
    from lab_utils.topics import ensure_topic

    return ensure_topic(
        config.dlq_topic, configs={"max.message.bytes": str(DLQ_MAX_MESSAGE_BYTES)}, config=config
    )


def alerts(valid: DataFrame, threshold: float | None = None) -> DataFrame:
    """Readings strictly above the threshold (80 °C by default): 80.0 itself is not an alert."""
    limit = load_config().threshold if threshold is None else threshold
    return valid.where(F.col("suhu") > F.lit(limit))


# -- queries ---------------------------------------------------------------------------------------
def active_query(spark: SparkSession, name: str) -> StreamingQuery | None:
    """The running query called ``name``, if any."""
    return next((q for q in spark.streams.active if q.name == name), None)


def stop_query(spark: SparkSession, name: str) -> bool:
    """Stop the query called ``name``; False when none was running."""
    query = active_query(spark, name)
    if query is None:
        return False
    query.stop()
    return True


def stop_all_queries(spark: SparkSession) -> str:
    """Stop every running query of this session; one line saying how many."""
    names = [q.name for q in spark.streams.active]
    for query in spark.streams.active:
        query.stop()
    return (
        f"Stopped {len(names)} queries: {', '.join(sorted(n or '?' for n in names))}."
        if names
        else "No query was running."
    )


def with_trigger(
    writer: DataStreamWriter, trigger_seconds: float | None = None, available_now: bool = False
) -> DataStreamWriter:
    """``available_now``: process what the source holds, then stop; else a micro-batch every N s
    (``LAB_TRIGGER_SECONDS`` by default; 0 means as fast as possible)."""
    if available_now:
        return writer.trigger(availableNow=True)
    seconds = load_config().trigger_seconds if trigger_seconds is None else trigger_seconds
    return writer.trigger(processingTime=f"{seconds} seconds") if seconds > 0 else writer


def start_memory_query(
    frame: DataFrame, name: str, trigger_seconds: float | None = None, output_mode: str = "append"
) -> StreamingQuery:
    """Stream ``frame`` into Spark's in-memory table ``name``; replaces a query of that name.

    Spark's memory sink keeps every row in the driver: fine for a short demo, see LiveTable otherwise.
    """
    stop_query(frame.sparkSession, name)
    writer = frame.writeStream.queryName(name).format("memory").outputMode(output_mode)
    return with_trigger(writer, trigger_seconds).start()


def wait_until_started(queries: list[StreamingQuery], timeout_s: float = 60.0) -> None:
    """Block until every query finished its first micro-batch.

    Only then are its starting offsets fixed: a record sent before that moment may or may not be
    read from "latest", one sent after it always is.
    """
    deadline = time.monotonic() + timeout_s
    while not all(query.recentProgress for query in queries):
        for query in queries:
            if query.exception() is not None or not query.isActive:
                raise LabError(f"The query {query.name} stopped while starting: see .lab/logs/spark.log.")
        if time.monotonic() > deadline:
            raise LabError(
                f"The streaming queries did not start within {timeout_s:.0f} s: see .lab/logs/spark.log."
            )
        time.sleep(0.1)


def watch_queries(
    queries: list[StreamingQuery],
    seconds: float | None = None,
    every_s: float = 1.0,
    on_update: Callable[[], None] | None = None,
) -> None:
    """Let ``queries`` run for ``seconds`` (the profile's stream length by default), calling
    ``on_update`` every ``every_s`` seconds; fail with one sentence if a query stops."""
    deadline = time.monotonic() + (load_config().stream_seconds if seconds is None else seconds)
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(every_s, left))
        for query in queries:
            if not query.isActive:
                raise LabError(
                    f"The query {query.name} stopped: see .lab/logs/spark.log, then run its start cell again."
                )
        if on_update is not None:
            on_update()


def poll_table(spark: SparkSession, name: str) -> pd.DataFrame:
    """The memory table ``name`` as a pandas DataFrame, right now."""
    return spark.sql(f"SELECT * FROM {name}").toPandas()


class LiveTable:
    """A pandas table that a streaming query keeps up to date, holding at most ``max_rows`` rows.

    Spark's memory sink keeps every row in the driver forever; a LiveTable receives each
    micro-batch through ``foreachBatch``, keeps the newest rows, and is read without running a
    Spark job. With ``key`` columns a newer row replaces the older one with the same key, which
    is what an ``update``-mode aggregation (a window whose average changes) needs.
    """

    def __init__(self, name: str, key: list[str] | None = None, max_rows: int | None = None) -> None:
        self.name = name
        self.key = key
        self.max_rows = max_rows or load_config().table_rows
        self.batches = 0
        self.columns: list[str] = []  # known once a query feeds the table
        self._frame = pd.DataFrame()
        self._lock = threading.Lock()

    def write_batch(self, batch: DataFrame, _batch_id: int) -> None:
        """The ``foreachBatch`` function: merge one micro-batch into the table."""
        with warnings.catch_warnings():
            # A batch interrupted by query.stop() would make PySpark warn about Arrow; the stop is intended.
            warnings.simplefilter("ignore", UserWarning)
            rows = batch.toPandas()
        with self._lock:
            self.batches += 1
            if rows.empty:
                return
            merged = rows if self._frame.empty else pd.concat([self._frame, rows], ignore_index=True)
            if self.key:
                merged = merged.drop_duplicates(self.key, keep="last")
            self._frame = merged.tail(self.max_rows).reset_index(drop=True)

    def frame(self) -> pd.DataFrame:
        """A copy of the table right now (with its columns even while it is still empty)."""
        with self._lock:
            return self._frame.copy() if not self._frame.empty else pd.DataFrame(columns=self.columns)

    def clear(self) -> None:
        with self._lock:
            self._frame = pd.DataFrame()


def start_foreach_batch(
    frame: DataFrame,
    name: str,
    function: Callable[[DataFrame, int], None],
    trigger_seconds: float | None = None,
    output_mode: str = "append",
    available_now: bool = False,
) -> StreamingQuery:
    """Run ``function`` on every micro-batch of ``frame`` in a query called ``name`` (replacing one)."""
    stop_query(frame.sparkSession, name)
    writer = frame.writeStream.queryName(name).outputMode(output_mode).foreachBatch(function)
    return with_trigger(writer, trigger_seconds, available_now).start()


def start_live_table(
    frame: DataFrame,
    table: LiveTable,
    trigger_seconds: float | None = None,
    output_mode: str = "append",
    available_now: bool = False,
) -> StreamingQuery:
    """Stream ``frame`` into ``table`` (a query named like the table); replaces a query of that name."""
    table.columns = frame.columns
    return start_foreach_batch(
        frame, table.name, table.write_batch, trigger_seconds, output_mode, available_now
    )


def rows_dropped_by_watermark(query: StreamingQuery) -> int:
    """How many late rows the query's stateful operators ignored so far (what the watermark dropped)."""
    return sum(
        operator.get("numRowsDroppedByWatermark", 0)
        for progress in query.recentProgress
        for operator in progress.get("stateOperators", [])
    )


@dataclass
class Snapshot:
    """What the pipeline's tables hold at one moment."""

    readings: pd.DataFrame
    alerts: pd.DataFrame
    rejected: pd.DataFrame


class SensorPipeline:
    """Notebook 04's pipeline: readings, alerts and rejected records as three bounded live tables.

    Rejected records also go to the dead-letter topic (``LAB_DLQ_TOPIC``) with their reason.
    """

    TABLES = ("readings", "alerts", "rejected")

    def __init__(
        self, spark: SparkSession, starting_offsets: str = "latest", config: LabConfig | None = None
    ) -> None:
        self.spark = spark
        self.config = config or load_config()
        self.starting_offsets = starting_offsets
        self.tables = {name: LiveTable(name, max_rows=self.config.table_rows) for name in self.TABLES}

    def start(self) -> str:
        """Start (or restart, replacing the old queries) the three queries on one Kafka source."""
        ensure_dead_letter_topic(self.config)
        parsed = parse_readings(
            kafka_source(self.spark, starting_offsets=self.starting_offsets, config=self.config)
        )
        valid = valid_readings(parsed)
        rejected_table = self.tables["rejected"]

        def reject(batch: DataFrame, batch_id: int) -> None:
            write_dead_letters(batch, self.config)
            rejected_table.write_batch(batch.select(*REJECTED_VIEW), batch_id)

        for table in self.tables.values():
            table.clear()
        rejected_table.columns = REJECTED_VIEW
        queries = [
            start_live_table(valid, self.tables["readings"], self.config.trigger_seconds),
            start_live_table(
                alerts(valid, self.config.threshold), self.tables["alerts"], self.config.trigger_seconds
            ),
            start_foreach_batch(rejected_records(parsed), "rejected", reject, self.config.trigger_seconds),
        ]
        wait_until_started(queries)
        tables = ", ".join(self.TABLES)
        return (
            f"Streaming {self.config.topic} into the tables {tables} (from {self.starting_offsets}); "
            f"rejected records also go to {self.config.dlq_topic}."
        )

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
        queries = [active_query(self.spark, name) for name in self.TABLES]
        if None in queries:
            raise LabError("The pipeline is not running: run its start cell first.")
        watch_queries(
            queries, seconds, every_s, None if on_update is None else lambda: on_update(self.snapshot())
        )
        return self.snapshot()

    def stop(self) -> str:
        """Stop the pipeline's queries; safe to call twice."""
        stopped = [name for name in self.TABLES if stop_query(self.spark, name)]
        return f"Stopped {', '.join(stopped)}." if stopped else "The pipeline was not running."
