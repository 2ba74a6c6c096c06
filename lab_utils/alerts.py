"""``sensor-alerts``: the classic consumer_analisis.py as a PySpark job that prints readings above 80 °C.

Reads ``sensor-suhu`` with Structured Streaming, applies the same parse / validate / filter steps
as notebook 04 (``lab_utils.streaming``), and prints one line per alert, or one JSON object per
line with ``--json``. ``--available-now`` processes what the topic holds and exits, which makes
the job scriptable and testable. Status lines go to stderr, so stdout carries alerts only.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable

from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, Row

from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError
from lab_utils.readings import iso_utc
from lab_utils.streaming import alerts, kafka_source, parse_readings, valid_readings
from lab_utils.topics import ensure_topic


def alert_record(row: Row) -> dict[str, object]:
    """One alert as plain JSON-ready values."""
    return {
        "sensor_id": row["sensor_id"],
        "suhu": row["suhu"],
        "event_time": iso_utc(row["event_time"]),
        "partition": row["partition"],
        "offset": row["offset"],
    }


def alert_line(record: dict[str, object], threshold: float) -> str:
    """The human-readable line for one alert."""
    return (
        f"⚠ {record['event_time']}  {record['sensor_id']:<4} {record['suhu']:6.1f} °C  (> {threshold:g} °C)"
    )


def batch_printer(
    as_json: bool, threshold: float, out: Callable[[str], None]
) -> Callable[[DataFrame, int], None]:
    """A foreachBatch function that prints each micro-batch's alerts in event-time order."""

    def print_batch(batch: DataFrame, _batch_id: int) -> None:
        for row in batch.orderBy("event_time", "partition", "offset").collect():
            record = alert_record(row)
            out(json.dumps(record) if as_json else alert_line(record, threshold))

    return print_batch


def run_alerts(
    config: LabConfig,
    from_beginning: bool,
    available_now: bool,
    as_json: bool,
    timeout_s: float | None,
    out: Callable[[str], None],
) -> None:
    """Start the alert query and keep it running until it ends, times out or is interrupted."""
    from lab_utils.spark import get_spark, stop_spark

    ensure_topic(config=config)  # fails in seconds, with one sentence, when no broker answers
    spark = get_spark(config)
    try:
        records = kafka_source(
            spark, starting_offsets="earliest" if from_beginning else "latest", config=config
        )
        hot = alerts(valid_readings(parse_readings(records)), config.threshold)
        writer = hot.writeStream.queryName("sensor_alerts").foreachBatch(
            batch_printer(as_json, config.threshold, out)
        )
        if available_now:
            writer = writer.trigger(availableNow=True)
        else:
            writer = writer.trigger(processingTime=f"{config.trigger_seconds} seconds")
        query = writer.start()
        print(
            f"Watching {config.topic} for readings above {config.threshold:g} °C...",
            file=sys.stderr,
            flush=True,
        )
        try:
            query.awaitTermination(timeout_s)
        finally:
            query.stop()
    except PySparkException as error:
        first_line = str(error).strip().splitlines()[0][:300]
        raise LabError(f"The Spark job failed ({first_line}): see .lab/logs/spark.log for details.") from None
    finally:
        stop_spark()


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
        "--available-now", action="store_true", help="process what the topic holds, then exit"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per alert line")
    parser.add_argument("--timeout", type=float, help="stop after this many seconds (default: until Ctrl-C)")
    args = parser.parse_args(argv)
    config = dataclasses.replace(config, threshold=args.threshold)
    try:
        run_alerts(
            config,
            from_beginning=args.from_beginning,
            available_now=args.available_now,
            as_json=args.json,
            timeout_s=args.timeout,
            out=lambda line: print(line, flush=True),
        )
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
