"""Java checks and the connector classpath, without starting any JVM service."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab_utils.errors import LabError
from lab_utils.stack import jvm


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


def test_this_machine_has_java_17_or_newer() -> None:
    assert jvm.require_java() >= 17


def test_missing_maven_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(LabError, match="Maven"):
        jvm._resolve_classpath("spark-kafka.xml", {"spark.version": "4.2.0"}, tmp_path / "x.classpath")


def test_connector_matches_pyspark_and_leaves_out_jars_pyspark_ships() -> None:
    jars = jvm.connector_jars()
    names = [Path(jar).name for jar in jars]
    assert f"spark-sql-kafka-0-10_2.13-{jvm.spark_version()}.jar" in names
    assert any(name.startswith("kafka-clients-") for name in names)
    # pyspark ships its own Scala and SLF4J: a second copy would break the driver.
    assert not any(name.startswith(("scala-library-", "slf4j-api-", "hadoop-client-")) for name in names)


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
