"""Java checks and the launchers of Kafka's tools: no JVM, no Maven, no network (see test_jvm_resolution)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from lab_utils.config import load_config
from lab_utils.errors import LabError
from lab_utils.stack import jvm, kafka_tools


def test_missing_java_is_one_sentence_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(LabError, match="Java is not installed: install a JDK 17") as caught:
        jvm.require_java()
    assert "\n" not in str(caught.value)


def test_old_java_is_refused_with_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_home = tmp_path / "jdk8"
    (fake_home / "bin").mkdir(parents=True)
    java = fake_home / "bin" / "java"
    java.write_text("#!/bin/sh\necho 'openjdk version \"1.8.0_402\"' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(fake_home))
    assert jvm.java_version() == 8
    with pytest.raises(LabError, match="Java 8 is too old"):
        jvm.require_java()


def test_missing_maven_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(LabError, match="Maven"):
        jvm._resolve_classpath("spark-kafka.xml", {"spark.version": "4.2.0"}, tmp_path / "x.classpath")


def test_artifact_name_drops_the_version() -> None:
    assert jvm._artifact_name("kafka-clients-3.9.2.jar") == "kafka-clients"
    assert jvm._artifact_name("/x/spark-sql-kafka-0-10_2.13-4.2.0.jar") == "spark-sql-kafka-0-10_2.13"


@pytest.mark.parametrize(
    ("jar", "artifact"),
    [
        ("zstd-jni-1.5.6-10.jar", "zstd-jni"),
        ("log4j-1.2-api-2.25.4.jar", "log4j-1.2-api"),
        ("kafka_2.13-4.1.1.jar", "kafka_2.13"),
        ("netty-all-4.1.100.Final.jar", "netty-all"),
    ],
)
def test_artifact_name_of_tricky_jars(jar: str, artifact: str) -> None:
    assert jvm._artifact_name(jar) == artifact


# Kafka's command-line tools (lab_utils.stack.kafka_tools): launchers and checks, without a broker.


@pytest.mark.parametrize(
    ("args", "value"),
    [
        (["--bootstrap-server", "localhost:9092", "--list"], "localhost:9092"),
        (["--list", "--bootstrap-server=127.0.0.1:9092"], "127.0.0.1:9092"),
        (["--list"], None),
        (["--bootstrap-server"], None),
    ],
)
def test_option_value_reads_both_spellings(args: list[str], value: str | None) -> None:
    assert kafka_tools.option_value(args, "--bootstrap-server") == value


def test_launchers_are_written_once_and_run_from_any_folder(tmp_path: Path) -> None:
    folder = kafka_tools.install_tools(tmp_path)
    topics = folder / "kafka-topics"
    assert set(kafka_tools.TOOLS) <= {path.name for path in folder.iterdir()}
    assert topics.stat().st_mode & 0o111
    text = topics.read_text()
    assert text.startswith("#!/bin/sh\n")
    # The lab's own Python by absolute path, isolated from the current folder (a student's kafka.py).
    assert f'exec {shlex.quote(sys.executable)} -I -m lab_utils.stack.kafka_tools kafka-topics "$@"\n' in text
    written = topics.stat().st_mtime_ns
    kafka_tools.install_tools(tmp_path)
    assert topics.stat().st_mtime_ns == written


def test_no_broker_is_one_sentence_before_any_jvm_starts(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import free_port_pair

    address = f"127.0.0.1:{free_port_pair()}"
    assert kafka_tools.main(["kafka-topics", "--bootstrap-server", address, "--list"]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: No Kafka broker answers at {address}: start one with `make broker`")
    assert error.count("\n") == 1


def test_help_and_secured_connections_skip_the_topic_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object) -> None:
        raise AssertionError("the topic check ran")

    monkeypatch.setattr(kafka_tools, "missing_topic_message", fail)
    monkeypatch.setattr(kafka_tools, "broker_reachable", lambda _: True)
    kafka_tools.check_arguments(load_config(), "kafka-console-producer", ["--help"])
    topic_args = ["--bootstrap-server", "b:9092", "--topic", "t"]
    kafka_tools.check_arguments(load_config(), "kafka-topics", [*topic_args, "--describe"])
    for secured in ("--producer.config=client.properties", "--producer-property=security.protocol=SSL"):
        kafka_tools.check_arguments(load_config(), "kafka-console-producer", [*topic_args, secured])


def test_the_create_command_gives_the_lab_topic_its_partitions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAB_PARTITIONS", "3")
    assert kafka_tools.create_command(load_config(), "localhost:9092", "sensor-suhu") == (
        "kafka-topics --bootstrap-server localhost:9092 --create --topic sensor-suhu "
        "--partitions 3 --replication-factor 1"
    )
    assert "--partitions 1 " in kafka_tools.create_command(load_config(), "localhost:9092", "mine")


def test_unknown_tool_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert kafka_tools.main(["kafka-server-start"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_sessions_map_the_class_archive_only_once_it_exists(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from lab_utils.stack import class_archive

    monkeypatch.setattr(class_archive, "ARCHIVE_DIR", tmp_path)
    assert class_archive.class_archive_options() == []  # no archive yet: Spark starts as it always did
    class_archive.spark_archive().write_bytes(b"")
    options = class_archive.class_archive_options()
    assert options[0] == f"-XX:SharedArchiveFile={tmp_path / f'spark-{jvm.spark_version()}.jsa'}"
    assert "-Xlog:cds=off" in options  # a JVM that cannot use it says nothing into a cell
