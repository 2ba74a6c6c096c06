"""A class account without a cluster: the settings file, the options each client gets, the refusal sentences,
the defaults setup() installs, the CLI tools' arguments and the class cluster's node configuration."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import GroupAuthorizationFailedError, KafkaTimeoutError, TopicAuthorizationFailedError
from pyspark.sql.readwriter import DataFrameReader

from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError
from lab_utils.stack import account
from lab_utils.stack.account import (
    client_properties,
    forget_account,
    jaas_config,
    kafka_security,
    refusal_sentence,
    spark_kafka_options,
    use_account,
)
from lab_utils.stack.broker import BrokerPaths
from lab_utils.stack.class_cluster import (
    PRODUCE_BYTES_PER_S,
    ClassCluster,
    node_properties,
    per_broker,
    student_names,
)
from lab_utils.stack.kafka_tools import account_arguments
from lab_utils.stack.private_files import read_settings, settings_text, write_private

ACCOUNT = ("LAB_SECURITY_PROTOCOL", "LAB_SASL_USERNAME", "LAB_SASL_PASSWORD", "LAB_PREFIX", "LAB_TOPIC")


@pytest.fixture
def student_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (*ACCOUNT, "LAB_BOOTSTRAP_SERVERS", "LAB_DLQ_TOPIC", "LAB_SETTINGS_FILE"):
        monkeypatch.delenv(name, raising=False)
    values = {
        "LAB_BOOTSTRAP_SERVERS": "127.0.0.1:9192",
        "LAB_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "LAB_SASL_USERNAME": "s07",
        "LAB_SASL_PASSWORD": "pw-" + "x" * 21,
        "LAB_PREFIX": "s07.",
    }
    path = write_private(tmp_path / "s07.env", settings_text(values, "a student's file"))
    monkeypatch.setenv("LAB_SETTINGS_FILE", str(path))
    return path


def _s07() -> LabConfig:
    return dataclasses.replace(
        load_config(),
        security_protocol="SASL_PLAINTEXT",
        sasl_username="s07",
        sasl_password='p"w\\d',
        name_prefix="s07.",
    )


def test_unset_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*ACCOUNT, "LAB_SETTINGS_FILE"):
        monkeypatch.delenv(name, raising=False)
    config = load_config()
    assert (config.security_protocol, config.name_prefix, config.topic) == ("PLAINTEXT", "", "sensor-suhu")
    assert kafka_security(config) == {} and spark_kafka_options(config) == {}
    assert config.topic_name("x") == "x" and config.group_name("g") == "g"
    assert use_account(config) is None


def test_a_settings_file_gives_the_account_and_prefixes_every_topic(student_file: Path) -> None:
    config = load_config()
    assert (config.sasl_username, config.bootstrap_servers) == ("s07", "127.0.0.1:9192")
    assert (config.topic, config.dlq_topic) == ("s07.sensor-suhu", "s07.sensor-suhu-dlq")
    assert config.warehouse_temperature_topic == "s07.sensor-suhu-gudang"
    assert config.topic_name("exercise") == "s07.exercise" and config.topic_name("s07.x") == "s07.x"
    assert config.group_name("dashboard") == "s07.dashboard"
    assert "pw-" not in repr(config)  # the password never shows in a printed config
    assert read_settings(student_file)["LAB_PREFIX"] == "s07."


def test_the_environment_wins_over_the_file(student_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAB_BOOTSTRAP_SERVERS", "10.0.0.5:9192")
    monkeypatch.setenv("LAB_TOPIC", "mine")
    config = load_config()
    assert (config.bootstrap_servers, config.topic, config.sasl_username) == (
        "10.0.0.5:9192",
        "s07.mine",
        "s07",
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda path: path.chmod(0o644), "other users can read: run `chmod 600"),
        (
            lambda path: path.write_text("LAB_SASL_USERNAME s07\n"),
            "Line 1 of .* is not a LAB_NAME=value line",
        ),
        (lambda path: path.unlink(), "cannot be read"),
        (lambda path: path.write_text("LAB_SECURITY_PROTOCOL=SASL_PLAINTEXT\n"), "needs LAB_SASL_USERNAME"),
        (lambda path: path.write_text("LAB_SECURITY_PROTOCOL=SSL_MAYBE\n"), "is unknown"),
    ],
)
def test_a_bad_settings_file_is_one_sentence(student_file: Path, change, words: str) -> None:
    change(student_file)
    with pytest.raises(LabError, match=words) as caught:
        load_config()
    assert "\n" not in str(caught.value)


def test_each_client_gets_the_account_in_its_own_words() -> None:
    config = _s07()
    assert kafka_security(config) == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": "s07",
        "sasl_plain_password": 'p"w\\d',
    }
    jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        'username="s07" password="p\\"w\\\\d";'
    )
    assert jaas_config(config) == jaas
    assert spark_kafka_options(config) == {
        "groupIdPrefix": "s07.spark-kafka",
        "kafka.security.protocol": "SASL_PLAINTEXT",
        "kafka.sasl.mechanism": "SCRAM-SHA-256",
        "kafka.sasl.jaas.config": jaas,
    }
    properties = client_properties(config)  # a properties file reads a backslash as an escape: doubled
    assert properties.splitlines()[-1] == "sasl.jaas.config=" + jaas.replace("\\", "\\\\")


def test_setup_makes_the_account_the_default_of_the_cells_own_clients_and_undoes_it() -> None:
    before = {
        client: dict(client.DEFAULT_CONFIG) for client in (KafkaProducer, KafkaConsumer, KafkaAdminClient)
    }
    original_format = DataFrameReader.format
    try:
        assert use_account(_s07()) == "Account s07 (SASL_PLAINTEXT, topics and groups s07.*)"
        use_account(_s07())  # twice: still one layer
        for client in before:
            assert client.DEFAULT_CONFIG["sasl_plain_username"] == "s07"
            assert client.DEFAULT_CONFIG["security_protocol"] == "SASL_PLAINTEXT"
        assert DataFrameReader.format is not original_format
        assert account._state["spark"]["groupIdPrefix"] == "s07.spark-kafka"
    finally:
        forget_account()
    assert {client: dict(client.DEFAULT_CONFIG) for client in before} == before
    assert DataFrameReader.format is original_format


@pytest.mark.parametrize(
    ("error", "sentence"),
    [
        (
            TopicAuthorizationFailedError("s02.x"),
            "Kafka refused the account 's07' the topic 's02.x': your topics must start with 's07.' "
            "(config.topic_name('...') adds it), and the class topic is read-only.",
        ),
        (
            TopicAuthorizationFailedError(
                "Request 'CreateTopicsRequest(version=7, topics=[CreatableTopic(name='other', "
                "num_partitions=1, configs=[CreatableTopicConfig(name='min.insync.replicas', value='2')])])'"
            ),
            "Kafka refused the account 's07' the topic 'other': your topics must start with 's07.' "
            "(config.topic_name('...') adds it), and the class topic is read-only.",
        ),
        (
            GroupAuthorizationFailedError("s02.g"),
            "Kafka refused the account 's07' the consumer group 's02.g': your consumer groups must start "
            "with 's07.' (config.group_name('...') adds it).",
        ),
        (
            RuntimeError(
                "An error occurred while calling o235.save.\n: org.apache.spark.SparkException: Job aborted: "
                "org.apache.kafka.common.errors.TopicAuthorizationException: "
                "Not authorized to access topics: [s02.x]\n\tat org.apache.spark..."
            ),
            "Kafka refused the account 's07' the topic 's02.x': your topics must start with 's07.' "
            "(config.topic_name('...') adds it), and the class topic is read-only.",
        ),
        (
            RuntimeError(
                "[STREAM_FAILED] Query terminated with exception: org.apache.kafka.common.errors."
                "SaslAuthenticationException: Authentication failed during authentication due to invalid "
                "credentials with SASL mechanism SCRAM-SHA-256"
            ),
            "Kafka did not let the account 's07' log in: check the user name and password in the settings "
            "file your instructor gave you (LAB_SETTINGS_FILE), or ask for a new one.",
        ),
    ],
)
def test_a_refusal_reads_as_one_sentence(error: BaseException, sentence: str) -> None:
    assert refusal_sentence(error, _s07()) == sentence


def test_other_errors_are_no_refusal() -> None:
    assert refusal_sentence(ValueError("Topic authorization is a fine topic"), _s07()) is None
    assert refusal_sentence(None, _s07()) is None
    nobody_there = dataclasses.replace(_s07(), bootstrap_servers="127.0.0.1:1")  # no broker, no login
    assert (
        refusal_sentence(KafkaTimeoutError("Unable to bootstrap from ['127.0.0.1:1']"), nobody_there) is None
    )


def test_kafka_tools_log_in_with_a_private_properties_file(tmp_path: Path) -> None:
    config = dataclasses.replace(_s07(), lab_home=tmp_path)
    extra = account_arguments(config, "kafka-console-consumer", ["--bootstrap-server", "x:1", "--topic", "t"])
    assert extra[0] == "--consumer.config" and extra[2] == "--group" and extra[3].startswith("s07.console-")
    properties = Path(extra[1])
    assert oct(properties.stat().st_mode & 0o777) == "0o600" and "s07" in properties.read_text()
    assert account_arguments(config, "kafka-topics", ["--list"])[0] == "--command-config"
    assert account_arguments(config, "kafka-topics", ["--command-config", "mine.properties"]) == []
    assert (
        account_arguments(dataclasses.replace(config, security_protocol="PLAINTEXT"), "kafka-topics", [])
        == []
    )


def test_class_cluster_nodes_listen_on_loopback_with_scram_and_the_authorizer(tmp_path: Path) -> None:
    cluster = ClassCluster(tmp_path, 9192)
    text = node_properties(cluster, BrokerPaths(tmp_path / "node-1"), 9192, 1, "admin-pw")
    settings = dict(line.split("=", 1) for line in text.splitlines())
    assert settings["listeners"] == "CLIENT://127.0.0.1:9192,CONTROLLER://127.0.0.1:9193"
    assert settings["listener.security.protocol.map"] == "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"
    assert settings["authorizer.class.name"].endswith("StandardAuthorizer")
    assert settings["allow.everyone.if.no.acl.found"] == "false"
    assert settings["super.users"] == "User:admin;User:ANONYMOUS"
    assert settings["controller.quorum.voters"] == "1@127.0.0.1:9193,2@127.0.0.1:9195,3@127.0.0.1:9197"
    assert student_names(3) == ["s01", "s02", "s03"] and student_names(120)[0] == "s001"


def test_private_files_are_owner_only_from_the_first_byte(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "secret.env"
    path.parent.mkdir()
    path.write_text("old")
    path.chmod(0o644)
    write_private(path, "LAB_SASL_USERNAME=s01\n")
    assert (
        oct(os.stat(path).st_mode & 0o777) == "0o600" and oct(os.stat(path.parent).st_mode & 0o777) == "0o700"
    )


def test_each_broker_enforces_its_share_of_a_users_quota(tmp_path: Path) -> None:
    """Kafka counts a quota per broker: three nodes at the full figure would let a flooder send 3x it."""
    cluster = ClassCluster(tmp_path)
    share = per_broker(PRODUCE_BYTES_PER_S, cluster)
    assert len(cluster.nodes) == 3
    assert share * len(cluster.nodes) <= PRODUCE_BYTES_PER_S < (share + 1) * len(cluster.nodes)
