"""Plausible mistakes in notebook 08's three programs, each failing its check with a ✗ line that names it.

Cells: 11 your part of producer_dummy.py (check 13), 17 of consumer_realtime.py (check 19), 23 of
consumer_analisis.py (check 25). A program that crashes fails its check with its own last error line and
the file to look at.
"""

from tests.notebook_runs.exercises import WrongAnswer

WRONG_ANSWERS = [
    # producer_dummy.py
    WrongAnswer(
        cell="11",
        check="13",
        name="JSON encoded twice (json.dumps and the value serializer)",
        old="producer.send(args.topic, key=sensor_id, value=reading)",
        new="producer.send(args.topic, key=sensor_id, value=json.dumps(reading))",
        expect=r"JSON-encoded once \(json\.dumps in the serializer or in send\(\), not both\)",
    ),
    WrongAnswer(
        cell="11",
        check="13",
        name="args.bootstrap_servers (the program crashes)",
        old="bootstrap_servers=args.bootstrap_server,",
        new="bootstrap_servers=args.bootstrap_servers,",
        expect=r"producer_dummy failed: AttributeError: .*bootstrap_servers.*\(see .*producer_dummy\.err\)",
    ),
    # consumer_realtime.py
    WrongAnswer(
        cell="17",
        check="19",
        name="auto_offset_reset='latest' (the task says from the oldest record)",
        old='auto_offset_reset="earliest"',
        new='auto_offset_reset="latest"',
        expect=r"missed the records sent before it started.*auto_offset_reset=\"earliest\"",
    ),
    WrongAnswer(
        cell="17",
        check="19",
        name="no errors='replace': a record that is not UTF-8 crashes it",
        old='.decode("utf-8", errors="replace")',
        new='.decode("utf-8")',
        expect=r"consumer_realtime failed: UnicodeDecodeError: .*\(see .*consumer_realtime\.err\)",
    ),
    # consumer_analisis.py
    WrongAnswer(
        cell="23",
        check="25",
        name=">= for > (80.0 °C flagged)",
        old='.where(F.col("suhu") > 80)',
        new='.where(F.col("suhu") >= 80)',
        expect=r"80\.0 is not above 80: >= instead of >",
    ),
    WrongAnswer(
        cell="23",
        check="25",
        name="the filter before the parse (the job crashes)",
        old="    .load()\n",
        new='    .load()\n    .where(F.col("suhu") > 80)\n',
        expect=r"consumer_analisis failed: AnalysisException: .*`suhu` cannot be resolved.*\.err",
    ),
    WrongAnswer(
        cell="23",
        check="25",
        name="startingOffsets 'latest' (the job reads nothing)",
        old='.option("startingOffsets", "earliest")',
        new='.option("startingOffsets", "latest")',
        expect=r"No alert for our 80\.1 °C reading .*earliest offset",
    ),
]
