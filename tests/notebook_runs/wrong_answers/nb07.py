"""Plausible mistakes in notebook 07's exercises, each failing its self-check with a ✗ line that names it.

Cells: 10 the real-time query (check 12; Spark refuses some mistakes in the cell itself), 21 the poll loop
that watches the alerts arrive (check 22).
"""

from tests.notebook_runs.exercises import WrongAnswer

WRONG_ANSWERS = [
    # Your turn 1: the real-time query
    WrongAnswer(
        cell="10",
        check="10",
        name="append output mode (real-time mode needs update)",
        old='.outputMode("update")',
        new='.outputMode("append")',
        expect=r"output mode Append is not supported.*Update",
    ),
    WrongAnswer(
        cell="10",
        check="10",
        name="no checkpoint location",
        old='    .option("checkpointLocation", str(checkpoints / "realtime"))\n',
        new="",
        expect=r"checkpointLocation must be specified",
    ),
    WrongAnswer(
        cell="10",
        check="10",
        name="the trigger read as a latency: realTime='1 second'",
        old='trigger(realTime="1 minute")',
        new='trigger(realTime="1 second")',
        expect=r"less than the 5000 ms minimum",
    ),
    WrongAnswer(
        cell="10",
        check="12",
        name=">= for > (80.0 °C raises an alert)",
        old='F.col("suhu") > config.threshold',
        new='F.col("suhu") >= config.threshold',
        expect=r"80\.0 °C reading at \(\d+, \d+\) raised an alert: 80 is not above 80\. >= for >",
    ),
    # Your turn 2: the poll loop
    WrongAnswer(
        cell="21",
        check="21",
        name="no skip for a record that is not an alert",
        old=(
            "            try:\n"
            "                alert = json.loads(record.value)\n"
            '                key = (alert["job"], alert["source_partition"], alert["source_offset"])\n'
            '                ours = alert["job"] in jobs\n'
            "            except (ValueError, TypeError, KeyError):\n"
            "                continue  # not an alert of the lab's format\n"
        ),
        new=(
            "            alert = json.loads(record.value)\n"
            '            key = (alert["job"], alert["source_partition"], alert["source_offset"])\n'
            '            ours = alert["job"] in jobs\n'
        ),
        expect=r"not JSON",
    ),
    WrongAnswer(
        cell="21",
        check="22",
        name="seen keyed by the alert record's own partition and offset",
        old='key = (alert["job"], alert["source_partition"], alert["source_offset"])',
        new='key = (alert["job"], record.partition, record.offset)',
        expect=r"no alert in `seen`.*keyed by the coordinates in the alert \(source_partition",
    ),
]
