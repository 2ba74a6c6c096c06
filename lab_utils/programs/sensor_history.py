"""``sensor-history``: store every valid reading of the topic as Parquet files, exactly once.

Not in the classic assignment: the factory also wants the history. A streaming query reads the
topic from its earliest offset, keeps the valid readings (``lab_utils.reference.parsing``) and appends them
to Parquet files partitioned by date and sensor. Its checkpoint records which Kafka offsets each
micro-batch covered, so a restart continues where the last committed batch ended: no reading lost,
none written twice. Same folder, columns and checkpoint as notebook 06 (``lab_utils.storage``), so
either one continues the other's history.

    sensor-history --available-now      # store what the topic holds, then exit (--reset: start over)
"""

from __future__ import annotations

import sys

from pyspark.sql import functions as F

from lab_utils.config import LabConfig, load_config
from lab_utils.programs import cli
from lab_utils.reference.parsing import parse_readings, valid_readings
from lab_utils.reference.topics import ensure_topic
from lab_utils.spark import spark_job
from lab_utils.stack.account import spark_kafka_options
from lab_utils.storage import HISTORY_QUERY, checkpoint_path, history_path, read_history, reset_storage


def store(config: LabConfig, available_now: bool, timeout_s: float | None, reset: bool) -> None:
    """Run the history query until it ends (``available_now``), times out or is interrupted."""
    if reset:
        print(reset_storage(config), file=sys.stderr)
    ensure_topic(config=config)  # one sentence, in seconds, when no broker answers
    with spark_job(config) as spark:
        records = (
            spark.readStream.format("kafka")
            .option("kafka.bootstrap.servers", config.bootstrap_servers)
            .options(**spark_kafka_options(config))  # a class cluster's account, if any
            .option("subscribe", config.topic)
            .option(
                "startingOffsets", "earliest"
            )  # only the first run: later ones resume from the checkpoint
            .option("failOnDataLoss", "false")
            .load()
        )
        rows = valid_readings(parse_readings(records)).withColumn("date", F.to_date("event_time"))
        writer = (
            rows.writeStream.queryName(HISTORY_QUERY)
            .format("parquet")
            .option("path", str(history_path(config)))
            .option("checkpointLocation", str(checkpoint_path(HISTORY_QUERY, config)))
            .partitionBy("date", "sensor_id")
        )
        every = {"processingTime": f"{config.trigger_seconds} seconds"}
        query = writer.trigger(**({"availableNow": True} if available_now else every)).start()
        print(f"Writing the history to {history_path(config)}...", file=sys.stderr, flush=True)
        cli.await_queries([query], timeout_s)  # awaitTermination, until --timeout or Ctrl-C
        print(f"The history holds {read_history(spark, config).count()} readings.", flush=True)


def main(argv: list[str] | None = None) -> int:
    config = load_config()
    parser = cli.parser(
        "sensor-history",
        f"Store every valid reading of {config.topic} as Parquet, exactly once.",
        "--available-now",
        "--timeout",
        language=config.language,
    )
    parser.add_argument("--reset", action="store_true", help="delete the history and checkpoints first")
    args = parser.parse_args(argv)
    return cli.run_cli(lambda: store(config, args.available_now, args.timeout, args.reset), config.language)


if __name__ == "__main__":
    sys.exit(main())
