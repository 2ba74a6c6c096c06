"""``sensor-alerts``: the reference answer to the assignment's ``consumer_analisis.py``.

A PySpark Structured Streaming job: read the topic, parse each record into a reading, keep the
readings with ``suhu`` above the threshold (80 °C; strictly above, so 80.0 is no alert) and print
them. What a valid reading is comes from ``lab_utils.reference.parsing`` (notebook 04's rules, the same as
the Python consumer's); ``--sustained`` uses ``lab_utils.reference.analytics`` (notebook 05); the line and
JSON formats are in ``lab_utils.reference.alerts``. Records that are not readings go to the dead-letter
topic. Status lines go to stderr, so stdout carries alerts only.

    sensor-alerts                            # watch live, from now, until Ctrl-C
    sensor-alerts --available-now --json     # everything the topic holds, then exit
    sensor-alerts --realtime                 # Spark's real-time mode, milliseconds per alert (notebook 07)
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from pyspark.sql import functions as F

from lab_utils.config import LabConfig, load_config
from lab_utils.programs import cli
from lab_utils.reference.alerts import DeadLetters, batch_printer
from lab_utils.reference.analytics import sustained_overheating
from lab_utils.reference.parsing import parse_readings, rejected_records, valid_readings
from lab_utils.reference.pipeline import ensure_dead_letter_topic
from lab_utils.reference.realtime_alerts import run_realtime_alerts
from lab_utils.reference.topics import ensure_topic
from lab_utils.spark import spark_job


def run_alerts(config: LabConfig, args: argparse.Namespace) -> None:
    """Run the job until it ends (``--available-now``), times out, or is interrupted."""
    ensure_topic(config=config)  # one sentence, in seconds, when no broker answers
    ensure_dead_letter_topic(config)
    # --sustained --available-now reads the topic as one batch: an episode still open at its end counts.
    batch = args.available_now and args.sustained is not None
    with spark_job(config) as spark:
        records = (
            (spark.read if batch else spark.readStream)
            .format("kafka")
            .option("kafka.bootstrap.servers", config.bootstrap_servers)
            .option("subscribe", config.topic)
            .option("startingOffsets", "earliest" if args.from_beginning or args.available_now else "latest")
            .option("failOnDataLoss", "false")  # a topic deleted and re-created must not stop the job
            .load()
        )
        parsed = parse_readings(records)  # every record: the reading's columns, or why it is none
        readings = valid_readings(parsed)  # sensor_id, suhu, event_time, partition, offset
        if args.sustained is None:
            found = readings.where(F.col("suhu") > config.threshold)  # the alert rule
        else:
            found = sustained_overheating(
                readings, args.sustained, threshold=config.threshold, interval_s=config.interval_s
            )
        show = batch_printer(config.threshold, episodes=args.sustained is not None, as_json=args.json)
        dead_letters = DeadLetters(config)
        if batch:
            show(found, 0)
            dead_letters(rejected_records(parsed))
        else:
            every = {"processingTime": f"{config.trigger_seconds} seconds"}  # a micro-batch every N s
            trigger = {"availableNow": True} if args.available_now else every  # or: the backlog, then stop
            alerts = found.writeStream.queryName("sensor_alerts").foreachBatch(show)
            rejected = rejected_records(parsed).writeStream.queryName("rejected").foreachBatch(dead_letters)
            queries = [alerts.trigger(**trigger).start(), rejected.trigger(**trigger).start()]
            print(f"Watching {config.topic} (threshold {config.threshold:g} °C)...", file=sys.stderr)
            cli.await_queries(queries, args.timeout)
    if dead_letters.count:
        print(f"{dead_letters.count} records were not readings: sent to {config.dlq_topic}.", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    config = load_config()
    parser = cli.parser(
        "sensor-alerts",
        f"PySpark job: print readings of {config.topic} above the threshold.",
        "--from-beginning",
        "--available-now",
        "--timeout",
        language=config.language,
    )
    parser.add_argument("--threshold", type=float, default=config.threshold, help="°C; alerts are above")
    parser.add_argument("--json", action="store_true", help="one JSON object per alert line")
    parser.add_argument(
        "--sustained",
        type=float,
        metavar="SECONDS",
        help="report only machines that stayed above the threshold this long: one line per episode",
    )
    parser.add_argument(
        "--realtime", action="store_true", help="Spark's real-time mode: each alert within milliseconds"
    )
    args = parser.parse_args(argv)
    if args.realtime and (args.available_now or args.sustained is not None):
        parser.error("--realtime watches live: it goes with neither --available-now nor --sustained")
    config = dataclasses.replace(config, threshold=args.threshold)
    # notebook 07's query: lab_utils/reference/realtime_alerts.py (its alerts also go to a topic)
    if args.realtime:
        return cli.run_cli(
            lambda: run_realtime_alerts(config, args.from_beginning, args.json, args.timeout), config.language
        )
    return cli.run_cli(lambda: run_alerts(config, args), config.language)


if __name__ == "__main__":
    sys.exit(main())
