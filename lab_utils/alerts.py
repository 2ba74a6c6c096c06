"""``sensor-alerts``: the classic consumer_analisis.py as a PySpark job that prints readings above 80 °C.

Reads ``sensor-suhu`` with Structured Streaming, applies the same parse / validate / filter steps
as notebook 04 (``lab_utils.streaming``), and prints one line per alert, or one JSON object per
line with ``--json``. ``--sustained SECONDS`` reports only sustained overheating, one line per
episode (``lab_utils.analytics``). ``--available-now`` processes what the topic holds and exits,
which makes the job scriptable and testable. Status lines go to stderr, so stdout carries alerts only.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable

from pyspark.sql import DataFrame, Row

from lab_utils.analytics import sustained_overheating
from lab_utils.config import LabConfig, load_config
from lab_utils.errors import run_cli
from lab_utils.readings import iso_utc
from lab_utils.streaming import (
    alerts,
    ensure_dead_letter_topic,
    kafka_source,
    parse_readings,
    rejected_records,
    start_foreach_batch,
    valid_readings,
    write_dead_letters,
)
from lab_utils.topics import ensure_topic

Printer = Callable[[str], None]


def alert_record(row: Row) -> dict[str, object]:
    """One reading above the threshold as plain JSON-ready values."""
    return {
        "sensor_id": row["sensor_id"],
        "suhu": row["suhu"],
        "event_time": iso_utc(row["event_time"]),
        "partition": row["partition"],
        "offset": row["offset"],
    }


def episode_record(row: Row) -> dict[str, object]:
    """One sustained overheating episode as plain JSON-ready values."""
    return {
        "sensor_id": row["sensor_id"],
        "start": iso_utc(row["start"]),
        "end": iso_utc(row["end"]),
        "seconds": row["seconds"],
        "max_suhu": row["max_suhu"],
        "readings": row["readings"],
    }


def alert_line(record: dict[str, object], threshold: float) -> str:
    """The human-readable line for one reading above the threshold."""
    return (
        f"⚠ {record['event_time']}  {record['sensor_id']:<4} {record['suhu']:6.1f} °C  (> {threshold:g} °C)"
    )


def episode_line(record: dict[str, object], threshold: float) -> str:
    """The human-readable line for one sustained episode."""
    return (
        f"🔥 {record['sensor_id']:<4} above {threshold:g} °C for {record['seconds']:.1f} s: "
        f"{record['start']} → {record['end']}, max {record['max_suhu']:.1f} °C"
    )


def _printer(sustained: bool, as_json: bool, threshold: float, out: Printer) -> Callable[[DataFrame], None]:
    """Prints a DataFrame of alerts (or episodes) in event-time order, one line each."""
    to_record, to_line, order = (
        (episode_record, episode_line, ["start", "sensor_id"])
        if sustained
        else (alert_record, alert_line, ["event_time", "partition", "offset"])
    )

    def print_rows(frame: DataFrame) -> None:
        for row in frame.orderBy(*order).collect():
            record = to_record(row)
            out(json.dumps(record) if as_json else to_line(record, threshold))

    return print_rows


def _findings(valid: DataFrame, config: LabConfig, sustained_s: float | None) -> DataFrame:
    if sustained_s is None:
        return alerts(valid, config.threshold)
    return sustained_overheating(valid, sustained_s, threshold=config.threshold, interval_s=config.interval_s)


def run_alerts(
    config: LabConfig,
    from_beginning: bool,
    available_now: bool,
    as_json: bool,
    timeout_s: float | None,
    out: Printer,
    sustained_s: float | None = None,
) -> None:
    """Run the alert job until it ends (``available_now``), times out or is interrupted.

    Records that are not valid readings go to the dead-letter topic; the count is reported on stderr.
    """
    from lab_utils.spark import spark_job

    ensure_topic(config=config)  # fails in seconds, with one sentence, when no broker answers
    ensure_dead_letter_topic(config)
    print_rows = _printer(sustained_s is not None, as_json, config.threshold, out)
    dead_letters = 0

    def send_dead_letters(batch: DataFrame, _batch_id: int = 0) -> None:
        nonlocal dead_letters
        count = batch.count()
        if count:  # an empty batch needs no Kafka write job
            write_dead_letters(batch, config)
            dead_letters += count

    with spark_job(config) as spark:
        if available_now and sustained_s is not None:
            # Episodes still open at the end of the topic count too: a batch read sees the whole topic.
            parsed = parse_readings(
                kafka_source(spark, starting_offsets="earliest", streaming=False, config=config, backlog=True)
            )
            print_rows(_findings(valid_readings(parsed), config, sustained_s))
            send_dead_letters(rejected_records(parsed))
        else:
            offsets = "earliest" if from_beginning or available_now else "latest"
            source = kafka_source(spark, starting_offsets=offsets, config=config, backlog=available_now)
            parsed = parse_readings(source)
            findings = _findings(valid_readings(parsed), config, sustained_s)
            trigger = (config.trigger_seconds, "append", available_now)
            queries = [
                start_foreach_batch(
                    findings, "sensor_alerts", lambda frame, _id: print_rows(frame), *trigger
                ),
                start_foreach_batch(
                    rejected_records(parsed), "sensor_alerts_rejected", send_dead_letters, *trigger
                ),
            ]
            print(
                f"Watching {config.topic} (threshold {config.threshold:g} °C)...", file=sys.stderr, flush=True
            )
            deadline = None if timeout_s is None else time.monotonic() + timeout_s
            try:
                for query in queries:  # with --available-now each ends by itself
                    query.awaitTermination(
                        None if deadline is None else max(0.0, deadline - time.monotonic())
                    )
            finally:
                for query in queries:
                    query.stop()
    if dead_letters:
        print(f"{dead_letters} records were not readings: sent to {config.dlq_topic}.", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run; exit 1 with one sentence on a problem the user can fix."""
    config = load_config()
    parser = argparse.ArgumentParser(
        prog="sensor-alerts",
        description=f"PySpark job: print readings of {config.topic} above the threshold.",
    )
    parser.add_argument(
        "--threshold", type=float, default=config.threshold, help="°C; alerts are strictly above"
    )
    parser.add_argument("--from-beginning", action="store_true", help="read the topic from its oldest record")
    parser.add_argument(
        "--available-now",
        action="store_true",
        help="process everything the topic holds (from the start), then exit",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per alert line")
    parser.add_argument("--timeout", type=float, help="stop after this many seconds (default: until Ctrl-C)")
    parser.add_argument(
        "--sustained",
        type=float,
        metavar="SECONDS",
        help="report only machines that stayed above the threshold this long: one line per episode",
    )
    args = parser.parse_args(argv)
    config = dataclasses.replace(config, threshold=args.threshold)
    return run_cli(
        lambda: run_alerts(
            config,
            from_beginning=args.from_beginning,
            available_now=args.available_now,
            as_json=args.json,
            timeout_s=args.timeout,
            out=lambda line: print(line, flush=True),
            sustained_s=args.sustained,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
