"""Plausible wrong answers for notebook 01's exercises (a topic with one hour of retention, a partition
added, a topic deleted). The checks send records keyed S1..S5 and judge by the partition Kafka put each in.
"""

from tests.notebook_runs.exercises import WrongAnswer

WRONG_ANSWERS = [
    # Exercise 1: create `exercise_topic` with 1 partition and retention.ms of one hour.
    WrongAnswer(
        cell="17",
        check="18",
        name="partition count copied from the cell above",
        old='"num_partitions": 1,',
        new='"num_partitions": config.partitions,',
        expect=r"partitions, not 1.*num_partitions",
    ),
    WrongAnswer(
        cell="17",
        check="18",
        name="retention in seconds",
        old="str(ONE_HOUR_MS)",
        new='"3600"',
        expect=r"retention\.ms is 3600\b.*milliseconds",
    ),
    WrongAnswer(
        cell="17",
        check="18",
        name="retention next to num_partitions, not inside configs",
        old='"configs": {"retention.ms": str(ONE_HOUR_MS)},',
        new='"retention.ms": str(ONE_HOUR_MS),',
        expect=r"not set.*inside \"configs\"",
    ),
    WrongAnswer(
        cell="17",
        check="18",
        name="settings written, topic never created",
        old="admin.create_topics({exercise_topic: debug_topic}, wait_for_metadata=True)",
        new="",
        expect=r"does not know it.*create_topics",
    ),
    # Exercise 2: grow `growing_topic` from 1 to 2 partitions.
    WrongAnswer(
        cell="20",
        check="21",
        name="one partition too many (3 in total)",
        old="{growing_topic: 2}",
        new="{growing_topic: 3}",
        expect=r"3 partitions.*new total",
    ),
    WrongAnswer(
        cell="20",
        check="21",
        name="argument written, create_partitions never called",
        old="admin.create_partitions(new_totals)",
        new="",
        expect=r"still has 1 partition.*create_partitions",
    ),
    # Exercise 3: delete `old_topic` and nothing else.
    WrongAnswer(
        cell="23",
        check="24",
        name="deletes exercise 1's topic instead",
        old="to_delete = [old_topic]",
        new="to_delete = [exercise_topic]",
        expect=r"you deleted .*old_topic only",
    ),
    WrongAnswer(
        cell="23",
        check="24",
        name="list written, delete_topics never called",
        old="admin.delete_topics(to_delete)",
        new="",
        expect=r"still lists.*delete_topics",
    ),
]
