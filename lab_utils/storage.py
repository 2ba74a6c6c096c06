"""The stored history of every valid reading: Parquet files written exactly once, and a reset.

Notebook 06 and ``sensor-history`` use it. The history query reads the topic from the earliest
offset, keeps the valid readings and appends them to Parquet files under ``.lab/history``,
partitioned by date and sensor. Its checkpoint (``.lab/checkpoints/history``) records which Kafka
offsets each micro-batch covered, and Spark's file sink records which files each batch committed
(``_spark_metadata``). Together they make a restart continue exactly where the last committed
batch ended: no reading is lost and none is written twice. Read the history with Spark
(:func:`read_history`), which only sees committed files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError
from lab_utils.streaming import kafka_source, parse_readings, stop_query, valid_readings, with_trigger

HISTORY_QUERY = "history"


def history_path(config: LabConfig | None = None) -> Path:
    """Where the Parquet history lives."""
    return (config or load_config()).lab_home / "history" / "readings"


def checkpoint_path(name: str, config: LabConfig | None = None) -> Path:
    """Where the query called ``name`` keeps its checkpoint."""
    return (config or load_config()).lab_home / "checkpoints" / name


def reset_storage(config: LabConfig | None = None) -> str:
    """Delete the history and every checkpoint, for a clean re-run; one line saying what went."""
    config = config or load_config()
    removed = [
        path for path in (history_path(config).parent, config.lab_home / "checkpoints") if path.exists()
    ]
    for path in removed:
        shutil.rmtree(path)
    return "Deleted the history and the checkpoints." if removed else "Nothing to delete: no history yet."


def start_history(
    spark: SparkSession, config: LabConfig | None = None, available_now: bool = False
) -> StreamingQuery:
    """Append every valid reading to the Parquet history; resumes from its checkpoint if there is one.

    ``available_now`` processes what the topic holds and stops; otherwise it keeps running.
    """
    config = config or load_config()
    stop_query(spark, HISTORY_QUERY)
    readings = valid_readings(parse_readings(kafka_source(spark, starting_offsets="earliest", config=config)))
    rows = readings.select("sensor_id", "suhu", "event_time", "partition", "offset").withColumn(
        "date", F.to_date("event_time")
    )
    writer = (
        rows.writeStream.queryName(HISTORY_QUERY)
        .format("parquet")
        .option("path", str(history_path(config)))
        .option("checkpointLocation", str(checkpoint_path(HISTORY_QUERY, config)))
        .partitionBy("date", "sensor_id")
    )
    return with_trigger(writer, config.trigger_seconds, available_now).start()


# Given explicitly, so a history whose first batch is not committed yet reads as empty, not as an error.
HISTORY_SCHEMA = "suhu double, event_time timestamp, partition int, offset long, date date, sensor_id string"


def read_history(spark: SparkSession, config: LabConfig | None = None) -> DataFrame:
    """The history as a DataFrame: only the files of committed batches."""
    path = history_path(config)
    if not (path / "_spark_metadata").exists():
        raise LabError(f"There is no history at {path} yet: run the history query first (notebook 06).")
    return spark.read.schema(HISTORY_SCHEMA).parquet(str(path))
