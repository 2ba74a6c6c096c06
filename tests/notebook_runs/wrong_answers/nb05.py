"""Plausible wrong answers for notebook 05's exercises (30-second windows, a 10-minute watermark).

The checks send their own readings first: three readings at 5, 29.5 and 30 seconds past a minute (30-second
tumbling windows count them 2, then 1), and two late readings, 15 and 5 minutes old (a 10-minute watermark
drops the first and counts the second). Each mistake below changes what happens to those readings.
"""

from tests.notebook_runs.exercises import WrongAnswer

_WINDOW_30 = 'F.window("event_time", "30 seconds")'
_WINDOW_10 = 'F.window("event_time", "10 seconds")'

WRONG_ANSWERS = [
    WrongAnswer(
        cell="36",
        check="37",
        name="1-minute windows where 30 s are asked",
        old='"30 seconds"',
        new='"1 minute"',
        expect=r"windows are \[60\.0\] s long\. Make them 30 seconds long",
    ),
    WrongAnswer(
        cell="36",
        check="37",
        name="sliding windows where tumbling are asked",
        old=_WINDOW_30,
        new='F.window("event_time", "30 seconds", "10 seconds")',
        expect=r"overlap.*third argument",
    ),
    WrongAnswer(
        cell="36",
        check="37",
        name="grouped by the window only",
        old=f'{_WINDOW_30}, "sensor_id")',
        new=f"{_WINDOW_30})",
        expect=r"No sensor_id: group by",
    ),
    WrongAnswer(
        cell="39",
        check="40",
        name="a 1-minute watermark",
        old='"10 minutes"',
        new='"1 minute"',
        expect=r'too late for your watermark.*"10 minutes"',
    ),
    WrongAnswer(
        cell="39",
        check="40",
        name="a 1-hour watermark",
        old='"10 minutes"',
        new='"1 hour"',
        expect=r"15-minute-old reading was counted too: it allows over 10 minutes",
    ),
    WrongAnswer(
        cell="39",
        check="40",
        name="10-minute windows (the 10 minutes in the wrong place)",
        old=_WINDOW_10,
        new='F.window("event_time", "10 minutes")',
        expect=r"windows are \[600\.0\] s long\. Make them 10 seconds long",
    ),
]
