"""The class cluster starts with its accounts, ACLs and private settings files; a student uses their own."""

from __future__ import annotations

import stat
import subprocess
import sys
import uuid

import pytest
from kafka import TopicPartition
from kafka.admin import (
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePatternFilter,
    ResourceType,
)

from lab_utils.clients import admin_client, make_consumer, make_producer
from lab_utils.config import PROJECT_ROOT
from lab_utils.errors import LabError
from lab_utils.reference.consumer import read_at
from lab_utils.reference.topics import ensure_topic
from lab_utils.stack.class_cluster import CLASS_TOPIC, reset_student, start_class, student_names
from tests.classroom.conftest import STUDENTS, Class
from tests.conftest import listening_addresses

pytestmark = pytest.mark.integration


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_class_starts_with_an_account_per_student_and_private_files(classroom: Class) -> None:
    cluster = classroom.cluster
    assert "started in" in classroom.message and "install -m 600" in classroom.message
    files = sorted((cluster.home / "students").glob("*.env"))
    assert [path.stem for path in files] == student_names(STUDENTS)
    assert {_mode(path) for path in [*files, cluster.admin_file]} == {0o600}
    assert {_mode(folder) for folder in (cluster.home, cluster.home / "students")} == {0o700}
    assert {_mode(paths.properties) for paths, _ in cluster.nodes} == {0o600}  # the brokers' admin password
    passwords = {path.read_text().split("LAB_SASL_PASSWORD=")[1].split()[0] for path in files}
    assert len(passwords) == STUDENTS  # generated, one each
    s01 = classroom.account("s01")
    assert (s01.sasl_username, s01.name_prefix, s01.topic) == ("s01", "s01.", "s01.sensor-suhu")
    assert (s01.security_protocol, s01.bootstrap_servers) == ("SASL_PLAINTEXT", cluster.bootstrap)
    for paths, _ in cluster.nodes:  # every listener of every node on loopback, the controllers too
        assert {ip for ip, _ in listening_addresses(int(paths.pid_file.read_text()))} == {"127.0.0.1"}


def test_each_student_may_use_their_prefix_and_read_the_class_topic_nothing_more(classroom: Class) -> None:
    anything = ACLFilter(
        principal="User:s01",
        host="*",
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )
    with admin_client(classroom.account("admin")) as admin:
        acls, _ = admin.describe_acls(anything)
    granted = {
        (acl.resource_pattern.resource_type.name, acl.resource_pattern.resource_name,
         acl.resource_pattern.pattern_type.name, acl.operation.name, acl.permission_type.name)
        for acl in acls
    }  # fmt: skip
    assert granted == {
        ("TOPIC", "s01.", "PREFIXED", "ALL", "ALLOW"),
        ("GROUP", "s01.", "PREFIXED", "ALL", "ALLOW"),
        ("TOPIC", CLASS_TOPIC, "LITERAL", "READ", "ALLOW"),
    }


def test_a_student_writes_and_reads_their_own_topic_and_reads_the_class_topic(
    classroom: Class,
) -> None:
    s01 = classroom.account("s01")
    topic = s01.topic_name(f"own-{uuid.uuid4().hex[:6]}")
    assert topic.startswith("s01.")
    assert ensure_topic(topic, config=s01).startswith("Created topic s01.")
    producer = make_producer(s01)
    where = producer.send(topic, key=b"S1", value=b'{"sensor_id": "S1", "suhu": 81.5}').get(timeout=10)
    producer.close()
    assert (
        read_at([(where.partition, where.offset)], topic, config=s01)[(where.partition, where.offset)].key
        == b"S1"
    )
    consumer = make_consumer(s01, group_id=s01.group_name("reader"))  # a group with the prefix
    class_partitions = [TopicPartition(CLASS_TOPIC, p) for p in consumer.partitions_for_topic(CLASS_TOPIC)]
    assert len(consumer.end_offsets(class_partitions)) == 3  # the class topic: readable
    consumer.close()


def test_starting_again_keeps_every_account_and_password(classroom: Class) -> None:
    before = {path: path.read_text() for path in (classroom.cluster.home / "students").glob("*.env")}
    message = start_class(classroom.account("admin"), STUDENTS, classroom.cluster)
    assert "already running" in message
    assert {path: path.read_text() for path in before} == before


def test_kafka_tools_log_in_with_the_students_settings_file(classroom: Class) -> None:
    s01 = classroom.account("s01")
    ensure_topic(config=s01)
    properties = s01.lab_home / "accounts" / "s01.properties"
    try:
        listed = subprocess.run(
            [sys.executable, "-m", "lab_utils.stack.kafka_tools", "kafka-topics",
             "--bootstrap-server", s01.bootstrap_servers, "--list"],
            capture_output=True, text=True, timeout=120, env=classroom.environment("s01"), cwd=PROJECT_ROOT,
        )  # fmt: skip
        assert listed.returncode == 0, listed.stderr
        names = set(listed.stdout.split())
        assert {s01.topic, CLASS_TOPIC} <= names and not any(name.startswith("s02.") for name in names)
        assert _mode(properties) == 0o600 and s01.sasl_password in properties.read_text()
    finally:
        properties.unlink(missing_ok=True)  # this run's copy of the password, in the project's .lab


def test_a_reset_gives_a_new_password_and_forgets_the_students_topics(classroom: Class) -> None:
    old = classroom.account("s12")
    ensure_topic(old.topic_name("before-reset"), partitions=1, config=old)
    message = reset_student(old, "s12", classroom.cluster)
    assert message.startswith("s12 has a new password") and "deleted 1 topics" in message
    assert _mode(classroom.file("s12")) == 0o600
    with pytest.raises(LabError, match="did not let the account 's12' log in"):
        make_producer(old)
    new = classroom.account("s12")
    assert new.sasl_password != old.sasl_password
    with admin_client(new) as admin:
        assert not [topic for topic in admin.list_topics() if topic.startswith("s12.")]


def test_the_admin_settings_file_is_a_super_user_without_prefix(classroom: Class) -> None:
    admin = classroom.account("admin")
    assert admin.sasl_username == "admin" and admin.name_prefix == ""
    with admin_client(admin) as client:
        assert CLASS_TOPIC in client.list_topics()
