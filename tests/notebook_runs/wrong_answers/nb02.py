"""Plausible mistakes in notebook 02's exercises, each failing its self-check with a ✗ line that names it.

Cells: 6 the producer (check 8), 12 the send loop (check send-loop-check), 22 one send and its metadata
(check 23), 25 five S4 readings (check 27).
"""

from tests.notebook_runs.exercises import WrongAnswer

LOOP_SEND = "future = producer.send(config.topic, key=reading.sensor_id, value=reading.to_dict())"

WRONG_ANSWERS = [
    # Your turn 1: the producer
    WrongAnswer(
        cell="6",
        check="8",
        name="no key serializer",
        old='    key_serializer=DefaultSerializer(),  # "S1" -> b"S1"\n',
        new="",
        expect=r"key_serializer=DefaultSerializer",
    ),
    WrongAnswer(
        cell="6",
        check="8",
        name="the key serialized as JSON",
        old="key_serializer=DefaultSerializer()",
        new="key_serializer=JsonSerializer()",
        expect=r"key .*becomes .*DefaultSerializer",
    ),
    WrongAnswer(
        cell="6",
        check="6",
        name="acks=1 (with idempotence, kafka-python refuses)",
        old='acks="all"',
        new="acks=1",
        expect=r"acks",
    ),
    WrongAnswer(
        cell="6",
        check="8",
        name="idempotence off",
        old="enable_idempotence=True",
        new="enable_idempotence=False",
        expect=r"idempotence is off",
    ),
    # Your turn 2: the send loop
    WrongAnswer(
        cell="12",
        check="send-loop-check",
        name="readings sent without a key",
        old="key=reading.sensor_id, ",
        new="",
        expect=r"has no key",
    ),
    WrongAnswer(
        cell="12",
        check="send-loop-check",
        name="no delivery callbacks",
        old="            future.add_callback(on_delivered, reading).add_errback(on_failed, reading)\n",
        new="",
        expect=r"add_callback\(on_delivered, reading\)",
    ),
    WrongAnswer(
        cell="12",
        check="send-loop-check",
        name="a busy loop: no stop.wait between rounds",
        old="        stop.wait(config.interval_s)",  # the comment after it stays, on a line of its own
        new="",
        expect=r"without waiting .*stop\.wait",
    ),
    WrongAnswer(
        cell="12",
        check="send-loop-check",
        name="the value JSON encoded twice",
        old=LOOP_SEND,
        new="import json\n\n            "
        + LOOP_SEND.replace("value=reading.to_dict()", "value=json.dumps(reading.to_dict())"),
        expect=r"encoded twice",
    ),
    # Your turn 3: one send, and its metadata
    WrongAnswer(
        cell="22",
        check="23",
        name="JSON encoded twice",
        old='future = producer.send(config.topic, key="S1", value=one)',
        new='import json\n\nfuture = producer.send(config.topic, key="S1", value=json.dumps(one))',
        expect=r"encoded twice.*json\.dumps",
    ),
    WrongAnswer(
        cell="22",
        check="23",
        name="the future kept, not its answer",
        old="metadata = future.get(timeout=10)",
        new="metadata = future",
        expect=r"future\.get\(timeout=10\)",
    ),
    WrongAnswer(
        cell="22",
        check="23",
        name="sent without the key",
        old='key="S1", ',
        new="",
        expect=r"has no key",
    ),
    # Your turn 4: five S4 readings
    WrongAnswer(
        cell="25",
        check="27",
        name="readings without suhu",
        old='"suhu": suhu, ',
        new="",
        expect=r"missing suhu",
    ),
    WrongAnswer(
        cell="25",
        check="27",
        name="key=None",
        old='key="S4"',
        new="key=None",
        expect=r"has no key",
    ),
]
