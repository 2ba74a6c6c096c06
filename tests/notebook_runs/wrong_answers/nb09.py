"""Plausible wrong answers for notebook 09's exercises (the status rule, the stream-stream join).

The status check applies the rule to pairs exactly at the thresholds (80.0 °C, 70.0 %) and just above. The
join check sends its own pairs for run-unique warehouses: one per status, one 9 s apart (inside the 10-second
window), one 11 s apart (just outside), and one stamped 3 minutes ago, sent once the watermark has passed it.
It judges each by the Kafka coordinates of its two readings. Each mistake below changes one of those verdicts.
"""

from tests.notebook_runs.exercises import WrongAnswer

_BOTH_WATERMARKS = (
    'suhu_side = suhu_readings.withWatermark("suhu_time", WATERMARK)\n'
    'kelembaban_side = kelembaban_readings.withWatermark("kelembaban_time", WATERMARK)'
)

WRONG_ANSWERS = [
    WrongAnswer(
        cell="ex-status",
        check="check-status",
        name="suhu >= 80 where the rule is strictly greater",
        old='F.col("suhu") > config.threshold',
        new='F.col("suhu") >= config.threshold',
        expect=r"80\.0 °C is not above 80.*>= instead of >",
    ),
    WrongAnswer(
        cell="ex-status",
        check="check-status",
        name="kelembaban >= 70 where the rule is strictly greater",
        old='F.col("kelembaban") > config.humidity_threshold',
        new='F.col("kelembaban") >= config.humidity_threshold',
        expect=r"70\.0 % above 70.*>= instead of >",
    ),
    WrongAnswer(
        cell="ex-status",
        check="check-status",
        name="'only suhu high' tested before 'both high'",
        old="F.when(suhu_high & kelembaban_high, BOTH_HIGH)\n    .when(suhu_high, SUHU_HIGH)",
        new="F.when(suhu_high, SUHU_HIGH)\n    .when(suhu_high & kelembaban_high, BOTH_HIGH)",
        expect=r"both high' first: F\.when tries its conditions in order",
    ),
    WrongAnswer(
        cell="ex-join",
        check="check-join",
        name="a join without the time bound",
        old='F.expr(f"s.gudang_id = k.gudang_id AND {in_window}")',
        new='F.expr("s.gudang_id = k.gudang_id")',
        expect=r"11 s apart was joined: did you leave out the time range",
    ),
    WrongAnswer(
        cell="ex-join",
        check="check-join",
        name="a join without watermarks",
        old=_BOTH_WATERMARKS,
        new="suhu_side = suhu_readings\nkelembaban_side = kelembaban_readings",
        expect=r"3 minutes ago was joined.*Did both sides get withWatermark",
    ),
    WrongAnswer(
        cell="ex-join",
        check="check-join",
        name="a watermark on the temperature side only",
        old='kelembaban_side = kelembaban_readings.withWatermark("kelembaban_time", WATERMARK)',
        new="kelembaban_side = kelembaban_readings",
        expect=r"1 of its 2 readings were dropped as late\. Did both sides get withWatermark",
    ),
]
