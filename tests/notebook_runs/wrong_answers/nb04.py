"""Plausible wrong answers for notebook 04: the streaming query, rejected records, 85 °C, a batch read.

The checks send their own records first, for a machine named after the run: readings of exactly 80.0,
80.1, 85.0 and 85.1 °C and a broken record (``"suhu": "very hot"``); the alerts exercise also sends a hot
reading before the student's query starts. They find each one again by (partition, offset), so every
mistake below changes what happens to one of those records, or fails in its cell with one line naming it.
"""

from tests.notebook_runs.exercises import WrongAnswer

_PARSE = 'from_json(col("value").cast("string"), schema)'

WRONG_ANSWERS = [
    # Your turn 1: the source and the parse
    WrongAnswer(
        cell="ex-stream",
        check="ex-stream",
        name="from_json on the bytes, without cast",
        old=_PARSE,
        new='from_json(col("value"), schema)',
        expect=r'requires the "STRING" type, however "value" has the type "BINARY"',
    ),
    WrongAnswer(
        cell="ex-stream",
        check="ex-stream",
        name="no subscribe option",
        old='    .option("subscribe", config.topic)\n',
        new="",
        expect=r"Spark refused: .*subscribe",
    ),
    WrongAnswer(
        cell="ex-stream",
        check="ex-stream-check",
        name="partition, offset and timestamp dropped",
        old='.select("reading.*", "partition", "offset", "timestamp")',
        new='.select("reading.*")',
        expect=r'not \[.*\].*"partition", "offset" and "timestamp"',
    ),
    WrongAnswer(
        cell="ex-stream",
        check="ex-alerts-check",
        name="startingOffsets earliest where the task says latest",
        old='.option("startingOffsets", "latest")',
        new='.option("startingOffsets", "earliest")',
        expect=r'sent before your query started: use startingOffsets "latest"|startingOffsets "earliest"',
    ),
    # Your turn 2: the alert filter and the memory-sink query
    WrongAnswer(
        cell="ex-alerts",
        check="ex-alerts-check",
        name=">= for >",
        old='col("suhu") > config.threshold',
        new='col("suhu") >= config.threshold',
        expect=r"The reading of 80\.0 °C .* is in 'alerts': 80 is not above 80: did you use >= instead of >",
    ),
    WrongAnswer(
        cell="ex-alerts",
        check="ex-alerts-check",
        name="85 °C where the alert rule is config.threshold",
        old='col("suhu") > config.threshold',
        new='col("suhu") > config.threshold + 5',
        expect=r"The reading of 80\.1 °C .* is missing from 'alerts': it is above the threshold",
    ),
    WrongAnswer(
        cell="ex-alerts",
        check="ex-alerts-check",
        name="a filter before the parse, on the raw value",
        old='readings.where(col("suhu") > config.threshold)',
        new='records.where(col("value").cast("string") > str(config.threshold))',
        expect=r"The broken record .* is in 'alerts': filter the parsed suhu, after from_json, not the raw",
    ),
    WrongAnswer(
        cell="ex-alerts",
        check="ex-alerts",
        name="a filter on suhu before the parse",
        old='readings.where(col("suhu") > config.threshold)',
        new='records.where(col("suhu") > config.threshold)',
        expect=r"Spark cannot run this query: .*`suhu` cannot be resolved",
    ),
    WrongAnswer(
        cell="ex-alerts",
        check="ex-alerts-check",
        name="no .start()",
        old="    .start()\n",
        new="",
        expect=r"DataStreamWriter, not a running query: end it with \.start\(\)",
    ),
    WrongAnswer(
        cell="ex-alerts",
        check="ex-alerts-check",
        name="the wrong queryName",
        old='.queryName("alerts")',
        new='.queryName("alert")',
        expect=r"Your query is called 'alert', not 'alerts': check \.queryName\. Run your cell again",
    ),
    # Your turn 3: the rejected table
    WrongAnswer(
        cell="32",
        check="34",
        name="reject_reason without .alias",
        old='col("reject_reason").alias("reason")',
        new='col("reject_reason")',
        expect=r"'rejected' has no column \['reason'\]: did you name it with \.alias",
    ),
    WrongAnswer(
        cell="32",
        check="34",
        name="isNull where isNotNull",
        old='col("reject_reason").isNotNull()',
        new='col("reject_reason").isNull()',
        expect=r"is (missing from|in) 'rejected': keep only the rows whose reject_reason is set",
    ),
    # Your turn 4: above 85 °C
    WrongAnswer(
        cell="36",
        check="38",
        name=">= for > at 85 °C",
        old='col("suhu") > HIGHER',
        new='col("suhu") >= HIGHER',
        expect=r"The reading of 85\.0 °C .* is in 'alerts_85': 85 is not above 85: did you use >= inst",
    ),
    WrongAnswer(
        cell="36",
        check="38",
        name="config.threshold (80) where HIGHER (85) is asked",
        old='col("suhu") > HIGHER',
        new='col("suhu") > config.threshold',
        expect=r"The reading of 80\.1 °C .* is in 'alerts_85': it is not above 85: compare with HIGHER",
    ),
    # Your turn 5: the batch read of exactly the finished records
    WrongAnswer(
        cell="40",
        check="41",
        name="no endingOffsets",
        old='    .option("endingOffsets", done.ending_offsets)\n',
        new="",
        expect=r"after your query's range: set endingOffsets to done\.ending_offsets",
    ),
    WrongAnswer(
        cell="40",
        check="41",
        name="startingOffsets earliest",
        old='.option("startingOffsets", done.starting_offsets)',
        new='.option("startingOffsets", "earliest")',
        expect=r"before .*range: set startingOffsets to done\.starting_offsets",
    ),
]
