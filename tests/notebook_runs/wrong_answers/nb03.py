"""Plausible mistakes in notebook 03's exercises, each failing its self-check with a ✗ line that names it.

Cells: 6 the poll loop (check 8), 16 only S2 (check 18), 20 a group that commits (check 21), 23 the last
5 records again (check 24). The cells send their own test records first: an S2 record inside the range and
one past its end (16), 12 readings in a fresh topic before the consumer starts (practice-topic), one S2
record after end_s2 (23).
"""

from tests.notebook_runs.exercises import WrongAnswer

WRONG_ANSWERS = [
    # Your turn 1: the poll loop
    WrongAnswer(
        cell="6",
        check="8",
        name="no commit",
        old="    if batches:\n        consumer.commit()",
        new="    pass",
        expect=r"committed nothing.*commit\(\)",
    ),
    WrongAnswer(
        cell="6",
        check="8",
        name="keeps only the records it shows",
        old="            live.append(record)\n            if len(live) <= shown:\n",
        new="            if len(live) < shown:\n                live.append(record)\n",
        expect=r"past the last record you kept.*keep them all",
    ),
    # Your turn 2: only S2
    WrongAnswer(
        cell="16",
        check="18",
        name="no offset < end[tp] filter (records past the end offsets kept)",
        old=" and record.offset < end[tp]",
        new="",
        expect=r"past end\[tp\].*record\.offset < end\[tp\]",
    ),
    WrongAnswer(
        cell="16",
        check="18",
        name='the key compared with the text "S2", not bytes',
        old='record.key == b"S2"',
        new='record.key == "S2"',
        expect=r"keys are bytes",
    ),
    # Your turn 3: a group from the oldest record, and its commit
    WrongAnswer(
        cell="20",
        check="21",
        name='auto_offset_reset="latest" (the task says from the oldest)',
        old='auto_offset_reset="earliest"',
        new='auto_offset_reset="latest"',
        expect=r'"latest" starts at the end.*"earliest"',
    ),
    WrongAnswer(
        cell="20",
        check="21",
        name="10 records kept from bigger batches, then commit",
        old="mine.poll(timeout_ms=POLL_MS, max_records=10 - len(mine_read)).values():\n"
        "        mine_read += records",
        new="mine.poll(timeout_ms=POLL_MS).values():\n        mine_read += records[: 10 - len(mine_read)]",
        expect=r"commit\(\) saves the position after everything poll\(\) returned",
    ),
    WrongAnswer(
        cell="20",
        check="21",
        name="no commit",
        old="mine.commit()",
        new="",
        expect=r"committed nothing",
    ),
    # Your turn 4: the last 5 records again
    WrongAnswer(
        cell="23",
        check="24",
        name="off by one: seek to end_s2 - 4",
        old="end_s2 - 5)",
        new="end_s2 - 4)",
        expect=r"reader\.seek\(s2_partition, end_s2 - 5\)",
    ),
    WrongAnswer(
        cell="23",
        check="24",
        name="no max_records: a poll returns more than 5",
        old=", max_records=5 - len(again_5)",
        new="",
        expect=r"came after end_s2.*max_records",
    ),
]
