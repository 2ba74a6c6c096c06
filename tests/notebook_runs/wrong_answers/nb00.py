"""Plausible wrong answers for notebook 00's exercise (read exactly the marker record).

The marker topic holds a record before the marker and one after it, so each of these reads returns
something other than the marker alone, and the check names which end is wrong.
"""

from tests.notebook_runs.exercises import WrongAnswer

_START = '.option("startingOffsets", json.dumps({check_topic: {partition: marker.offset}}))'
_END = '.option("endingOffsets", json.dumps({check_topic: {partition: marker.offset + 1}}))'

WRONG_ANSWERS = [
    WrongAnswer(
        cell="17",
        check="18",
        name="earliest, no end offsets",
        old=f"{_START}\n    {_END}",
        new='.option("startingOffsets", "earliest")',
        expect=r"before the marker.*earliest",
    ),
    WrongAnswer(
        cell="17",
        check="18",
        name="the right start, no endingOffsets",
        old=f"\n    {_END}",
        new="",
        expect=r"past the marker.*endingOffsets",
    ),
    WrongAnswer(
        cell="17",
        check="18",
        name="ending offset taken as inclusive",
        old="marker.offset + 1",
        new="marker.offset",
        expect=r"returned nothing.*exclusive",
    ),
]
