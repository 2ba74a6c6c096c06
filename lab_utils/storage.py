"""Where the stored history of every valid reading lives, how to read it back, and a reset.

Notebook 06 writes the history query in its cells, and ``sensor-history``
(``lab_utils/programs/sensor_history.py``) runs the same query from a terminal: the topic from its
earliest offset, the valid readings with their Kafka coordinates (partition, offset), appended to
Parquet files under ``.lab/history`` partitioned by date and sensor, with the checkpoint
``.lab/checkpoints/history``. The checkpoint records which Kafka offsets each micro-batch covered,
and Spark's file sink records which files each batch committed (``_spark_metadata``). Together they
make a restart continue exactly where the last committed batch ended: no reading is lost and none
is written twice. Both take their folders from here; read the history with Spark
(:func:`read_history`, ``HISTORY_SCHEMA``), which only sees committed files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.stack.messages import in_language

HISTORY_QUERY = "history"  # the query's name, and its checkpoint's


def history_path(config: LabConfig) -> Path:
    """Where the Parquet history lives."""
    return config.lab_home / "history" / "readings"


def checkpoint_path(name: str, config: LabConfig) -> Path:
    """Where the query called ``name`` keeps its checkpoint."""
    return config.lab_home / "checkpoints" / name


def reset_storage(config: LabConfig) -> str:
    """Delete the history and every checkpoint, for a clean re-run; one line saying what went."""
    removed = [
        path for path in (history_path(config).parent, config.lab_home / "checkpoints") if path.exists()
    ]
    for path in removed:
        shutil.rmtree(path)
    line = "Deleted the history and the checkpoints." if removed else "Nothing to delete: no history yet."
    return in_language(line, config.language)


# Given explicitly, so a history whose first batch is not committed yet reads as empty, not as an error,
# and partition values keep their type (Spark would guess from the folder names: a sensor "123" -> a number).
HISTORY_SCHEMA = "suhu double, event_time timestamp, partition int, offset long, date date, sensor_id string"


def read_history(spark: SparkSession, config: LabConfig) -> DataFrame:
    """The history as a DataFrame: only the files of committed batches."""
    path = history_path(config)
    if not (path / "_spark_metadata").exists():
        raise LabError(f"There is no history at {path} yet: run the history query first (notebook 06).")
    return spark.read.schema(HISTORY_SCHEMA).parquet(str(path))
