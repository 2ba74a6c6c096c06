"""Plausible wrong answers for notebook 06's exercises (the hottest minute of today, a second restart).

The notebook sends its own test readings: two (sensor, minute) pairs of today that tie at 499.75 °C on
average (one of them reaching 500.0 °C), and a 500.0 °C reading yesterday; before the restart, three new
readings. The checks judge the answers on those records, by Kafka coordinates and by the query's ids.
"""

from tests.notebook_runs.exercises import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        cell="26",
        check="27",
        name="ties sorted with the latest minute first",
        old="ORDER BY avg_suhu DESC, minute, sensor_id",
        new="ORDER BY avg_suhu DESC, minute DESC, sensor_id",
        expect=r"tie at .*The earliest minute wins, then the smallest sensor_id",
    ),
    WrongAnswer(
        cell="26",
        check="27",
        name="the coolest minute (ascending order)",
        old="ORDER BY avg_suhu DESC,",
        new="ORDER BY avg_suhu,",
        expect=r"not the highest average.*Sort by avg_suhu DESC",
    ),
    WrongAnswer(
        cell="26",
        check="27",
        name="the hottest reading (MAX) instead of the average",
        old="AVG(suhu)",
        new="MAX(suhu)",
        expect=r"not that minute's average.*Use AVG\(suhu\)",
    ),
    WrongAnswer(
        cell="26",
        check="27",
        name="every day, not today",
        old="    WHERE date = '{today}'\n",
        new="",
        expect=r"no readings in that minute of .*Keep only WHERE date",
    ),
    WrongAnswer(
        cell="29",
        check="30",
        name="no .start(), only the count",
        old="    .start()\n)\nrestarted.awaitTermination(120)",
        new=")",
        expect=r"not a query that ran\. End the chain with \.start\(\)",
    ),
    WrongAnswer(
        cell="29",
        check="29",
        name="no checkpointLocation",
        old='    .option("checkpointLocation", checkpoint_dir)\n',
        new="",
        expect=r"checkpointLocation must be specified",
    ),
    WrongAnswer(
        cell="29",
        check="30",
        name="a checkpoint of its own, not section 3's",
        old='.option("checkpointLocation", checkpoint_dir)',
        new='.option("checkpointLocation", checkpoint_dir + "-again")',
        expect=r"new id\. A query's id lives in its checkpoint",
    ),
    WrongAnswer(
        cell="29",
        check="30",
        name="counted before the query finished",
        old="restarted.awaitTermination(120)\n",
        new="",
        expect=r"awaitTermination",
    ),
]
