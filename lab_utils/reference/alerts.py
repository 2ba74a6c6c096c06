"""What ``sensor-alerts`` does with what it found: one line (or JSON object) per alert or episode,
and the records that are not readings sent to the dead-letter topic, counted.

The job itself is ``lab_utils/programs/sensor_alerts.py``. An alert is one valid reading above the
threshold, printed with where it came from (partition, offset); an episode is one stretch of
sustained overheating (``lab_utils.reference.analytics``). Rows are printed in event-time order within
each micro-batch; with ``--realtime`` each alert as it arrives (``realtime_alerts``, notebook 07). The
capstone notebook (08) compares the ``--json`` lines with the student's own job.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from pyspark.sql import DataFrame, Row

from lab_utils.config import LabConfig
from lab_utils.reference.pipeline import write_dead_letters
from lab_utils.reference.readings import iso_utc

Printer = Callable[[str], None]


def print_now(line: str) -> None:
    """Print one line at once (a terminal or a pipe sees each alert as it is found)."""
    print(line, flush=True)


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


def record_printer(
    threshold: float, episodes: bool = False, as_json: bool = False, out: Printer = print_now
) -> Callable[[dict[str, object]], None]:
    """Prints one alert (or episode) record: a JSON object, or the human-readable line."""
    to_line = episode_line if episodes else alert_line
    return lambda record: out(json.dumps(record) if as_json else to_line(record, threshold))


def batch_printer(
    threshold: float, episodes: bool = False, as_json: bool = False, out: Printer = print_now
) -> Callable[[DataFrame, int], None]:
    """A ``foreachBatch`` function that prints a batch of alerts (or ``episodes``), one line each."""
    to_record, order = (
        (episode_record, ["start", "sensor_id"])
        if episodes
        else (alert_record, ["event_time", "partition", "offset"])
    )
    show = record_printer(threshold, episodes, as_json, out)

    def print_batch(batch: DataFrame, _batch_id: int = 0) -> None:
        for row in batch.orderBy(*order).collect():
            show(to_record(row))

    return print_batch


class DeadLetters:
    """A ``foreachBatch`` function: send rejected records to the dead-letter topic, and count them."""

    def __init__(self, config: LabConfig) -> None:
        self.config, self.count = config, 0

    def __call__(self, batch: DataFrame, _batch_id: int = 0) -> None:
        count = batch.count()
        if count:  # an empty batch needs no Kafka write job
            write_dead_letters(batch, self.config)
            self.count += count
