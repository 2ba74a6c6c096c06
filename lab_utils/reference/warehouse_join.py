"""The 2025 assignment in Spark: both topics parsed, the single-sensor warnings, and the stream-stream join.

Notebook 09 writes the join and the status rule in its cells; this is the same code, finished, for
``warehouse-alerts``, the benchmark and the tests. The rules and texts: ``lab_utils.reference.warehouse``.

- :func:`parse`: every Kafka record of one sensor's topic becomes a reading or one rejection reason (the
  first assignment's reasons, with ``gudang_id`` and the sensor's own value);
- :func:`sensor_side`: the valid readings of one sensor with columns named after it (``suhu``,
  ``suhu_time``, ``suhu_partition``, ``suhu_offset``), ready for the join;
- :func:`warnings`: ``suhu > 80`` and ``kelembaban > 70``, one row per reading, with its label;
- :func:`join_warehouses`: both sides with ``withWatermark``, an equi-join on ``gudang_id`` and an
  event-time range condition (``config.join_window_s``, 10 s), and :func:`status_column`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from pyspark.sql import Column, DataFrame, Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from lab_utils.config import LabConfig
from lab_utils.reference import readings as rules
from lab_utils.reference import warehouse as names
from lab_utils.reference.parsing import REJECTED_VALUE_CHARS, _one_json_value
from lab_utils.reference.readings import iso_utc
from lab_utils.stack.account import spark_kafka_options

NUMBER_TYPES = ["TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE"]  # or DECIMAL(p,s)


def source(
    spark: SparkSession,
    config: LabConfig,
    measure: str,
    starting_offsets: str = "latest",
    max_offsets_per_trigger: int | None = None,
) -> DataFrame:
    """One sensor's topic as a stream of Kafka records (``readStream.format("kafka")``)."""
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", config.bootstrap_servers)
        .options(**spark_kafka_options(config))  # a class cluster's account, if any
        .option("subscribe", names.topic_for(measure, config))
        .option("startingOffsets", starting_offsets)
        .option("failOnDataLoss", "false")  # a topic deleted and created again must not stop the job
    )
    if max_offsets_per_trigger is not None:
        reader = reader.option("maxOffsetsPerTrigger", max_offsets_per_trigger)
    return reader.load()


def _reason(measure: str) -> Column:
    """The first rule a record breaks, or NULL for a valid reading (the order of ``warehouse.validate``)."""
    value, kind = F.col(measure), F.col("value_type")
    low, high = names.RANGES[measure]
    ahead = F.current_timestamp() + F.expr(f"INTERVAL {names.MAX_AHEAD_S} SECONDS")
    return (
        F.when(F.col("value").isNull() | (F.length("value") == 0), F.lit(rules.EMPTY))
        .when(~F.expr("is_valid_utf8(text)"), F.lit(rules.NOT_UTF8))
        .when(~F.col("one_json_value"), F.lit(rules.NOT_JSON))
        .when(~F.col("trimmed").startswith("{"), F.lit(rules.NOT_OBJECT))
        .when(
            ~F.col("gudang_type").eqNullSafe("STRING") | ~F.col("gudang_id").rlike(f"[^{rules.BLANK}]"),
            F.lit(names.NO_GUDANG_ID),
        )
        .when(kind.isNull(), F.lit(names.missing(measure)))
        .when(kind == "VOID", F.lit(names.is_null(measure)))
        .when(~(kind.isin(NUMBER_TYPES) | kind.startswith("DECIMAL")), F.lit(names.not_number(measure)))
        .when((value < low) | (value > high), F.lit(names.out_of_range(measure)))
        .when(
            F.col("ts").isNotNull()
            & (~F.col("ts").rlike(f"^(?:{rules.TS_PATTERN})\\z") | F.col("reading_time").isNull()),
            F.lit(rules.BAD_TS),
        )
        .when(F.col("reading_time") > ahead, F.lit(names.TS_AHEAD))
    )


def parse(records: DataFrame, measure: str) -> DataFrame:
    """Kafka records of one sensor -> ``gudang_id``, the value, ``event_time`` and ``reject_reason``.

    ``event_time`` is the reading's ``ts``, or the Kafka timestamp when it has none. The JSON is parsed
    once (``try_parse_json``) and checked as ``lab_utils.reference.parsing`` checks a reading.
    """
    staged = records.select(
        "topic",
        F.col("key").cast("string").alias("key"),
        "value",
        F.col("value").cast("string").alias("text"),
        "partition",
        "offset",
        F.col("timestamp").alias("kafka_time"),
        F.expr(r"trim(BOTH ' \t\n\r' FROM CAST(value AS STRING))").alias("trimmed"),
        F.expr("try_parse_json(CAST(value AS STRING))").alias("body"),
    )
    trimmed = F.col("trimmed")
    closing = F.when(trimmed.startswith("{"), "}").when(trimmed.startswith("["), "]")
    staged = staged.withColumn("closing", closing).withColumn(
        "scalar", F.when(F.col("closing").isNull(), F.expr("try_parse_json(concat('[', text, ']'))"))
    )
    fields = staged.select(
        "*",
        F.expr("schema_of_variant(variant_get(body, '$.gudang_id'))").alias("gudang_type"),
        F.expr(f"schema_of_variant(variant_get(body, '$.{measure}'))").alias("value_type"),
        F.expr("try_variant_get(body, '$.gudang_id', 'string')").alias("gudang_id"),
        F.expr(f"try_variant_get(body, '$.{measure}', 'double')").alias(measure),
        F.expr("try_variant_get(body, '$.ts', 'string')").alias("ts"),
        _one_json_value().alias("one_json_value"),
    ).withColumn("reading_time", F.try_to_timestamp(F.col("ts")))
    return fields.select(
        "topic",
        "key",
        "partition",
        "offset",
        "kafka_time",
        "gudang_id",
        measure,
        F.coalesce("reading_time", "kafka_time").alias("event_time"),
        _reason(measure).alias("reject_reason"),
        F.expr(f"substr(make_valid_utf8(text), 1, {REJECTED_VALUE_CHARS})").alias("value_start"),
    )


def sensor_side(parsed: DataFrame, measure: str) -> DataFrame:
    """The valid readings of one sensor, columns named after it: ``gudang_id``, ``suhu``, ``suhu_time``,
    ``suhu_partition``, ``suhu_offset`` (the Kafka record each row came from)."""
    return parsed.where(F.col("reject_reason").isNull()).select(
        "gudang_id",
        measure,
        F.col("event_time").alias(f"{measure}_time"),
        F.col("partition").alias(f"{measure}_partition"),
        F.col("offset").alias(f"{measure}_offset"),
    )


REJECTED_VIEW = ["topic", "partition", "offset", "reason", "value_start"]


def rejected(parsed: DataFrame) -> DataFrame:
    """The records that are not readings: where they are, why, and how they start."""
    return parsed.where(F.col("reject_reason").isNotNull()).select(
        "topic", "partition", "offset", F.col("reject_reason").alias("reason"), "value_start"
    )


WARNING_VIEW = ["label", "gudang_id", "measure", "value", "event_time", "partition", "offset"]


def warnings(suhu: DataFrame, kelembaban: DataFrame, config: LabConfig) -> DataFrame:
    """The single-sensor warnings of both sides, one row per reading above its threshold."""

    def high(side: DataFrame, measure: str) -> DataFrame:
        return side.where(F.col(measure) > names.threshold_for(measure, config)).select(
            F.lit(names.LABELS[measure]).alias("label"),
            "gudang_id",
            F.lit(measure).alias("measure"),
            F.col(measure).alias("value"),
            F.col(f"{measure}_time").alias("event_time"),
            F.col(f"{measure}_partition").alias("partition"),
            F.col(f"{measure}_offset").alias("offset"),
        )

    return high(suhu, names.SUHU).unionByName(high(kelembaban, names.KELEMBABAN))


def status_column(config: LabConfig) -> Column:
    """The status rule: both high, only suhu, only kelembaban, neither. Strictly greater, both."""
    suhu_high = F.col("suhu") > config.threshold
    kelembaban_high = F.col("kelembaban") > config.humidity_threshold
    return (
        F.when(suhu_high & kelembaban_high, names.BOTH_HIGH)
        .when(suhu_high, names.SUHU_HIGH)
        .when(kelembaban_high, names.KELEMBABAN_HIGH)
        .otherwise(names.SAFE)
    )


JOINED = ["gudang_id", "suhu", "kelembaban", "status", "suhu_time", "kelembaban_time"]
COORDINATES = ["suhu_partition", "suhu_offset", "kelembaban_partition", "kelembaban_offset"]


def join_warehouses(
    suhu: DataFrame, kelembaban: DataFrame, config: LabConfig, watermark: str | None = names.WATERMARK
) -> DataFrame:
    """Each temperature reading with each humidity reading of the same warehouse at most
    ``config.join_window_s`` seconds apart in event time, and their status.

    ``watermark=None`` leaves the watermarks out: the join still works, but Spark must keep every
    reading forever (notebook 09 measures it) and joins readings however late they arrive.
    """
    if watermark is not None:
        suhu = suhu.withWatermark("suhu_time", watermark)
        kelembaban = kelembaban.withWatermark("kelembaban_time", watermark)
    window = f"INTERVAL {config.join_window_s:g} SECONDS"
    condition = F.expr(
        f"s.gudang_id = k.gudang_id AND "
        f"k.kelembaban_time BETWEEN s.suhu_time - {window} AND s.suhu_time + {window}"
    )
    joined = suhu.alias("s").join(kelembaban.alias("k"), condition)
    pair = joined.select("s.gudang_id", "suhu", "kelembaban", "suhu_time", "kelembaban_time", *COORDINATES)
    return pair.withColumn("status", status_column(config))


def late_readings(query: StreamingQuery) -> int:
    """Readings the join dropped because they arrived behind the watermark (its micro-batches' reports)."""
    return sum(
        operator.get("numRowsDroppedByWatermark", 0)
        for progress in query.recentProgress
        for operator in progress["stateOperators"]
    )


# --- what warehouse-alerts prints, one micro-batch at a time (foreachBatch) ---------------------------
Printer = Callable[[str], None]
BatchPrinter = Callable[[DataFrame, int], None]


def print_now(line: str) -> None:
    print(line, flush=True)


def rows_of(batch: DataFrame, *order: str) -> list[Row]:
    """A micro-batch's rows, sorted here in Python: ``batch.orderBy`` would run a sampling job first, which
    runs the batch's plan twice, and with it the stateful join (it counted every row of the state twice)."""
    return sorted(batch.collect(), key=lambda row: tuple(row[name] for name in order))


def _plain(row: Row, times: tuple[str, ...]) -> dict[str, Any]:
    record = row.asDict()
    return record | {name: iso_utc(record[name]) for name in times}


def warning_printer(config: LabConfig, as_json: bool, out: Printer = print_now) -> BatchPrinter:
    """Prints each warning: ``[Peringatan Suhu Tinggi] Gudang G2: Suhu 85°C · ...``, or one JSON object."""

    def print_batch(batch: DataFrame, _batch_id: int = 0) -> None:
        for row in rows_of(batch, "event_time", "measure", "partition", "offset"):
            record = _plain(row, ("event_time",))
            out(json.dumps(record) if as_json else names.warning_line(record, config.timezone))

    return print_batch


def status_printer(config: LabConfig, as_json: bool, out: Printer = print_now) -> BatchPrinter:
    """Prints the joined pairs: with ``as_json`` every pair, one JSON object each; else, as the assignment
    shows it, ``[PERINGATAN KRITIS]`` and one block per warehouse with its newest pair of the micro-batch
    (at one reading a second, the join finds about 21 pairs a second per warehouse)."""

    def print_batch(batch: DataFrame, _batch_id: int = 0) -> None:
        rows = rows_of(batch, "suhu_time", "kelembaban_time", "suhu_offset", "kelembaban_offset")
        records = [_plain(row, ("suhu_time", "kelembaban_time")) for row in rows]
        records.sort(key=lambda record: max(record["suhu_time"], record["kelembaban_time"]))  # newest last
        if as_json:
            for record in records:
                out(json.dumps(record))
            return
        latest = {record["gudang_id"]: record for record in records}  # the last pair of each warehouse wins
        if latest:
            out(names.CRITICAL)
        for gudang_id in sorted(latest):
            out("\n".join(names.status_block(latest[gudang_id], config.timezone)) + "\n")

    return print_batch


class RejectedPrinter:
    """A ``foreachBatch`` function: one line on stderr per record that is not a reading, and a count."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, batch: DataFrame, _batch_id: int = 0) -> None:
        for row in rows_of(batch, "topic", "partition", "offset"):
            where = f"{row['topic']} p{row['partition']}@{row['offset']}"
            print(f"· rejected {where}: {row['reason']}", file=sys.stderr)
            self.count += 1
