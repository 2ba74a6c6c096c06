"""What the class cluster refuses s01, each a test, each ending in one plain sentence (never a hang).

s02 owns a topic with a record and a consumer group with a committed offset; s01 tries what a curious or
careless classmate would. The sentence checked is the one a student sees: ``refusal_sentence`` is what
``setup()``'s one-line display, the lab's clients and the programs show for such an error.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from kafka import KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from lab_utils.clients import admin_client, make_consumer, make_producer
from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.notebook import error_sentence
from lab_utils.reference.topics import describe_topic, ensure_topic
from lab_utils.stack.account import forget_account, refusal_sentence, use_account
from lab_utils.stack.class_cluster import CLASS_TOPIC
from tests.classroom.conftest import Class

pytestmark = pytest.mark.integration

TOPIC_RULE = (
    "your topics must start with 's01.' (config.topic_name('...') adds it), and the class topic is read-only."
)
GROUP_RULE = "your consumer groups must start with 's01.' (config.group_name('...') adds it)."


@dataclass(frozen=True)
class TwoStudents:
    s01: LabConfig
    s02: LabConfig
    topic: str  # s02's
    group: str  # s02's


@pytest.fixture(scope="module")
def two(classroom: Class) -> TwoStudents:
    s01, s02 = classroom.account("s01"), classroom.account("s02")
    topic, group = s02.topic_name(f"private-{uuid.uuid4().hex[:6]}"), s02.group_name("private")
    ensure_topic(topic, partitions=1, config=s02)
    producer = make_producer(s02)
    producer.send(topic, value=b'{"sensor_id": "S1", "suhu": 99.0}').get(timeout=10)
    producer.close()
    consumer = make_consumer(s02, group_id=group, enable_auto_commit=False)
    consumer.assign([TopicPartition(topic, 0)])
    consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(1, "", -1)})
    consumer.close()
    return TwoStudents(s01, s02, topic, group)


def refused(attempt: Callable[[], object], config: LabConfig) -> str:
    """The sentence s01 sees when ``attempt`` is refused (the attempt must fail, within seconds)."""
    began = time.monotonic()
    with pytest.raises(Exception) as caught:
        attempt()
    assert time.monotonic() - began < 15, "a refusal must come at once, not after a long wait"
    if isinstance(caught.value, LabError):
        return str(caught.value)
    sentence = refusal_sentence(caught.value, config)
    assert sentence is not None, f"not recognised as a refusal: {caught.value!r}"
    return sentence


def test_s01_cannot_read_s02s_topic(two: TwoStudents) -> None:
    consumer = make_consumer(two.s01)
    try:
        sentence = refused(lambda: consumer.beginning_offsets([TopicPartition(two.topic, 0)]), two.s01)
    finally:
        consumer.close()
    assert sentence == f"Kafka refused the account 's01' the topic '{two.topic}': {TOPIC_RULE}"


def test_s01_cannot_write_to_s02s_topic(two: TwoStudents) -> None:
    producer = make_producer(two.s01, max_block_ms=5000)
    try:
        sentence = refused(lambda: producer.send(two.topic, b"not yours").get(timeout=10), two.s01)
    finally:
        producer.close()
    assert sentence == f"Kafka refused the account 's01' the topic '{two.topic}': {TOPIC_RULE}"


def test_s01_cannot_describe_s02s_topic(two: TwoStudents) -> None:
    sentence = refused(lambda: describe_topic(two.topic, config=two.s01), two.s01)
    assert sentence == f"Kafka refused the account 's01' the topic '{two.topic}': {TOPIC_RULE}"


def test_s01_cannot_delete_s02s_topic(two: TwoStudents) -> None:
    with admin_client(two.s01) as admin:
        sentence = refused(lambda: admin.delete_topics([two.topic]), two.s01)
    assert sentence == f"Kafka refused the account 's01' the topic '{two.topic}': {TOPIC_RULE}"
    with admin_client(two.s02) as admin:
        assert two.topic in admin.list_topics()  # still there


def test_s01_cannot_commit_in_s02s_group(two: TwoStudents) -> None:
    own = two.s01.topic_name("commits")
    ensure_topic(own, partitions=1, config=two.s01)
    consumer = make_consumer(two.s01, group_id=two.group, enable_auto_commit=False)
    try:
        consumer.assign([TopicPartition(own, 0)])
        commit = {TopicPartition(own, 0): OffsetAndMetadata(0, "", -1)}
        sentence = refused(lambda: consumer.commit(commit), two.s01)
    finally:
        consumer.close()
    assert sentence == f"Kafka refused the account 's01' the consumer group '{two.group}': {GROUP_RULE}"
    with admin_client(two.s02) as admin:  # s02's offset is untouched
        (offset,) = admin.list_group_offsets(two.group)[two.group].values()
    assert offset.offset == 1


def test_s01_cannot_delete_the_class_topic(two: TwoStudents) -> None:
    with admin_client(two.s01) as admin:
        sentence = refused(lambda: admin.delete_topics([CLASS_TOPIC]), two.s01)
    assert sentence == f"Kafka refused the account 's01' the topic '{CLASS_TOPIC}': {TOPIC_RULE}"


def test_s01_cannot_create_a_topic_outside_its_prefix(two: TwoStudents) -> None:
    sentence = refused(lambda: ensure_topic("sensor-suhu-mine", config=two.s01), two.s01)
    assert sentence == f"Kafka refused the account 's01' the topic 'sensor-suhu-mine': {TOPIC_RULE}"


def test_a_wrong_password_is_refused_in_one_sentence(two: TwoStudents) -> None:
    wrong = replace(two.s01, sasl_password=two.s01.sasl_password + "x")
    sentence = refused(lambda: make_producer(wrong), wrong)  # the time it takes: benchmarks/bench.py
    assert sentence == (
        "Kafka did not let the account 's01' log in: check the user name and password in the settings file "
        "your instructor gave you (LAB_SETTINGS_FILE), or ask for a new one."
    )


def test_the_notebook_display_shows_the_same_sentence_in_one_line(two: TwoStudents) -> None:
    use_account(two.s01)  # what setup() does in a student's kernel
    try:
        producer = KafkaProducer(
            bootstrap_servers=two.s01.bootstrap_servers, max_block_ms=5000
        )  # a cell's own
        with pytest.raises(Exception) as caught:
            producer.send(CLASS_TOPIC, b"into the class topic").get(timeout=10)
        producer.close()
        shown = error_sentence(caught.value, two.s01.bootstrap_servers)
    finally:
        forget_account()
    assert shown == f"Kafka refused the account 's01' the topic '{CLASS_TOPIC}': {TOPIC_RULE}"
