"""A class-data archive for Spark's driver JVM: a session starts on half the CPU. You need not read this.

A JVM spends most of its start loading and checking classes, and Spark's driver loads many thousands of
them. Java 13+ can write the classes one run loaded into an archive (``-XX:ArchiveClassesAtExit``) and map
that archive into later JVMs (``-XX:SharedArchiveFile``). Measured on 2 cores (fast profile): a session's
start plus its first query took 10.9 CPU-s without the archive and 5.5 with it. The mapped pages are shared
by every JVM that uses them, so a class server with one session per student gains memory as well.

``make setup`` writes the archive once (``python -m lab_utils.stack.jvm fetch`` calls :func:`build`: about
40 s on 2 cores). It belongs to one pyspark install and one JDK, so it lives in the Python environment, not
in ``.lab``: copies of a lab folder (student copies, grading) do not copy it. A JVM that finds the archive
does not match (other jars, another JDK build) ignores it without a word and starts as before; setup
writes a new one when ``java -version`` or pyspark changed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from pyspark import SparkContext
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lab_utils.config import LabConfig
from lab_utils.stack.jvm import java_executable, spark_version

ARCHIVE_DIR = Path(sys.prefix) / "share" / "kafka-sensor-lab"
QUIET = ["-Xlog:cds=off", "-Xlog:cds+dynamic=off"]  # a mismatch must not print into a cell


def spark_archive() -> Path:
    """Where the archive of this environment's pyspark lives (it may not exist yet)."""
    return ARCHIVE_DIR / f"spark-{spark_version()}.jsa"


def class_archive_options() -> list[str]:
    """The JVM options that map the archive, or none while there is no archive."""
    archive = spark_archive()
    return [f"-XX:SharedArchiveFile={archive}", *QUIET] if archive.exists() else []


def _java_build() -> str:
    result = subprocess.run([java_executable(), "-version"], capture_output=True, text=True, timeout=30)
    return (result.stderr + result.stdout).strip()


def _session_writing_archive(config: LabConfig, dump_to: Path) -> SparkSession:
    """The lab's session (``get_spark``'s settings), whose JVM writes ``dump_to`` as it exits."""
    from lab_utils import spark as lab_spark

    settings = lab_spark.session_settings(config)
    java_options = f"{settings['spark.driver.extraJavaOptions']} -XX:ArchiveClassesAtExit={dump_to}"
    with lab_spark.quiet_launch(config):
        return (
            SparkSession.builder.master("local[2]")
            .config("spark.jars", ",".join(lab_spark.connector_jars(config.lab_home)))
            .config("spark.sql.shuffle.partitions", "2")
            .config(map={**settings, "spark.driver.extraJavaOptions": java_options})
            .getOrCreate()
        )


def _sample_records(spark: SparkSession, folder: Path) -> DataFrame:
    """A stream of twenty Kafka-like records from a JSON file: bounded, and no broker needed."""
    rows = [
        {"key": "S1", "value": json.dumps({"sensor_id": "S1", "suhu": 70 + n}), "partition": 0,
         "offset": n, "timestamp": f"2026-01-01T00:00:{n:02d}Z"}
        for n in range(20)
    ]  # fmt: skip
    (folder / "in").mkdir()
    (folder / "in" / "records.json").write_text("\n".join(json.dumps(row) for row in rows))
    schema = "key STRING, value STRING, partition INT, offset LONG, timestamp TIMESTAMP"
    return spark.readStream.schema(schema).json(str(folder / "in")).select(
        F.col("key").cast("binary").alias("key"), F.col("value").cast("binary").alias("value"),
        "partition", "offset", "timestamp",
    )  # fmt: skip


def _run_typical_queries(spark: SparkSession, folder: Path) -> None:
    """What the lab's sessions run: a Kafka source's plan, parsing, the filter, a window with a
    watermark, memory and Parquet sinks with checkpoints, and a table into pandas through Arrow."""
    from lab_utils.reference.parsing import parse_readings, valid_readings

    kafka = spark.readStream.format("kafka").option("kafka.bootstrap.servers", "127.0.0.1:9")
    parse_readings(kafka.option("subscribe", "sensor-suhu").load())  # plans only: nothing connects
    readings = valid_readings(parse_readings(_sample_records(spark, folder)))
    windows = readings.withWatermark("event_time", "10 seconds").groupBy(F.window("event_time", "5 seconds"))
    writers = [
        readings.where(F.col("suhu") > 80).writeStream.format("memory").queryName("hot"),
        windows.agg(F.avg("suhu")).writeStream.format("memory").queryName("average").outputMode("update"),
        readings.writeStream.format("parquet").option("path", str(folder / "history"))
        .option("checkpointLocation", str(folder / "checkpoint")),
    ]  # fmt: skip
    for writer in writers:
        writer.trigger(availableNow=True).start().awaitTermination(120)
    spark.sql("SELECT * FROM hot").toPandas()


def _write_archive(config: LabConfig, dump_to: Path) -> None:
    spark = _session_writing_archive(config, dump_to)
    with tempfile.TemporaryDirectory() as folder:
        _run_typical_queries(spark, Path(folder))
    spark.stop()
    gateway = SparkContext._gateway
    assert gateway is not None, "the session above started a JVM"
    gateway.shutdown()
    gateway.proc.stdin.close()  # pyspark's JVM exits when its stdin closes, and writes the archive then
    gateway.proc.wait(timeout=300)


def build(config: LabConfig) -> None:
    """Write the archive unless one for this pyspark and this JDK is there already."""
    archive, stamp = spark_archive(), spark_archive().with_suffix(".java")
    java = _java_build()
    if archive.exists() and stamp.exists() and stamp.read_text() == java:
        print(f"Spark class archive: ready ({archive}).")
        return
    ARCHIVE_DIR.mkdir(parents=True, exist_ok=True)
    for old in ARCHIVE_DIR.glob("spark-*"):
        old.unlink()
    partial = archive.with_suffix(".partial")
    _write_archive(config, partial)
    if partial.exists():  # another JVM never maps a half-written file: rename once complete
        partial.rename(archive)
        stamp.write_text(java)
        print(f"Spark class archive: written ({archive}).")
    else:
        print("Spark class archive: the JVM wrote none; Spark starts without it, only slower.")
