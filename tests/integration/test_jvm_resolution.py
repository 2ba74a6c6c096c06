"""Needs this machine's Java and Maven (Maven Central once): the JVM check, the resolved classpaths."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from lab_utils.config import load_config
from lab_utils.stack import jvm, kafka_tools

pytestmark = pytest.mark.integration


def test_this_machine_has_java_17_or_newer() -> None:
    assert jvm.require_java() >= 17


def test_connector_matches_pyspark_and_leaves_out_jars_pyspark_ships() -> None:
    jars = jvm.connector_jars(load_config().lab_home)
    names = [Path(jar).name for jar in jars]
    assert f"spark-sql-kafka-0-10_2.13-{jvm.spark_version()}.jar" in names
    assert any(name.startswith("kafka-clients-") for name in names)
    # pyspark ships its own Scala and SLF4J: a second copy would break the driver.
    assert not any(name.startswith(("scala-library-", "slf4j-api-", "hadoop-client-")) for name in names)


def test_each_tool_class_is_in_the_kafka_tools_jars_of_the_brokers_release() -> None:
    jars = jvm.tools_classpath(load_config().lab_home)
    names = {Path(jar).name for jar in jars}
    assert {f"kafka-tools-{jvm.kafka_version()}.jar", f"kafka-clients-{jvm.kafka_version()}.jar"} <= names
    classes = set()
    for jar in jars:
        with zipfile.ZipFile(jar) as archive:
            classes.update(archive.namelist())
    assert {f"{name.replace('.', '/')}.class" for name in kafka_tools.TOOLS.values()} <= classes


def test_the_tools_log_errors_to_the_terminal_and_warnings_to_a_file() -> None:
    command = kafka_tools.java_command(load_config().lab_home, "kafka-topics", ["--list"])
    assert command[-2:] == ["org.apache.kafka.tools.TopicCommand", "--list"]
    settings = next(arg for arg in command if arg.startswith("-Dlog4j2.configurationFile="))
    text = Path(settings.partition("=")[2]).read_text()
    assert "appender.stderr.filter.level.level = error" in text
    assert "rootLogger.level = warn" in text
