"""The lab's rules in Spark: Kafka source -> parse -> valid / rejected -> alerts (notebook 04's reference).

Notebook 04 writes ``readStream``, ``from_json`` (:func:`json_readings` is that answer), the alert
filter and a memory-sink ``writeStream`` in its cells, then uses :func:`parse_readings` from here, the
strict parse: every record gets either clean columns or one rejection reason from
``lab_utils.reference.readings``, the same words the Python consumer uses (Spark 4's VARIANT type,
``try_parse_json``). Notebooks 05-07, ``sensor-alerts``, the benchmark
and the tests build on the same pieces. They work on batch DataFrames (``spark.read``) too.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from lab_utils.config import LabConfig
from lab_utils.reference import readings as rules
from lab_utils.stack.account import spark_kafka_options

INTEGER_OR_FLOAT_TYPES = ["TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE"]  # or DECIMAL(p,s)
REJECTED_VALUE_CHARS = 200  # rejected views keep the start of the value, not a 1 MB copy


def kafka_source(
    spark: SparkSession,
    config: LabConfig,
    topic: str | None = None,
    starting_offsets: str = "latest",
    streaming: bool = True,
    backlog: bool = False,
) -> DataFrame:
    """The topic as a DataFrame of Kafka records (key, value, partition, offset, timestamp...).

    ``backlog=True`` is for reading a large backlog at once: each Kafka partition is split into
    several Spark tasks (two per core), so 3 partitions keep 2 cores equally busy to the end.
    """
    reader = spark.readStream if streaming else spark.read
    if backlog:
        reader = reader.option("minPartitions", str(2 * spark.sparkContext.defaultParallelism))
    return (
        reader.format("kafka")
        .option("kafka.bootstrap.servers", config.bootstrap_servers)
        .options(**spark_kafka_options(config))  # a class cluster's account, if any
        .option("subscribe", topic or config.topic)
        .option("startingOffsets", starting_offsets)
        # A topic deleted and re-created between runs (a reset) must not stop the lab.
        .option("failOnDataLoss", "false")
        .load()
    )


READING_SCHEMA = "sensor_id STRING, suhu DOUBLE, ts STRING"  # notebook 04's `schema`, as DDL


def json_readings(records: DataFrame) -> DataFrame:
    """The assignment's parse, notebook 04's first "your turn": ``from_json`` with the reading's schema,
    and where each record is (``partition``, ``offset``, Kafka's ``timestamp``). What ``from_json``
    cannot read becomes null; :func:`parse_readings` below is the strict version. The notebook's cells
    after the exercise use this while the exercise is not done."""
    reading = F.from_json(F.col("value").cast("string"), READING_SCHEMA).alias("reading")
    located = records.select(reading, "partition", "offset", "timestamp")
    return located.select("reading.*", "partition", "offset", "timestamp")


def _closing(json_text: Column, bracket: Column) -> Column:
    """How many ``bracket`` (``}`` or ``]``) of a JSON text stand outside its strings."""
    no_escapes = F.regexp_replace(json_text, r"\\.", "")
    outside = F.regexp_replace(no_escapes, '"[^"]*"', "")
    return F.regexp_count(outside, F.concat(F.lit("\\"), bracket))


def _one_json_value() -> Column:
    """The text is one JSON value and nothing else, as ``json.loads`` (readings.parse) requires.

    ``try_parse_json`` reads the first value and ignores the rest: ``{"suhu": 70} junk`` passes. An object
    or array is the whole text when the text ends with its closing bracket and holds no more of them,
    outside strings, than what Spark parsed (counted only when that bracket is also earlier). Any other
    value is parsed again inside ``[...]`` (``scalar``), where whatever follows it breaks the array, adds
    an element, or closes it early.
    """
    text, trimmed, closing = F.col("text"), F.col("trimmed"), F.col("closing")
    body, scalar = F.col("body"), F.col("scalar")
    return F.when(
        closing.isNotNull(),
        body.isNotNull()
        & trimmed.endswith(closing)
        & (
            (F.instr(trimmed, closing) == F.length(trimmed))
            | (_closing(text, closing) == _closing(F.to_json(body), closing))
        ),
    ).otherwise(
        scalar.isNotNull()
        & (trimmed != "")  # "[ ]": nothing but whitespace
        & F.expr("variant_get(scalar, '$[1]')").isNull()
        & (
            (F.instr(text, "]") == 0)
            | (_closing(text, F.lit("]")) + 1 == _closing(F.to_json(scalar), F.lit("]")))
        )
    )


def _reject_reason() -> Column:
    """The first rule a record breaks, or NULL for a valid reading (same order as readings.parse).

    Reads the staged columns of ``parse_readings``: each field is extracted from the JSON once.
    """
    value, suhu, sensor_id, ts = F.col("value"), F.col("suhu"), F.col("sensor_id"), F.col("ts")
    suhu_type = F.col("suhu_type")
    return (
        F.when(value.isNull() | (F.length(value) == 0), F.lit(rules.EMPTY))
        .when(~F.expr("is_valid_utf8(text)"), F.lit(rules.NOT_UTF8))
        .when(~F.col("one_json_value"), F.lit(rules.NOT_JSON))
        # Valid JSON whose first character is "{" is an object (cheaper than schema_of_variant(body)).
        .when(~F.col("trimmed").startswith("{"), F.lit(rules.NOT_OBJECT))
        .when(
            # not a JSON string, or nothing in it but whitespace (as Python's str.strip() sees it)
            ~F.col("sensor_id_type").eqNullSafe("STRING") | ~sensor_id.rlike(f"[^{rules.BLANK}]"),
            F.lit(rules.NO_SENSOR_ID),
        )
        .when(suhu_type.isNull(), F.lit(rules.NO_SUHU))
        .when(suhu_type == "VOID", F.lit(rules.SUHU_NULL))
        .when(
            ~(suhu_type.isin(INTEGER_OR_FLOAT_TYPES) | suhu_type.startswith("DECIMAL")),
            F.lit(rules.SUHU_NOT_NUMBER),
        )
        .when((suhu < rules.MIN_SUHU) | (suhu > rules.MAX_SUHU), F.lit(rules.SUHU_OUT_OF_RANGE))
        # A ts that is not a JSON string reads as its JSON text here (2026, {...}), which the pattern refuses.
        .when(
            ts.isNotNull() & (~ts.rlike(f"^(?:{rules.TS_PATTERN})\\z") | F.col("reading_time").isNull()),
            F.lit(rules.BAD_TS),
        )
    )


def parse_readings(records: DataFrame) -> DataFrame:
    """Kafka records -> one row per record with reading columns and ``reject_reason`` (NULL = valid).

    ``event_time`` is the reading's own ``ts`` when it has one, else the Kafka record timestamp.
    In steps, so that the JSON is parsed once and each field read once (make bench: 2x faster
    than reading the fields again in every rule). The rules, the reasons and their order are
    ``readings.parse``'s; tests/integration/test_parsing_parity.py holds the two to the same answers.
    """
    staged = records.select(
        F.col("key").cast("string").alias("key"),
        F.col("key").alias("record_key"),
        F.col("value"),
        F.col("value").cast("string").alias("text"),
        F.col("partition"),
        F.col("offset"),
        F.col("timestamp").alias("kafka_time"),
    ).select(
        "*",
        F.expr(r"trim(BOTH ' \t\n\r' FROM text)").alias("trimmed"),  # JSON's whitespace
        F.expr("try_parse_json(text)").alias("body"),
    )
    staged = staged.withColumn(  # the bracket that ends an object or array; see _one_json_value
        "closing", F.when(F.col("trimmed").startswith("{"), "}").when(F.col("trimmed").startswith("["), "]")
    ).withColumn(
        "scalar", F.when(F.col("closing").isNull(), F.expr("try_parse_json(concat('[', text, ']'))"))
    )
    fields = staged.select(
        "*",
        # A field's type: NULL when absent, VOID for JSON null, else STRING, BIGINT, DOUBLE, OBJECT...
        F.expr("schema_of_variant(variant_get(body, '$.sensor_id'))").alias("sensor_id_type"),
        F.expr("schema_of_variant(variant_get(body, '$.suhu'))").alias("suhu_type"),
        F.expr("try_variant_get(body, '$.sensor_id', 'string')").alias("sensor_id"),
        F.expr("try_variant_get(body, '$.suhu', 'double')").alias("suhu"),
        F.expr("try_variant_get(body, '$.ts', 'string')").alias("ts"),
        _one_json_value().alias("one_json_value"),
    ).withColumn("reading_time", F.try_to_timestamp(F.col("ts")))
    return fields.select(
        "key",
        "record_key",
        F.col("value").alias("record_value"),
        "partition",
        "offset",
        "kafka_time",
        "sensor_id",
        "suhu",
        F.coalesce(F.col("reading_time"), F.col("kafka_time")).alias("event_time"),
        _reject_reason().alias("reject_reason"),
        # Invalid UTF-8 would break pandas: show it with U+FFFD replacement characters instead.
        F.expr(f"substr(make_valid_utf8(text), 1, {REJECTED_VALUE_CHARS})").alias("value_start"),
    )


VALID_VIEW = ["sensor_id", "suhu", "event_time", "partition", "offset"]


def valid_readings(parsed: DataFrame) -> DataFrame:
    """The readings that follow every rule: sensor_id, suhu, event_time and where they came from."""
    return parsed.where(F.col("reject_reason").isNull()).select(*VALID_VIEW)


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


def is_alert(threshold: float) -> Column:
    """The alert rule: ``suhu`` strictly above ``threshold`` (config.threshold, 80 °C); 80.0 is no alert."""
    return F.col("suhu") > F.lit(threshold)


def alerts(valid: DataFrame, threshold: float) -> DataFrame:
    """The valid readings that break the alert rule."""
    return valid.where(is_alert(threshold))
